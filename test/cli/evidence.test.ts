import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvidenceFromStore } from '../../functions/adapters/evidence-pack.js';
import { LocalStore } from '../../functions/adapters/store/index.js';
import { main, type CliIO } from '../../functions/cli/main.js';
import { audit } from '../../functions/core/audit.js';
import type { K8sDaemonSet } from '../../functions/core/k8s-types.js';
import type { Policy } from '../../functions/core/types.js';
import { daemonSet, defaultPolicy, desiredOf, node, pod, snapshotOf } from '../support/builders.js';

// A month of daily runs (06:00 UTC) of one cluster, made with the real audit and stored in a real store:
//   - day 0 is 31 October (it carries its state into the period), days 1-30 are November;
//   - three Linux workers all month; a GPU pool of two nodes joins on day 15; fluentd does not tolerate
//     the GPU taint until day 20, so the GPU nodes are required but uncovered for days 15-19;
//   - day 5: fluentd's pod on w3 is gone (coverage/missing for one run);
//   - day 10: the pod list failed, so the run is stored INCOMPLETE;
//   - day 25: the run failed and stored nothing;
//   - a waiver for fluentd's missing resource limits expires on 18 November.
const FROM = '2026-11-01T00:00:00Z';
const TO = '2026-12-01T00:00:00Z';
const REQUIREMENT = 'logs from every Linux node';
const WORKERS = ['w1', 'w2', 'w3'];
const GPUS = ['g1', 'g2'];
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

const runAt = (day: number) => new Date(Date.UTC(2026, 9, 31 + day, 6));
const nodesOn = (day: number) => (day >= 15 ? [...WORKERS, ...GPUS] : WORKERS);
const coveredOn = (day: number) => [...WORKERS.filter((n) => !(day === 5 && n === 'w3')), ...(day >= 20 ? GPUS : [])];
const incomplete = (day: number) => day === 10;
const skipped = (day: number) => day === 25;

function fluentd(day: number): K8sDaemonSet {
  return daemonSet('monitoring/fluentd', day >= 20 ? { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] } : {});
}

function policyFor(): Policy {
  const p = defaultPolicy();
  return {
    ...p,
    rules: p.rules.map((r) => (r.id === 'practice/no-resource-limits' ? { ...r, enabled: true } : r)),
    requiredCoverage: [{ name: REQUIREMENT, nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } }, daemonSets: ['monitoring/fluentd'] }],
    waivers: [
      {
        rule: 'practice/no-resource-limits',
        daemonSet: 'monitoring/fluentd',
        reason: 'the vendor chart sets none',
        owner: 'team-logging',
        expires: '2026-11-18',
      },
    ],
  };
}

let dir: string;
let store: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'evidence-'));
  store = join(dir, 'store');
  const s = new LocalStore(store);
  for (let day = 0; day <= 30; day++) {
    if (skipped(day)) continue;
    const ds = fluentd(day);
    const nodes = [
      ...WORKERS.map((n) => node(n)),
      ...(day >= 15 ? GPUS.map((n) => node(n, { taints: ['nvidia.com/gpu=present:NoSchedule'], nodeGroup: 'gpu' })) : []),
    ];
    const pods = coveredOn(day).map((n) => pod(ds, n));
    const snapshot = snapshotOf({
      cluster: 'prod',
      nodes,
      daemonSets: [ds],
      pods,
      gaps: incomplete(day) ? [{ source: 'kubernetes:list pods', message: 'timeout' }] : [],
    });
    const report = audit(snapshot, desiredOf([ds]), policyFor(), runAt(day), { auditorVersion: 'test', hash: sha256 });
    await s.putRun({ report, artifacts: {} });
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The hand count: hour by hour, which run holds (its own time, until the next run, at most 25 h), from the scenario table, not from the reports. */
function handCount(): { required: number; covered: number; gapHours: number } {
  const days = Array.from({ length: 31 }, (_, d) => d).filter((d) => !skipped(d));
  let required = 0,
    covered = 0,
    gapHours = 0;
  for (let t = Date.parse(FROM); t < Date.parse(TO); t += 3_600_000) {
    const day = [...days].reverse().find((d) => runAt(d).getTime() <= t)!;
    const held = t - runAt(day).getTime() < 25 * 3_600_000 && !incomplete(day);
    if (held) {
      required += nodesOn(day).length;
      covered += coveredOn(day).length;
    } else {
      // A gap: the last usable run's nodes stay required, none count as covered.
      const lastUsable = [...days].reverse().find((d) => runAt(d).getTime() <= t && !incomplete(d))!;
      required += nodesOn(lastUsable).length;
      gapHours++;
    }
  }
  return { required, covered, gapHours };
}

function io(): CliIO & { out: string; err: string } {
  const r = { out: '', err: '', env: {}, isTTY: false, stdout: (s: string) => void (r.out += s), stderr: (s: string) => void (r.err += s) };
  return r;
}

describe('buildEvidenceFromStore()', () => {
  it('gives the coverage percentage a hand count of the same month gives', async () => {
    const pack = await buildEvidenceFromStore(new LocalStore(store), { cluster: 'prod', from: new Date(FROM), to: new Date(TO), generatedAt: TO });

    const hand = handCount();
    expect(pack.coverage).toHaveLength(1);
    const row = pack.coverage[0]!;
    expect([row.requirement, row.daemonSet, row.nodesSeen]).toEqual([REQUIREMENT, 'monitoring/fluentd', 5]);
    expect(row.requiredNodeHours).toBeCloseTo(hand.required, 9);
    expect(row.coveredNodeHours).toBeCloseTo(hand.covered, 9);
    expect(row.percent!).toBeCloseTo((hand.covered / hand.required) * 100, 9);
    expect(pack.summary.evidenceGapHours).toBeCloseTo(hand.gapHours, 9);
  });

  it('lists every run in the period with its status, hashes and verify result, and the gaps', async () => {
    const pack = await buildEvidenceFromStore(new LocalStore(store), { cluster: 'prod', from: new Date(FROM), to: new Date(TO), generatedAt: TO });

    expect(pack.runs).toHaveLength(29);
    expect(pack.runs.filter((r) => r.status !== 'ok').map((r) => [r.generatedAt, r.status])).toEqual([['2026-11-10T06:00:00.000Z', 'incomplete']]);
    expect(pack.runs.every((r) => r.verified && /^[0-9a-f]{64}$/.test(r.manifestSha256!) && /^[0-9a-f]{64}$/.test(r.reportSha256!))).toBe(true);
    expect(pack.gaps.map((g) => [g.from, g.to, g.reason])).toEqual([
      ['2026-11-10T06:00:00.000Z', '2026-11-11T06:00:00.000Z', 'run incomplete'],
      ['2026-11-25T07:00:00.000Z', '2026-11-26T06:00:00.000Z', 'no run within 25 h'],
    ]);
  });

  it('says when each finding opened and closed, and how long it stayed open', async () => {
    const pack = await buildEvidenceFromStore(new LocalStore(store), { cluster: 'prod', from: new Date(FROM), to: new Date(TO), generatedAt: TO });

    const spans = pack.findings.filter((f) => f.rule.startsWith('coverage/')).map((f) => [f.rule, f.node, f.openedAt, f.closedAt, f.openHours]);
    expect(spans).toEqual([
      ['coverage/missing', 'w3', '2026-11-05T06:00:00.000Z', '2026-11-06T06:00:00.000Z', 24],
      ['coverage/required-missing', 'g1', '2026-11-15T06:00:00.000Z', '2026-11-20T06:00:00.000Z', 120],
      ['coverage/required-missing', 'g2', '2026-11-15T06:00:00.000Z', '2026-11-20T06:00:00.000Z', 120],
    ]);
  });

  it('keeps the exception register: owner, reason, expiry, the runs it applied in and the runs after it expired', async () => {
    const pack = await buildEvidenceFromStore(new LocalStore(store), { cluster: 'prod', from: new Date(FROM), to: new Date(TO), generatedAt: TO });

    expect(pack.exceptions.map((e) => ({ ...e, appliedInRuns: e.appliedInRuns.length, expiredInRuns: e.expiredInRuns.length }))).toEqual([
      {
        owner: 'team-logging',
        reason: 'the vendor chart sets none',
        expires: '2026-11-18',
        expired: true,
        rules: ['practice/no-resource-limits'],
        daemonSets: ['monitoring/fluentd'],
        appliedInRuns: 17,
        expiredInRuns: 12,
      },
    ]);
  });

  it('counts a run whose stored objects were tampered with as a gap, never as coverage', async () => {
    const copy = join(dir, 'tampered');
    await new LocalStore(copy).putRun({
      report: audit(
        snapshotOf({ cluster: 'prod', nodes: [node('w1')], daemonSets: [fluentd(1)], pods: [pod(fluentd(1), 'w1')] }),
        desiredOf([fluentd(1)]),
        policyFor(),
        runAt(1),
        { hash: sha256 },
      ),
      artifacts: { 'report.md': { body: 'ok', contentType: 'text/markdown' } },
    });
    const s = new LocalStore(copy);
    const [run] = await s.listRuns('prod');
    await writeFile(join(copy, run!.prefix, 'report.md'), 'tampered');

    const pack = await buildEvidenceFromStore(s, {
      cluster: 'prod',
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-11-02T00:00:00Z'),
      generatedAt: TO,
    });

    expect(pack.runs.map((r) => [r.status, r.verified, r.problems])).toEqual([
      ['verify-failed', false, ['report.md mismatch: content differs from the manifest']],
    ]);
    expect([pack.coverage[0]?.coveredNodeHours ?? 0, pack.summary.evidenceGapHours]).toEqual([0, 24]);
  });
});

describe('drift-auditor reports evidence', () => {
  it('writes the pack as JSON, CSV, a self-contained HTML page and a PDF, and exits 1 because the month has gaps', async () => {
    const out = join(dir, 'pack');
    const cli = io();

    const code = await main(['reports', 'evidence', '--store', store, '--cluster', 'prod', '--period', '2026-11', '--out', out, '--now', TO], cli);

    expect([code, cli.err.split('\n')[0]]).toEqual([
      1,
      `evidence for cluster prod, 2026-11-01T00:00:00.000Z to 2026-12-01T00:00:00.000Z: 29 runs (28 usable), 47.0 h in gaps`,
    ]);
    const json = JSON.parse(await readFile(join(out, 'evidence.json'), 'utf8'));
    const html = await readFile(join(out, 'evidence.html'), 'utf8');
    const pdf = await readFile(join(out, 'evidence.pdf'));
    const csv = await readFile(join(out, 'coverage.csv'), 'utf8');
    expect(json.coverage[0].percent).toBeCloseTo((handCount().covered / handCount().required) * 100, 9);
    expect(html).toContain(`${json.coverage[0].percent.toFixed(3)} %`);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(pdf.subarray(0, 5).toString()).toEqual('%PDF-');
    expect(csv.split('\r\n')[0]).toEqual('requirement,daemonSet,requiredNodeHours,coveredNodeHours,percent,gapNodeHours,nodesSeen');
  }, 60_000);

  it.each([
    [['--from', '2026-11-01', '--out', 'x'], '--from and --to (or --period) are required'],
    [['--period', '2026-Q5', '--out', 'x'], "failed to read --period '2026-Q5'"],
    [['--from', '2026-12-01', '--to', '2026-11-01', '--out', 'x'], 'must be after --from'],
    [['--from', '2026-11-31', '--to', '2026-12-01', '--out', 'x'], "failed to read --from '2026-11-31'"],
    [['--period', '2026-Q3', '--out', '-'], "--out names the folder for the pack's files, not stdout"],
  ])('exits 2 with one line for %j', async (args, message) => {
    const cli = io();

    const code = await main(['reports', 'evidence', '--store', store, ...args], cli);

    expect(code).toEqual(2);
    expect(cli.err).toContain(message);
  });
});
