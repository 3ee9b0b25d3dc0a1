import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { audit } from '../../../functions/core/audit.js';
import { CLOUDWATCH_NAMES, escapeLabelValue, renderOpenMetrics } from '../../../functions/core/render/openmetrics.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, snapshotOf } from '../../support/builders.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of OpenMetrics text (https://prometheus.io/docs/specs/om/open_metrics_spec/): every
 * family starts with # TYPE, has one # HELP, its samples follow it, names and label names are valid,
 * label values use only the \\ \" \n escapes, no family repeats, and the text ends with # EOF.
 */
function parseOpenMetrics(text: string): { types: Map<string, string>; samples: Sample[] } {
  if (!text.endsWith('# EOF\n')) throw new Error('does not end with # EOF');
  const lines = text
    .slice(0, -'# EOF\n'.length)
    .split('\n')
    .filter((l, i, a) => i < a.length - 1 || l !== '');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  let current = '';
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  for (const line of lines) {
    const meta = /^# (TYPE|HELP) (\S+) (.*)$/.exec(line);
    if (meta) {
      if (!NAME.test(meta[2]!)) throw new Error(`bad name ${meta[2]}`);
      if (meta[1] === 'TYPE') {
        if (types.has(meta[2]!)) throw new Error(`family ${meta[2]} repeats`);
        if (!['gauge', 'counter', 'stateset', 'info', 'histogram', 'gaugehistogram', 'summary', 'unknown'].includes(meta[3]!))
          throw new Error(`bad type ${meta[3]}`);
        types.set(meta[2]!, meta[3]!);
        current = meta[2]!;
      } else if (meta[2] !== current) throw new Error(`HELP for ${meta[2]} outside its family`);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample: ${line}`);
    if (m[1] !== current) throw new Error(`sample ${m[1]} outside its family ${current}`);
    const labels: Record<string, string> = {};
    let rest = m[2] ?? '';
    while (rest) {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
      if (!l) throw new Error(`bad labels in ${line}`);
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_x, c: string) => (c === 'n' ? '\n' : c));
      rest = rest.slice(l[0].length);
    }
    const value = Number(m[3]);
    if (Number.isNaN(value) && m[3] !== 'NaN') throw new Error(`bad value ${m[3]}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { types, samples };
}

function sampleReport() {
  // A namespace and cluster name with every character that needs escaping.
  const ds = daemonSet('monitoring/node-exporter', { image: 'prom/node-exporter:v1.8.0' });
  const snapshot = snapshotOf({
    cluster: 'prod "eu"\\1\nb',
    nodes: [node('n1'), node('n2'), node('n3')],
    daemonSets: [ds],
    pods: [pod(ds, 'n1'), pod(ds, 'n2', { ready: false })],
  });
  const policy = {
    ...defaultPolicy(),
    requiredCoverage: [
      { name: 'metrics everywhere', nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' } }, daemonSets: ['monitoring/node-exporter'] },
    ],
  };
  return audit(snapshot, desiredOf([ds]), policy, AT);
}

describe('renderOpenMetrics()', () => {
  it('writes valid OpenMetrics with per-DaemonSet counts, the required coverage ratio and findings by rule and severity', () => {
    const report = sampleReport();

    const { types, samples } = parseOpenMetrics(renderOpenMetrics(report));

    const get = (name: string) => samples.filter((s) => s.name === name).map((s) => [s.labels, s.value]);
    const ds = { cluster: 'prod "eu"\\1\nb', namespace: 'monitoring', daemonset: 'node-exporter' };
    expect([...types.values()].every((t) => t === 'gauge')).toBe(true);
    expect(get('drift_auditor_daemonset_eligible_nodes')).toEqual([[ds, 3]]);
    expect(get('drift_auditor_daemonset_covered_nodes')).toEqual([[ds, 2]]);
    expect(get('drift_auditor_daemonset_ready_nodes')).toEqual([[ds, 1]]);
    expect(get('drift_auditor_daemonset_up_to_date_nodes')).toEqual([[ds, 2]]);
    expect(get('drift_auditor_required_coverage_ratio')).toEqual([
      [{ cluster: ds.cluster, requirement: 'metrics everywhere', namespace: 'monitoring', daemonset: 'node-exporter' }, 1 / 3],
    ]);
    expect(get('drift_auditor_findings')).toEqual([
      [{ ...ds, rule: 'coverage/missing', severity: 'critical' }, 1],
      [{ ...ds, rule: 'coverage/unready', severity: 'warning' }, 1],
    ]);
    expect(get('drift_auditor_findings_critical')).toEqual([[{ cluster: ds.cluster }, report.summary.bySeverity.critical]]);
    expect(get('drift_auditor_nodes_audited')).toEqual([[{ cluster: ds.cluster }, 3]]);
  });

  it('escapes backslash, double quote and line feed in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toEqual('a\\\\b\\"c\\nd');
  });

  it('names the cluster totals after every report metric the audit Lambda publishes to CloudWatch', () => {
    const source = readFileSync(new URL('../../../functions/handlers/audit.ts', import.meta.url), 'utf8');
    const handler = source.slice(source.indexOf('function publishReportMetrics'), source.indexOf('\n}\n', source.indexOf('function publishReportMetrics')));
    const published = [...handler.matchAll(/addMetric\('(\w+)'/g)].map((m) => m[1]!);
    if (/addMetric\(`Findings\$\{/.test(handler)) published.push('FindingsCritical', 'FindingsWarning', 'FindingsInfo');

    expect(published.length).toBeGreaterThan(3);
    expect(published.filter((n) => !(n in CLOUDWATCH_NAMES))).toEqual([]);
  });
});
