import { describe, expect, it } from 'vitest';
import { htmlData, renderHtml } from '../../../functions/core/render/html.js';
import { coverageOf, finding, HOSTILE, largeReport, reportNode, reportOf } from '../../support/report-builder.js';

/** Returns the text of the JSON data block. */
function dataBlock(html: string): string {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no data block');
  return m[1]!;
}

const hostileReport = (): ReturnType<typeof reportOf> =>
  reportOf({
    cluster: HOSTILE.img,
    nodes: Object.values(HOSTILE).map((n) => reportNode(n, { zone: HOSTILE.script })),
    coverage: [coverageOf(`kube-system/${HOSTILE.scriptClose}`, Object.fromEntries(Object.values(HOSTILE).map((n) => [n, 'missing' as const])))],
    findings: Object.values(HOSTILE).map((n) => finding(`kube-system/${HOSTILE.scriptClose}`, n, { message: `${n}\u2028${n}`, rule: HOSTILE.img })),
    gaps: [{ source: HOSTILE.script, message: HOSTILE.scriptClose }],
  });

describe('renderHtml()', () => {
  it('is one self-contained page: no external scripts, styles, images or links', () => {
    const html = renderHtml(largeReport({ nodes: 50 }));

    expect(html).not.toMatch(/<(link|img|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).toContain("default-src 'none'");
  });

  it('embeds data that parses back and cannot close its script element', () => {
    const report = hostileReport();

    const html = renderHtml(report);
    const block = dataBlock(html);

    expect(block).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(block)).toEqual(htmlData(report));
    expect(html.match(/<script\b/g)).toHaveLength(2);
  });

  it('escapes cluster strings in the markup it renders itself', () => {
    const html = renderHtml(hostileReport());
    const markup = html.slice(0, html.indexOf('<script type="application/json"'));

    expect(markup).not.toMatch(/<script|<img|<\/script/i);
    expect(markup).toContain('&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;');
  });

  it('encodes one state per node x DaemonSet, row-major by node', () => {
    const report = reportOf({
      nodes: [reportNode('n1'), reportNode('n2')],
      coverage: [coverageOf('a/x', { n1: 'running', n2: 'missing' }), coverageOf('a/y', { n1: 'kept', n2: 'not-eligible' })],
    });

    const data = htmlData(report);

    expect(data.cells.split('').map((c) => data.states[Number(c)])).toEqual(['running', 'kept', 'missing', 'not-eligible']);
    expect(data.groupBy).toEqual('none');
  });

  it.each([
    [false, 'INCOMPLETE audit', 'status-incomplete'],
    [true, 'Drift found: 1 finding', 'status-drift'],
  ])('shows the status (complete %s)', (complete, text, cls) => {
    const report = reportOf({ complete, findings: [finding('a/x', 'n1')], gaps: complete ? [] : [{ source: 'kubernetes:list nodes', message: 'timeout' }] });

    const html = renderHtml(report);

    expect(html).toContain(text);
    expect(html).toContain(cls);
    if (!complete) expect(html).not.toMatch(/no drift/i);
  });

  it('draws the trend chart only when history is given, one bar per run including this one', () => {
    const report = reportOf({ findings: [finding('a/x', 'n1')] });
    const history = [
      { generatedAt: '2026-05-30T12:00:00.000Z', bySeverity: { critical: 2, warning: 1, info: 0 } },
      { generatedAt: '2026-05-31T12:00:00.000Z', bySeverity: { critical: 0, warning: 0, info: 3 } },
    ];

    const without = renderHtml(report);
    const withHistory = renderHtml(report, { history });

    expect(without).not.toContain('trend-chart');
    expect(withHistory.match(/<g class="bar">/g)).toHaveLength(3);
    expect(withHistory).toContain('<title>2026-05-30T12:00:00.000Z: critical 2 · warning 1 · info 0</title>');
  });

  it('gives each finding its expected and actual values as change lines, not appended to the message', () => {
    const report = reportOf({
      findings: [
        finding('kube-system/nvidia', null, {
          rule: 'image/drift',
          container: 'ctr',
          expected: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0',
          actual: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
        }),
        finding('kube-system/nvidia', 'n1', { expected: 'a daemon pod', actual: 'no pod' }),
      ],
    });

    const data = htmlData(report);
    const rows = data.findings.map((f) => [f[5], data.changes[f[6]]]);

    expect(rows).toEqual([
      ['kube-system/nvidia has no pod on node n1', [[['expected ', 'a daemon pod', ' → actual ', 'no pod']], 0, [], []]],
      [
        'kube-system/nvidia: image/drift (container ctr)',
        [
          [['expected ', '…:v0.20.0', ' → actual ', '…:v0.17.1']],
          0,
          ['', 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0'],
          ['', 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1'],
        ],
      ],
    ]);
  });

  it('stores one expected-versus-actual cell for findings with equal values', () => {
    const report = reportOf({
      findings: [
        finding('a/x', 'n1', { expected: 'a daemon pod', actual: 'no pod' }),
        finding('a/x', 'n2', { expected: 'a daemon pod', actual: 'no pod' }),
        finding('a/x', 'n3', { rule: 'coverage/unready', expected: 'Ready', actual: 'CrashLoopBackOff' }),
        finding('a/x', 'n4', { rule: 'coverage/kept' }),
      ],
    });

    const data = htmlData(report);

    expect(data.findings.map((f) => [f[4], f[6]])).toEqual([
      ['n4', -1],
      ['n1', 0],
      ['n2', 0],
      ['n3', 1],
    ]);
    expect(data.changes.map((c) => c[0].map((l) => l.join('')))).toEqual([
      ['expected a daemon pod → actual no pod'],
      ['expected Ready → actual CrashLoopBackOff'],
    ]);
  });

  it("shows a toleration's key field as it is in the page data, and still redacts a value that holds a credential", () => {
    const report = reportOf({
      findings: [
        finding('a/x', null, {
          rule: 'spec/drift',
          expected: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
          actual: [{ key: 'Bearer abcdefghijklmnop0123' }],
        }),
      ],
    });

    const data = JSON.parse(dataBlock(renderHtml(report))) as { findings: [number, string, string, string, string, string, number][]; changes: [string[][]][] };
    const lines = data.changes[data.findings[0]![6]]![0].map((l) => l.join(''));

    expect(lines[0]).toEqual('− {key: nvidia.com/gpu, operator: Exists}');
    expect(lines[1]).toMatch(/^\+ \{key: Bearer sha256:[0-9a-f]+\}$/);
  });

  it('escapes cluster strings in the expected-versus-actual cells of waived findings', () => {
    const waiver = { reason: 'r', owner: 'o', expires: '2027-01-01' };
    const report = reportOf({
      waived: [
        finding('a/x', null, { rule: 'spec/drift', expected: { [HOSTILE.img]: HOSTILE.script }, actual: { [HOSTILE.img]: HOSTILE.scriptClose }, waiver }),
      ],
    });

    const html = renderHtml(report);
    const waived = html.slice(html.indexOf('<section id="waived">'), html.indexOf('<footer>'));

    expect(waived).not.toMatch(/<script|<img|<\/script/i);
    expect(waived).toContain(
      '<div>&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;: &lt;script&gt;window.__pwned=1&lt;/script&gt; → &lt;/script&gt;&lt;script&gt;window.__pwned=3&lt;/script&gt;</div>',
    );
    expect(waived).toContain('<details><summary>full values</summary><pre>expected:\n  &lt;img');
  });

  it("shows each container's Git image beside what the pods run, marking the ones that differ, escaped", () => {
    const images = [
      {
        container: 'ctr',
        git: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0',
        live: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
        running: [{ image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1', digest: `sha256:${'8'.repeat(64)}`, pods: 2 }],
      },
      { container: HOSTILE.script, git: HOSTILE.img, live: HOSTILE.img, running: [{ image: HOSTILE.img, digest: null, pods: 1 }] },
    ];
    const html = renderHtml(reportOf({ coverage: [coverageOf('kube-system/nvidia', { n1: 'running' }, { images })] }));

    const cell = /<td class="imgs">([\s\S]*?)<\/td>/.exec(html)![1]!;

    expect(html).toContain('<th rowspan="2">Images: Git, and what the pods run</th>');
    expect(
      cell
        .replace(/<[^>]+>/g, '|')
        .split('|')
        .map((t) => t.trim())
        .filter(Boolean),
    ).toEqual([
      'ctr',
      'Git',
      'k8s-device-plugin:v0.20.0',
      'live template',
      'k8s-device-plugin:v0.17.1',
      '✖',
      '2 pods',
      'k8s-device-plugin:v0.17.1',
      'sha256:888888888888…',
      '✖ differs from Git',
      '&lt;script&gt;window.__pwned=1&lt;/script&gt;',
      'Git',
      '&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;',
      '1 pod as Git ✓',
    ]);
    expect(cell).not.toMatch(/<script|<img/i);
  });

  it('stays under 5 MB for 5,000 nodes x 12 DaemonSets and thousands of findings', () => {
    const report = largeReport();

    const html = renderHtml(report);

    expect(report.findings.length).toBeGreaterThan(3000);
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
  });
});
