import { describe, expect, it } from 'vitest';
import { MARKDOWN_BUDGET, renderMarkdown } from '../../../functions/core/render/markdown.js';
import { coverageOf, finding, HOSTILE, largeReport, reportNode, reportOf } from '../../support/report-builder.js';

const small = (): ReturnType<typeof reportOf> =>
  reportOf({
    nodes: [reportNode('n1'), reportNode('n2'), reportNode('n3')],
    coverage: [
      coverageOf(
        'kube-system/aws-node',
        { n1: 'running', n2: 'missing', n3: 'unready' },
        { reported: { desired: 3, current: 3, ready: 3, upToDate: 3, misscheduled: 0 } },
      ),
      coverageOf('logging/fluentd', { n1: 'running', n2: 'running', n3: 'running' }),
    ],
    findings: [
      finding('kube-system/aws-node', 'n3', { rule: 'coverage/unready', severity: 'warning' }),
      finding('logging/fluentd', null, { rule: 'image/drift', severity: 'info', message: 'image tag differs' }),
      finding('kube-system/aws-node', 'n2'),
    ],
  });

/** Table rows of the findings table, in order. */
function findingRows(md: string): string[] {
  const start = md.indexOf('## Findings');
  return md
    .slice(start)
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| Severity'));
}

/** Counts the unescaped `|` of a table row. */
function pipes(row: string): number {
  return row.replace(/\\\|/g, '').split('|').length - 1;
}

describe('renderMarkdown()', () => {
  it.each([
    ['without findings', []],
    ['with findings', [finding('kube-system/aws-node', 'n2')]],
  ])('says INCOMPLETE and never "no drift" for an incomplete report %s', (_name, findings) => {
    const report = reportOf({ findings, gaps: [{ source: 'kubernetes:list pods', message: 'forbidden' }] });

    const md = renderMarkdown(report);

    expect(md).toContain('INCOMPLETE');
    expect(md.slice(0, 400)).toContain('[!CAUTION]');
    expect(md).not.toMatch(/no drift/i);
    expect(md).toContain('kubernetes\\:list pods');
  });

  it('says no drift only for a complete report without findings', () => {
    const md = renderMarkdown(reportOf({ coverage: [coverageOf('kube-system/kube-proxy', { n1: 'running' })] }));

    expect(md).toContain('COMPLETE, no drift found');
    expect(md).not.toContain('INCOMPLETE');
  });

  it('names the counts by severity and the inputs', () => {
    const md = renderMarkdown(small());

    expect(md).toContain('3 findings (critical 1 · warning 1 · info 1)');
    expect(md).toContain(`| Snapshot sha256 | \`${'a'.repeat(64)}\` |`);
    expect(md).toContain('| Git commit | `0123456789abcdef0123456789abcdef01234567` |');
    expect(md).toContain('| Auditor version | `0.1.0` |');
    expect(md).toContain('| Cluster | `prod-eu-1` |');
  });

  it('puts a table per DaemonSet, bolding reported numbers that differ from the recomputed ones', () => {
    const md = renderMarkdown(small());

    expect(md).toContain('### kube\\-system/aws\\-node');
    expect(md).toContain('| Audit (recomputed) | 3 | 2 | 1 | 2 | 0 |');
    expect(md).toContain('| DaemonSet status | 3 | **3** | **3** | **3** | 0 |');
    expect(md).toContain('### logging/fluentd');
  });

  it('lists findings worst first', () => {
    const rows = findingRows(renderMarkdown(small()));

    expect(rows.map((r) => r.split(' | ')[0])).toEqual(['| 🔴 critical', '| 🟠 warning', '| 🔵 info']);
  });

  it.each([MARKDOWN_BUDGET, 20_000, 8_000])('stays within %i characters and says how many findings it left out', (maxChars) => {
    const report = largeReport({ nodes: 1000 });

    const md = renderMarkdown(report, { maxChars });

    const shown = findingRows(md).length;
    expect(md.length).toBeLessThanOrEqual(maxChars);
    expect(shown).toBeGreaterThan(0);
    expect(md).toContain(`… and ${report.findings.length - shown} more findings (see full report)`);
  });

  it('fits a GitHub issue body by default even for the 5,000-node cluster', () => {
    const md = renderMarkdown(largeReport());

    expect(md.length).toBeLessThan(65_536);
    expect(findingRows(md)[0]).toContain('critical');
  });

  it('links the full report when given an http(s) URL and ignores other schemes', () => {
    const url = 'https://bucket.s3.eu-west-1.amazonaws.com/clusters/x/report.html?X-Amz-Signature=abc(1)';

    const md = renderMarkdown(small(), { reportUrl: url });
    const bad = renderMarkdown(small(), { reportUrl: 'javascript:alert(1)' });

    expect(md).toContain('Full report: [report.html](<https://bucket.s3.eu-west-1.amazonaws.com/clusters/x/report.html?X-Amz-Signature=abc(1)>)');
    expect(bad).not.toContain('javascript');
  });

  it('renders only the given DaemonSet', () => {
    const md = renderMarkdown(small(), { daemonSet: 'logging/fluentd' });

    expect(md).toContain('DaemonSet logging/fluentd in cluster prod\\-eu\\-1');
    expect(md).toContain('### logging/fluentd');
    expect(md).not.toContain('aws\\-node');
    expect(findingRows(md)).toHaveLength(1);
  });

  it("shows each container's Git image, the live template and what the pods run, with the mismatches", () => {
    const digest = (d: string): string => `sha256:${d.repeat(64)}`;
    const images = [
      { container: 'init', init: true as const, git: 'busybox:1.36', live: 'busybox:1.36', running: [{ image: 'busybox:1.36', digest: null, pods: 3 }] },
      {
        container: 'fluentd',
        git: 'fluent/fluentd:v1',
        live: 'fluent/fluentd:v1',
        running: [
          { image: 'fluent/fluentd:v1', digest: digest('1'), pods: 2 },
          { image: 'fluent/fluentd:v1', digest: digest('2'), pods: 1 },
        ],
      },
      { container: 'plugin', git: 'plugin:v0.20.0', live: 'plugin:v0.17.1', running: [{ image: 'plugin:v0.17.1', digest: null, pods: 3 }] },
    ];

    const md = renderMarkdown(reportOf({ coverage: [coverageOf('logging/fluentd', { n1: 'running' }, { images })] }));

    expect(md.split('\n').filter((l) => l.startsWith('| ') && md.indexOf('| Container |') <= md.indexOf(l))).toEqual([
      '| Container | Git | Live template | Pods run |',
      '| init (init) | `busybox:1.36` | same as Git | 3 × as Git |',
      '| fluentd | `fluent/fluentd:v1` | same as Git | 2 × as Git `sha256:111111111111…` ❌ one tag, several digests · 1 × as Git `sha256:222222222222…` ❌ one tag, several digests |',
      '| plugin | `plugin:v0.20.0` | `plugin:v0.17.1` ❌ differs from Git | 3 × `plugin:v0.17.1` ❌ differs from Git |',
    ]);
  });

  it.each(Object.entries(HOSTILE))('keeps hostile cluster strings inert (%s)', (_name, s) => {
    const report = reportOf({
      cluster: s,
      nodes: [reportNode(s)],
      coverage: [
        coverageOf(`kube-system/${s}`, { [s]: 'missing' }, { images: [{ container: s, git: s, live: `${s}:2`, running: [{ image: s, digest: s, pods: 1 }] }] }),
      ],
      findings: [
        finding(`kube-system/${s}`, s, { message: `${s} | @org/team ](javascript:alert(1)) <script>x</script>`, rule: s, expected: s, actual: { [s]: [s] } }),
      ],
      gaps: [{ source: s, message: s }],
    });

    const md = renderMarkdown(report);

    expect(md).not.toMatch(/(?<!\\)</);
    expect(md).not.toMatch(/@(?!\u200d)/);
    expect(md).not.toMatch(/(?<!\\)\]\((?!<https?:)/);
    for (const row of findingRows(md)) expect(pipes(row)).toBe(7);
  });

  it("gives one 'what to do' line per rule with findings, with its title, remediation and rule file, and only the DaemonSet's rules in its issue", () => {
    const report = {
      ...reportOf({ findings: [finding('kube-system/aws-node', 'n1'), finding('logging/fluentd', null, { rule: 'image/drift', severity: 'warning' })] }),
      rules: [
        {
          id: 'coverage/missing',
          title: 'Daemon pod missing',
          severity: 'critical' as const,
          remediation: 'Read the events.',
          docs: 'rules/coverage/missing.yaml',
        },
        { id: 'image/drift', title: 'Image differs', severity: 'warning' as const, remediation: 'Sync from Git.', docs: 'rules/image/drift.yaml' },
      ],
    };

    const all = renderMarkdown(report)
      .split('\n')
      .filter((l) => l.startsWith('- ') && l.includes('rule file'));
    const one = renderMarkdown(report, { daemonSet: 'logging/fluentd' })
      .split('\n')
      .filter((l) => l.startsWith('- ') && l.includes('rule file'));

    expect(all).toEqual([
      '- 🔴 `coverage/missing` Daemon pod missing: Read the events\\. (rule file `rules/coverage/missing.yaml`)',
      '- 🟠 `image/drift` Image differs: Sync from Git\\. (rule file `rules/image/drift.yaml`)',
    ]);
    expect(one).toEqual([all[1]]);
  });
});
