// Builders for Report values, so renderers and stores can be tested before (and independently of)
// audit(). `reportOf` fills every field a valid report needs; `largeReport` builds the benchmark
// cluster (5,000 nodes x 12 DaemonSets, thousands of findings) deterministically.
import type { DaemonSetCoverage, Finding, Gap, PodState, Report, Severity } from '../../functions/core/types.js';
import { SEVERITIES } from '../../functions/core/types.js';

/** Splits `namespace/name` at the first slash (names in hostile tests may hold more). */
function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

export type ReportNode = Report['nodes'][number];

/** Returns a report node (Ready, schedulable, amd64 unless told). */
export function reportNode(name: string, o: Partial<ReportNode> = {}): ReportNode {
  return { name, arch: 'amd64', ready: true, unschedulable: false, taints: [], ...o };
}

/** Returns a finding for DaemonSet `namespace/name` (default rule coverage/missing, critical). */
export function finding(dsKey: string, node: string | null, o: Partial<Finding> = {}): Finding {
  const [namespace, daemonSet] = splitKey(dsKey);
  const rule = o.rule ?? 'coverage/missing';
  return {
    rule,
    severity: 'critical',
    namespace,
    daemonSet,
    node,
    message: node ? `${dsKey} has no pod on node ${node}` : `${dsKey}: ${rule}`,
    ...o,
  };
}

/** Returns coverage for DaemonSet `namespace/name` from per-node states; counts are derived from the states. */
export function coverageOf(dsKey: string, states: Record<string, PodState>, o: Partial<DaemonSetCoverage> = {}): DaemonSetCoverage {
  const [namespace, name] = splitKey(dsKey);
  const values = Object.values(states);
  const count = (...s: PodState[]): number => values.filter((v) => s.includes(v)).length;
  const eligible = count('running', 'unready', 'missing');
  const covered = count('running', 'unready');
  return {
    namespace,
    name,
    inGit: true,
    inCluster: true,
    eligible,
    covered,
    upToDate: covered,
    ready: count('running'),
    misscheduled: count('misscheduled'),
    reported: { desired: eligible, current: covered, ready: count('running'), upToDate: covered, misscheduled: count('misscheduled') },
    nodes: Object.fromEntries(Object.entries(states).filter(([, s]) => s !== 'not-eligible')),
    ...o,
  };
}

export interface ReportParts extends Partial<Omit<Report, 'summary'>> {
  gaps?: Gap[];
}

/** Returns a valid report; `summary` and `complete` are derived from the parts unless given. */
export function reportOf(p: ReportParts = {}): Report {
  const findings = p.findings ?? [];
  const waived = p.waived ?? [];
  const gaps = p.gaps ?? [];
  const coverage = p.coverage ?? [];
  const nodes = p.nodes ?? [];
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, findings.filter((f) => f.severity === s).length])) as Record<Severity, number>;
  return {
    schemaVersion: 1,
    cluster: p.cluster ?? 'prod-eu-1',
    generatedAt: p.generatedAt ?? '2026-06-01T12:00:00.000Z',
    auditorVersion: p.auditorVersion ?? '0.1.0',
    inputs: p.inputs ?? {
      snapshot: { kind: 'live', sha256: 'a'.repeat(64), serverVersion: 'v1.33.2', auditorVersion: '0.1.0' },
      desired: { kind: 'github', location: 'acme/gitops', path: 'clusters/prod', ref: 'main', commit: '0123456789abcdef0123456789abcdef01234567' },
      policy: { file: 'policy.yaml', sha256: 'b'.repeat(64) },
    },
    complete: p.complete ?? gaps.length === 0,
    gaps,
    summary: { nodes: nodes.length, daemonSets: coverage.length, findings: findings.length, bySeverity, waived: waived.length },
    nodes,
    coverage,
    findings,
    waived,
  };
}

/** DaemonSets of the benchmark cluster (names as real add-ons ship them). */
export const BENCH_DAEMONSETS = [
  'kube-system/aws-node',
  'kube-system/kube-proxy',
  'kube-system/ebs-csi-node',
  'kube-system/node-problem-detector',
  'logging/fluentd',
  'falco/falco',
  'monitoring/node-exporter',
  'kube-system/nvidia-device-plugin-daemonset',
  'kube-system/calico-node',
  'kube-system/kured',
  'honeycomb/honeycomb-agent',
  'kube-system/kube-flannel-ds',
];

const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const GROUPS = ['general', 'memory', 'gpu', 'spot'];

/** Returns a deterministic report of `nodes` nodes x `daemonSets` DaemonSets with varied states and findings. */
export function largeReport(o: { nodes?: number; daemonSets?: number } = {}): Report {
  const nodeCount = o.nodes ?? 5000;
  const dsKeys = BENCH_DAEMONSETS.slice(0, o.daemonSets ?? 12);
  const nodes = Array.from({ length: nodeCount }, (_, i) => {
    const group = GROUPS[i % GROUPS.length]!;
    return reportNode(`ip-10-${(i >> 8) & 255}-${i & 255}-${i % 7}.eu-west-1.compute.internal`, {
      zone: ZONES[i % ZONES.length],
      nodeGroup: group,
      arch: group === 'memory' ? 'arm64' : 'amd64',
      ready: i % 97 !== 0,
      unschedulable: i % 211 === 0,
      taints: group === 'gpu' ? ['nvidia.com/gpu=present:NoSchedule'] : [],
    });
  }).sort((a, b) => (a.name < b.name ? -1 : 1));
  const findings: Finding[] = [];
  const coverage = dsKeys.map((key, d) => {
    const states: Record<string, PodState> = {};
    nodes.forEach((n, i) => {
      const gpuOnly = key.includes('nvidia');
      const h = (i * 31 + d * 17) % 1000;
      let state: PodState = 'running';
      if (gpuOnly && n.nodeGroup !== 'gpu') state = 'not-eligible';
      else if (h < 12) state = 'missing';
      else if (h < 20) state = 'unready';
      else if (h < 22) state = 'misscheduled';
      else if (h < 23) state = 'kept';
      states[n.name] = state;
      if (state === 'missing') findings.push(finding(key, n.name));
      else if (state === 'unready')
        findings.push(
          finding(key, n.name, {
            rule: 'coverage/unready',
            severity: 'warning',
            message: `pod of ${key} on ${n.name} is not Ready since 2026-06-01T10:00:00Z (CrashLoopBackOff)`,
          }),
        );
      else if (state === 'misscheduled')
        findings.push(
          finding(key, n.name, { rule: 'coverage/misscheduled', severity: 'warning', message: `pod of ${key} runs on ${n.name}, where it should not run` }),
        );
      else if (h >= 940)
        findings.push(
          finding(key, n.name, {
            rule: 'image/outdated-pod',
            severity: 'info',
            container: key.split('/')[1],
            message: `pod of ${key} on ${n.name} runs an old revision`,
            expected: 'rev 7',
            actual: 'rev 6',
          }),
        );
    });
    // One container per DaemonSet; every tenth pod runs an older tag, every seventh pod of the rest another digest.
    const pods = Object.values(states).filter((s) => s !== 'missing' && s !== 'not-eligible').length;
    const name = key.split('/')[1]!;
    const image = (tag: string): string => `registry.example.com/${name}:${tag}`;
    const older = Math.floor(pods / 10),
      split = Math.floor((pods - older) / 7);
    const running = [
      { image: image('v2.1.0'), digest: `sha256:${'a'.repeat(64)}`, pods: pods - older - split },
      { image: image('v2.1.0'), digest: `sha256:${'b'.repeat(64)}`, pods: split },
      { image: image('v2.0.9'), digest: `sha256:${'c'.repeat(64)}`, pods: older },
    ].filter((r) => r.pods > 0);
    return coverageOf(key, states, { images: [{ container: name, git: image('v2.1.0'), live: image('v2.1.0'), running }] });
  });
  findings.push(
    finding(dsKeys[0]!, null, {
      rule: 'image/drift',
      severity: 'critical',
      container: 'aws-node',
      message: 'image differs from Git',
      expected: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.19.2',
      actual: '602401143452.dkr.ecr.eu-west-1.amazonaws.com/amazon-k8s-cni:v1.18.6',
      file: 'clusters/prod/aws-node.yaml',
      line: 1,
    }),
  );
  findings.sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  return reportOf({ cluster: 'bench-5000', nodes, coverage, findings });
}

/** Strings that try to inject markup, mentions or links through cluster data. */
export const HOSTILE = {
  script: '<script>window.__pwned=1</script>',
  img: '<img src=x onerror="window.__pwned=2">',
  mention: '@org/team',
  link: '[click](javascript:alert(1))',
  scriptClose: '</script><script>window.__pwned=3</script>',
};
