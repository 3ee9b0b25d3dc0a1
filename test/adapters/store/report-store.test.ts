import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { RunStoreError, serializeRun, type RunManifest } from '../../../functions/adapters/store/index.js';
import { StoreError } from '../../../functions/core/errors.js';
import type { Report } from '../../../functions/core/types.js';
import { sampleReport, sampleRun, STORES, type Harness } from './harness.js';

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe.each(STORES)('%s', (_name, make) => {
  let h: Harness;
  afterEach(async () => h?.close());

  describe('putRun()', () => {
    it('stores every object under the run folder and reads them back', async () => {
      h = await make();
      const run = sampleRun();

      const result = await h.store.putRun(run);
      const stored = await h.store.getRun('prod-eu-1', result.runId);

      const prefix = `clusters/prod-eu-1/runs/2026/06/01/${result.runId}/`;
      expect(result.runId).toMatch(/^20260601T120000Z-[0-9a-f]{8}$/);
      expect(result.keys).toEqual({
        ...Object.fromEntries(['report.json', 'report.md', 'report.html', 'findings.csv', 'snapshot.json.gz', 'manifest.json'].map((n) => [n, prefix + n])),
        index: `clusters/prod-eu-1/index/2026/${result.runId}.json`,
        'latest.json': 'clusters/prod-eu-1/latest.json',
      });
      expect(result.missing).toBeUndefined();
      expect((await h.store.getObject(`${prefix}report.md`)).toString()).toEqual(run.artifacts['report.md']!.body);
      expect(stored.report.findings).toEqual(run.report.findings);
      expect(stored.manifest.objects.map((o) => [o.name, o.sha256, o.size])).toEqual(
        await Promise.all(
          ['report.json', 'report.md', 'report.html', 'findings.csv', 'snapshot.json.gz'].map(async (n) => {
            const body = await h.store.getObject(prefix + n);
            return [n, sha(body), body.length];
          }),
        ),
      );
    });

    it('names the sha256 of the stored snapshot in the report and the manifest', async () => {
      h = await make();
      const run = sampleRun();

      const { runId } = await h.store.putRun(run);
      const { report, manifest } = await h.store.getRun('prod-eu-1', runId);

      const expected = sha(run.snapshot!);
      expect(report.inputs.snapshot.sha256).toEqual(expected);
      expect(manifest.snapshotSha256).toEqual(expected);
      expect(manifest.objects.find((o) => o.name === 'snapshot.json.gz')!.sha256).toEqual(expected);
      expect(manifest.reportSha256).toEqual(sha(await h.store.getObject(`${(await h.store.getRun('prod-eu-1', runId)).prefix}report.json`)));
    });

    it('accepts a report that names the sha256 of the snapshot JSON inside the gzip file', async () => {
      h = await make();
      const run = sampleRun();
      run.report.inputs.snapshot.sha256 = sha(gunzipSync(run.snapshot!));

      const { runId } = await h.store.putRun(run);

      expect((await h.store.getRun('prod-eu-1', runId)).report.inputs.snapshot.sha256).toEqual(sha(gunzipSync(run.snapshot!)));
    });

    it('refuses a snapshot other than the one the report names', async () => {
      h = await make();
      const run = sampleRun();
      run.report.inputs.snapshot.sha256 = 'f'.repeat(64);

      await expect(h.store.putRun(run)).rejects.toThrow(/names snapshot sha256 f{64}, but the snapshot given hashes to/);
    });

    it('treats storing the identical run again as a no-op', async () => {
      h = await make();
      const run = sampleRun();
      const first = await h.store.putRun(run);

      const second = await h.store.putRun(run);

      expect(second.runId).toEqual(first.runId);
      expect((await h.store.verifyRun('prod-eu-1', first.runId)).ok).toBe(true);
    });

    it('never overwrites an object of an existing run', async () => {
      h = await make();
      const run = sampleRun();
      const { runId } = await h.store.putRun(run);
      const changed = { ...run, artifacts: { ...run.artifacts, 'report.md': { body: '# forged', contentType: 'text/markdown' } } };

      const err = await h.store.putRun(changed).catch((e: unknown) => e);

      const { prefix } = await h.store.getRun('prod-eu-1', runId);
      expect(err).toBeInstanceOf(RunStoreError);
      expect((err as RunStoreError).missing).toEqual(['report.md']);
      expect((err as Error).message).toMatch(/the run is already stored, and report\.md differs from it \(not overwritten\); latest\.json is unchanged/);
      expect((await h.store.getObject(`${prefix}report.md`)).toString()).toEqual(run.artifacts['report.md']!.body);
    });

    it('leaves latest.json untouched and names the missing objects when a write fails mid-run', async () => {
      h = await make();
      const first = await h.store.putRun(sampleRun(sampleReport('2026-06-01T12:00:00.000Z')));
      const second = sampleRun(sampleReport('2026-06-02T12:00:00.000Z'));
      const { prefix } = serializeRun(second);
      await h.breakKey(`${prefix}report.html`);

      const err = await h.store.putRun(second).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(RunStoreError);
      expect((err as RunStoreError).missing).toEqual(['report.html', 'manifest.json']);
      expect((err as Error).message).toContain('(missing: report.html, manifest.json)');
      expect((await h.store.getRun('prod-eu-1', 'latest')).runId).toEqual(first.runId);
      expect((await h.store.listRuns('prod-eu-1')).map((r) => r.runId)).toEqual([first.runId]);
    });

    it('moves latest.json forward only: an older run stored later does not replace it', async () => {
      h = await make();
      const newer = await h.store.putRun(sampleRun(sampleReport('2026-06-03T00:00:00.000Z')));

      const older = await h.store.putRun(sampleRun(sampleReport('2026-06-02T00:00:00.000Z')));

      expect(older.keys['latest.json']).toBeUndefined();
      expect((await h.store.getRun('prod-eu-1', 'latest')).runId).toEqual(newer.runId);
    });

    it('reports which standard files were not supplied', async () => {
      h = await make();

      const result = await h.store.putRun({ report: sampleReport(), artifacts: {} });

      expect(result.missing).toEqual(['report.md', 'report.html', 'findings.csv', 'snapshot.json.gz']);
    });

    it.each([
      ['a cluster name with a slash', { cluster: '../etc' }, {}, /failed to use cluster name '\.\.\/etc'/],
      ['an artifact path', {}, { '../x.md': { body: 'x', contentType: 'text/plain' } }, /artifact name '\.\.\/x\.md' is not a plain file name/],
      ['a reserved name', {}, { 'manifest.json': { body: '{}', contentType: 'application/json' } }, /'manifest\.json' is written by the store itself/],
      [
        'a report.json of another report',
        {},
        { 'report.json': { body: '{"schemaVersion":1}', contentType: 'application/json' } },
        /the report\.json artifact is not the report being stored/,
      ],
    ])('rejects %s', async (_case, reportParts: Partial<Report>, artifacts, message) => {
      h = await make();

      await expect(h.store.putRun({ report: sampleReport(undefined, reportParts), artifacts })).rejects.toThrow(message);
    });
  });

  it('accepts a report.json artifact of the same report and writes its own serialization', async () => {
    h = await make();
    const run = sampleRun();
    run.artifacts['report.json'] = { body: JSON.stringify(run.report), contentType: 'application/json' };

    const { keys } = await h.store.putRun(run);

    expect(JSON.parse((await h.store.getObject(keys['report.json']!)).toString()).inputs.snapshot.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  describe('listRuns()', () => {
    it('lists runs newest first, with their summary, up to a limit', async () => {
      h = await make();
      const ids: string[] = [];
      for (const day of ['01', '03', '02']) ids.push((await h.store.putRun(sampleRun(sampleReport(`2026-06-${day}T08:00:00.000Z`)))).runId);

      const all = await h.store.listRuns('prod-eu-1');
      const two = await h.store.listRuns('prod-eu-1', { limit: 2 });

      expect(all.map((r) => r.runId)).toEqual([ids[1], ids[2], ids[0]]);
      expect(two.map((r) => r.runId)).toEqual([ids[1], ids[2]]);
      expect(all[0]).toMatchObject({ cluster: 'prod-eu-1', complete: true, findings: 1, bySeverity: { critical: 1, warning: 0, info: 0 } });
      expect(await h.store.listClusters()).toEqual(['prod-eu-1']);
    });
  });

  describe('verifyRun()', () => {
    it('finds every object intact after a run is stored', async () => {
      h = await make();
      const { runId } = await h.store.putRun(sampleRun());

      const result = await h.store.verifyRun('prod-eu-1', runId);

      expect(result.ok).toBe(true);
      expect(result.objects.map((o) => [o.name, o.status])).toEqual(
        ['manifest.json', 'report.json', 'report.md', 'report.html', 'findings.csv', 'snapshot.json.gz'].map((n) => [n, 'ok']),
      );
    });

    it.each([
      ['a tampered object', 'report.md', 'mismatch'],
      ['a tampered snapshot', 'snapshot.json.gz', 'mismatch'],
      ['a deleted object', 'findings.csv', 'missing'],
    ])('catches %s', async (_case, name, status) => {
      h = await make();
      const { runId } = await h.store.putRun(sampleRun());
      const { prefix } = await h.store.getRun('prod-eu-1', runId);
      if (status === 'missing') await h.remove(prefix + name);
      else await h.tamper(prefix + name, '# all good, nothing to see');

      const result = await h.store.verifyRun('prod-eu-1', runId);

      expect(result.ok).toBe(false);
      expect(result.objects.filter((o) => o.status !== 'ok').map((o) => [o.name, o.status])).toEqual([[name, status]]);
    });

    it('catches a rewritten manifest through the index', async () => {
      h = await make();
      const { runId } = await h.store.putRun(sampleRun());
      const { prefix, manifest } = await h.store.getRun('prod-eu-1', runId);
      const forged: RunManifest = { ...manifest, objects: manifest.objects.filter((o) => o.name !== 'snapshot.json.gz') };
      await h.tamper(`${prefix}manifest.json`, JSON.stringify(forged));

      const result = await h.store.verifyRun('prod-eu-1', runId);

      expect(result.objects[0]).toMatchObject({ name: 'manifest.json', status: 'mismatch' });
    });

    it.each([
      ['garbage', () => 'garbage\n', 'not a valid manifest: invalid JSON'],
      ['an empty object', () => '{}', 'not a valid manifest: no objects or reportSha256'],
      [
        'an object key outside the run',
        (m: RunManifest) => JSON.stringify({ ...m, objects: m.objects.map((o, i) => (i === 1 ? { ...o, key: '../../etc/passwd' } : o)) }),
        'not a valid manifest: objects[1] is not a file of this run with a sha256',
      ],
    ])('reports a manifest replaced by %s as a mismatch, not an error', async (_case, forge, detail) => {
      h = await make();
      const { runId } = await h.store.putRun(sampleRun());
      const { prefix, manifest } = await h.store.getRun('prod-eu-1', runId);
      await h.tamper(`${prefix}manifest.json`, forge(manifest));

      const result = await h.store.verifyRun('prod-eu-1', runId);

      expect(result.ok).toBe(false);
      expect(result.objects).toEqual([expect.objectContaining({ name: 'manifest.json', status: 'mismatch', detail: expect.stringContaining(detail) })]);
    });

    it('reports a deleted manifest of an indexed run as missing', async () => {
      h = await make();
      const { runId } = await h.store.putRun(sampleRun());
      const { prefix } = await h.store.getRun('prod-eu-1', runId);
      await h.remove(`${prefix}manifest.json`);

      const result = await h.store.verifyRun('prod-eu-1', runId);

      expect([result.ok, result.objects.map((o) => [o.name, o.status])]).toEqual([false, [['manifest.json', 'missing']]]);
    });

    it('says a run that does not exist is not in the store, in one line', async () => {
      h = await make();
      await h.store.putRun(sampleRun());

      await expect(h.store.getRun('prod-eu-1', '20260101T000000Z-00000000')).rejects.toThrow(
        /^failed to get run 20260101T000000Z-00000000 of cluster prod-eu-1: no such run in .*prod-eu-1\/? \(see reports list\)$/,
      );
    });

    it('fails with a StoreError for a run that does not exist', async () => {
      h = await make();

      await expect(h.store.verifyRun('prod-eu-1', '20260101T000000Z-00000000')).rejects.toThrow(StoreError);
    });
  });
});
