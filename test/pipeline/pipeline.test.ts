// The pipeline: the one wiring of a run the CLI and the Lambdas share. Real dump files, a real local store.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../functions/adapters/sha256.js';
import { compareFindings } from '../../functions/core/audit.js';
import { describeGaps } from '../../functions/core/findings.js';
import { sortFindings } from '../../functions/core/render/common.js';
import { renderArtifacts } from '../../functions/pipeline/artifacts.js';
import { readDesired, readPolicy, readSnapshot } from '../../functions/pipeline/inputs.js';
import { runAudit, type AuditInputs } from '../../functions/pipeline/run.js';
import { openRunStore, readStoredReport, storeRun } from '../../functions/pipeline/store.js';
import { snapshotBytes } from '../../functions/pipeline/live.js';
import { snapshotOf } from '../support/builders.js';

const AT = new Date('2026-11-20T10:00:00Z');

async function exampleInputs(): Promise<AuditInputs> {
  const snapshot = await readSnapshot({ kind: 'dump', paths: ['examples/cluster'], cluster: 'example' });
  const desired = await readDesired({ kind: 'manifests', spec: 'examples/gitops' }, { env: {}, snapshot });
  const { policy, policySource } = await readPolicy({ file: 'examples/policy.yaml' });
  return { snapshot, desired, policy, policySource, at: AT, auditorVersion: 'test' };
}

describe('runAudit()', () => {
  it('names the sha256 of the redacted evidence snapshot in the report it returns, computed before the audit', async () => {
    const inputs = await exampleInputs();

    const run = runAudit(inputs, 'redacted');

    expect(run.evidence).toBeDefined();
    expect(run.report.inputs.snapshot.sha256).toBe(sha256Hex(run.evidence!));
    // The dump's own file hashes stay, and the caller's snapshot is not modified.
    expect(run.report.inputs.snapshot.files?.map((f) => f.path)).toEqual(inputs.snapshot.source.files?.map((f) => f.path));
    expect(inputs.snapshot.source.sha256).not.toBe(run.report.inputs.snapshot.sha256);
    expect(gunzipSync(run.evidence!).toString('utf8')).not.toMatch(/"name":"ADDITIONAL_ENI_TAGS","value"/);
  });

  it('keeps the snapshot hash and returns no evidence when none is asked for', async () => {
    const inputs = await exampleInputs();

    const run = runAudit(inputs);

    expect(run.evidence).toBeUndefined();
    expect(run.report.inputs.snapshot.sha256).toBe(inputs.snapshot.source.sha256);
  });

  it('gives the same findings for a staged snapshot as for the dump it was made from, and names the staged bytes', async () => {
    const inputs = await exampleInputs();
    const bytes = snapshotBytes(inputs.snapshot);
    const sha256 = sha256Hex(bytes);

    const staged = await readSnapshot({ kind: 'staged', location: 's3://b/staging/example/run/snapshot.json.gz', bytes, sha256, cluster: 'example' });
    const run = runAudit({ ...inputs, snapshot: staged }, { bytes });

    expect(staged.source.kind).toBe('live');
    expect(run.report.inputs.snapshot.sha256).toBe(sha256);
    expect(run.report.findings).toEqual(runAudit(inputs).report.findings);
  });

  it('refuses staged bytes whose sha256 is not the one recorded when they were written', async () => {
    const bytes = snapshotBytes((await exampleInputs()).snapshot);

    const read = readSnapshot({ kind: 'staged', location: 's3://b/k', bytes, sha256: '0'.repeat(64), cluster: 'example' });

    await expect(read).rejects.toThrow(/^failed to read snapshot s3:\/\/b\/k: its sha256 [0-9a-f]{64} differs from the 0{64} recorded when it was written$/);
  });
});

describe('readDesired()', () => {
  it("states a live-only audit as desired kind 'none', with nothing in it", async () => {
    const desired = await readDesired({ kind: 'none' }, { env: {}, snapshot: snapshotOf({}) });

    expect(desired).toEqual({ source: { kind: 'none', location: '' }, daemonSets: [], managedNamespaces: [], problems: [], gaps: [] });
  });
});

describe('renderArtifacts()', () => {
  it('renders the four files, the JSON being the report itself', async () => {
    const { report } = runAudit(await exampleInputs());

    const artifacts = renderArtifacts(report);

    expect(Object.keys(artifacts)).toEqual(['report.json', 'report.md', 'report.html', 'findings.csv']);
    expect(JSON.parse(artifacts['report.json'].body)).toEqual(report);
  });
});

describe('one finding order', () => {
  it("has the renderers show findings in the report's own order", async () => {
    const { report } = runAudit(await exampleInputs());
    const shuffled = [...report.findings].reverse();

    const sorted = sortFindings(shuffled);

    expect(sorted).toEqual(report.findings);
    expect([...shuffled].sort(compareFindings)).toEqual(report.findings);
  });
});

describe('describeGaps()', () => {
  it('lists every gap as source: message, in one line', () => {
    expect(
      describeGaps([
        { source: 'kubernetes:list pods', message: 'reset' },
        { source: 'github:archive', message: '502' },
      ]),
    ).toBe('kubernetes:list pods: reset; github:archive: 502');
  });
});

describe('storeRun() and readStoredReport()', () => {
  it('stores the run with its evidence and reads the report back through parseReport', async () => {
    const store = openRunStore(await mkdtemp(path.join(tmpdir(), 'pipeline-store-')), { env: {} });
    const run = runAudit(await exampleInputs(), 'redacted');

    const stored = await storeRun(store, run);
    const back = await readStoredReport(store, stored.keys['report.json']!);

    expect(back).toEqual(run.report);
    expect(sha256Hex(await store.getObject(stored.keys['snapshot.json.gz']!))).toBe(run.report.inputs.snapshot.sha256);
    expect(stored.reportUrl).toMatch(/report\.html$/);
    expect(stored.reportUrl).not.toMatch(/X-Amz-|Signature/);
  });

  it('refuses a stored report that says complete but records gaps', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pipeline-store-'));
    const store = openRunStore(dir, { env: {} });
    const run = runAudit(await exampleInputs());
    const stored = await storeRun(store, run);
    const key = stored.keys['report.json']!;
    const { writeFile } = await import('node:fs/promises');
    const tampered = { ...JSON.parse(await readFile(path.join(dir, key), 'utf8')), gaps: [{ source: 'x', message: 'y' }] };
    await writeFile(path.join(dir, key), JSON.stringify(tampered));

    await expect(readStoredReport(store, key)).rejects.toThrow(/field complete must be false/);
  });
});
