import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../functions/cli/main.js';
import type { AsffFinding } from '../../functions/core/render/asff.js';

const EXAMPLE = ['--snapshot', 'examples/cluster', '--manifests', 'examples/gitops', '--rules', 'examples/policy.yaml', '--cluster', 'example'];
const ENV = { DRIFT_AUDITOR_AWS_ACCOUNT_ID: '123456789012', AWS_REGION: 'eu-west-1' };
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function io(env: NodeJS.ProcessEnv = {}): CliIO & { out: string; err: string } {
  const r = { out: '', err: '', env, isTTY: false, stdout: (s: string) => void (r.out += s), stderr: (s: string) => void (r.err += s) };
  return r;
}

describe('drift-auditor audit --format asff|openmetrics', () => {
  it('prints the example as OpenMetrics ending in # EOF', async () => {
    const cli = io();

    const code = await main(['audit', ...EXAMPLE, '--now', '2026-11-20T10:00:00Z', '--format', 'openmetrics', '--fail-on', 'none'], cli);

    expect(code).toEqual(0);
    expect(cli.out.endsWith('# EOF\n')).toBe(true);
    expect(cli.out).toContain('drift_auditor_findings_critical{cluster="example"} 3');
    expect(cli.out).toContain('drift_auditor_daemonset_eligible_nodes{cluster="example",namespace="monitoring",daemonset="node-exporter"}');
  });

  it('prints ASFF findings, and with a store marks those gone since the last stored run RESOLVED', async () => {
    dir = await mkdtemp(join(tmpdir(), 'asff-'));
    const first = io(ENV);
    await main(['audit', ...EXAMPLE, '--now', '2026-11-20T10:00:00Z', '--format', 'asff', '--store', dir], first);
    // A day later the waiver for the five practice/no-resource-limits findings is still live; with a
    // policy that disables coverage/unready the unready finding goes away.
    const second = io(ENV);
    await main(
      [
        'audit',
        ...EXAMPLE,
        '--now',
        '2026-11-21T10:00:00Z',
        '--format',
        'asff',
        '--store',
        dir,
        '--rules',
        'test/fixtures/policy/example-without-unready.yaml',
      ],
      second,
    );

    const a = JSON.parse(first.out) as AsffFinding[];
    const b = JSON.parse(second.out) as AsffFinding[];
    expect(a.filter((f) => f.Workflow.Status === 'RESOLVED')).toEqual([]);
    const resolved = b.filter((f) => f.Workflow.Status === 'RESOLVED').map((f) => f.Id);
    expect(resolved).toHaveLength(1);
    expect(resolved).toEqual(a.filter((f) => f.GeneratorId === 'drift-auditor/coverage/unready').map((f) => f.Id));
    expect(new Set(b.map((f) => f.Id))).toEqual(new Set(a.map((f) => f.Id)));
  });

  it('exits 2 with one line when the AWS account is not set', async () => {
    const cli = io();

    const code = await main(['audit', ...EXAMPLE, '--format', 'asff'], cli);

    expect([code, cli.err]).toEqual([
      2,
      'drift-auditor: ASFF findings need the AWS account that imports them: set DRIFT_AUDITOR_AWS_ACCOUNT_ID to a 12-digit account id\n',
    ]);
  });
});
