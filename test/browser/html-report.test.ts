import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_STATES } from '../../functions/core/render/common.js';
import { renderHtml } from '../../functions/core/render/html.js';
import type { PodState, Report } from '../../functions/core/types.js';
import { coverageOf, finding, HOSTILE, largeReport, reportNode, reportOf } from '../support/report-builder.js';
import { launchChromium } from './chromium.js';
import { cellAt, rgb } from './matrix.js';

type Chromium = Awaited<ReturnType<typeof launchChromium>>;
let chromium: Chromium | undefined;
let launchError: unknown;
let dir: string;

// A launch failure is kept and rethrown by every test, so a missing browser fails them (not skips).
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'drift-auditor-html-'));
  chromium = await launchChromium().catch((err: unknown) => {
    launchError = err;
    return undefined;
  });
});
afterAll(async () => {
  await chromium?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const NODES = ['node-a1', 'node-a2', 'node-a3', 'node-b1', 'node-b2', HOSTILE.script];
const STATES: Record<string, Record<string, PodState>> = {
  'kube-system/aws-node': {
    'node-a1': 'running',
    'node-a2': 'missing',
    'node-a3': 'unready',
    'node-b1': 'misscheduled',
    'node-b2': 'kept',
    [HOSTILE.script]: 'missing',
  },
  'logging/fluentd': {
    'node-a1': 'running',
    'node-a2': 'running',
    'node-a3': 'not-eligible',
    'node-b1': 'running',
    'node-b2': 'missing',
    [HOSTILE.script]: 'running',
  },
};

function sample(): Report {
  return reportOf({
    nodes: NODES.map((n) => reportNode(n, { zone: n.startsWith('node-a') ? 'eu-west-1a' : 'eu-west-1b' })),
    coverage: Object.entries(STATES).map(([ds, states]) => coverageOf(ds, states)),
    findings: [
      finding('kube-system/aws-node', 'node-a2'),
      finding('kube-system/aws-node', HOSTILE.script, { message: HOSTILE.img }),
      finding('kube-system/aws-node', 'node-a3', { rule: 'coverage/unready', severity: 'warning' }),
      finding('kube-system/aws-node', 'node-b1', { rule: 'coverage/misscheduled', severity: 'warning' }),
      finding('logging/fluentd', 'node-b2'),
      finding('logging/fluentd', null, { rule: 'image/drift', severity: 'info', message: HOSTILE.scriptClose }),
    ],
  });
}

/** Writes the report's HTML to a file and opens it from file://; collects every request the page makes. */
async function open(report: Report): Promise<{ page: Page; requests: string[] }> {
  const file = join(dir, `report-${Math.random().toString(16).slice(2)}.html`);
  await writeFile(file, renderHtml(report));
  if (!chromium) throw launchError;
  const page = await chromium.context.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (window as unknown as { __matrixDrawn?: boolean }).__matrixDrawn === true);
  return { page, requests };
}

async function rows(page: Page): Promise<string[][]> {
  return page.$$eval('#findings tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

describe('renderHtml() in Chromium', () => {
  it('paints every node x DaemonSet cell in its state colour, grouped by zone', async () => {
    const { page } = await open(sample());

    const painted: [string, string, string, number[]][] = [];
    for (const [ds, states] of Object.entries(STATES)) {
      for (const [node, state] of Object.entries(states)) {
        const cell = await cellAt(page, node, ds);
        painted.push([node, ds, cell!.group, cell!.rgb]);
        expect([node, ds, cell!.rgb]).toEqual([node, ds, rgb(POD_STATES.find((s) => s.state === state)!.color)]);
      }
    }

    const heads = await page.$$eval('.group-head', (b) => b.map((x) => x.textContent));
    expect(heads).toEqual(['▼ eu-west-1a — 3 nodes · 1 missing · 1 unready', '▼ eu-west-1b — 3 nodes · 2 missing · 1 misscheduled · 1 kept']);
    expect(painted.filter((p) => p[2] === 'eu-west-1a').map((p) => p[0])).toEqual(['node-a1', 'node-a2', 'node-a3', 'node-a1', 'node-a2', 'node-a3']);
    await page.close();
  });

  it('shows node, DaemonSet and state when hovering a cell', async () => {
    const { page } = await open(sample());
    const cell = (await cellAt(page, 'node-a3', 'kube-system/aws-node'))!;
    const box = (await page.locator(`#matrix canvas[data-group="${cell.group}"]`).boundingBox())!;

    await page.mouse.move(box.x + cell.x, box.y + cell.y);

    expect(await page.locator('#tip').isVisible()).toBe(true);
    expect(await page.locator('#tip').textContent()).toEqual('node-a3\nkube-system/aws-node: unready\nzone eu-west-1a · amd64');
    await page.close();
  });

  it('collapses and expands a group', async () => {
    const { page } = await open(sample());

    await page.getByRole('button', { name: /eu-west-1a/ }).click();
    const collapsed = await cellAt(page, 'node-a1', 'logging/fluentd');
    await page.getByRole('button', { name: /eu-west-1a/ }).click();
    const expanded = await cellAt(page, 'node-a1', 'logging/fluentd');

    expect(collapsed).toBeNull();
    expect(expanded?.group).toEqual('eu-west-1a');
    await page.close();
  });

  it('filters the findings table by severity, rule, namespace and node', async () => {
    const { page } = await open(sample());
    const all = await rows(page);

    await page.selectOption('#f-severity', 'warning');
    const warnings = await rows(page);
    await page.selectOption('#f-rule', 'coverage/misscheduled');
    const misscheduled = await rows(page);
    await page.click('#f-clear');
    await page.selectOption('#f-namespace', 'logging');
    const logging = await rows(page);
    await page.selectOption('#f-namespace', '');
    await page.fill('#f-node', 'NODE-A');
    const nodeA = await rows(page);

    expect(all.map((r) => r[0])).toEqual(['critical', 'critical', 'critical', 'warning', 'warning', 'info']);
    expect(warnings.map((r) => [r[1], r[3]])).toEqual([
      ['coverage/misscheduled', 'node-b1'],
      ['coverage/unready', 'node-a3'],
    ]);
    expect(misscheduled.map((r) => r[3])).toEqual(['node-b1']);
    expect(logging.map((r) => r[2])).toEqual(['logging/fluentd', 'logging/fluentd']);
    expect(nodeA.map((r) => r[3])).toEqual(['node-a2', 'node-a3']);
    expect(await page.textContent('#f-count')).toEqual('2 of 6 findings shown.');
    await page.close();
  });

  it("lists a node's findings when its cell is clicked", async () => {
    const { page } = await open(sample());
    const cell = (await cellAt(page, 'node-b2', 'logging/fluentd'))!;
    const box = (await page.locator(`#matrix canvas[data-group="${cell.group}"]`).boundingBox())!;

    await page.mouse.click(box.x + cell.x, box.y + cell.y);

    expect(await page.inputValue('#f-node')).toEqual('node-b2');
    expect((await rows(page)).map((r) => r[3])).toEqual(['node-b2']);
    await page.close();
  });

  it('runs no script planted in cluster strings and shows them as text', async () => {
    const { page } = await open(sample());

    const pwned = await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
    const cells = (await rows(page)).flat();

    expect(pwned).toBeUndefined();
    expect(cells).toContain(HOSTILE.script);
    expect(cells).toContain(HOSTILE.img);
    expect(cells).toContain(HOSTILE.scriptClose);
    expect(await page.$$('img')).toEqual([]);
    await page.close();
  });

  it('loads nothing but the file itself', async () => {
    const { page, requests } = await open(sample());

    expect(requests.map((u) => u.split(':')[0])).toEqual(['file']);
    await page.close();
  });

  it('stays usable at 5,000 nodes x 12 DaemonSets: groups, exact cells, capped table, problem-only view', async () => {
    const report = largeReport();
    const { page } = await open(report);
    const node = report.nodes[4321]!.name;
    const ds = 'monitoring/node-exporter';
    const state = report.coverage.find((c) => `${c.namespace}/${c.name}` === ds)!.nodes[node] ?? 'not-eligible';

    const cell = await cellAt(page, node, ds);
    const heads = await page.$$eval('.group-head', (b) => b.map((x) => x.textContent!.split(' · ')[0]));
    const count = await page.textContent('#f-count');
    await page.check('#problems-only');
    const problemHeads = await page.$$eval('.group-head', (b) => b.map((x) => Number(/— (\d+) nodes/.exec(x.textContent!)![1])));

    expect(heads).toEqual(['▼ eu-west-1a — 1667 nodes', '▼ eu-west-1b — 1667 nodes', '▼ eu-west-1c — 1666 nodes']);
    expect(cell!.rgb).toEqual(rgb(POD_STATES.find((s) => s.state === state)!.color));
    expect((await rows(page)).length).toEqual(1000);
    expect(count).toEqual(
      `Showing the first 1000 of ${report.findings.length} matching findings (${report.findings.length} in total); narrow the filter to see more.`,
    );
    const withProblem = report.nodes.filter((n) =>
      report.coverage.some((c) => ['unready', 'missing', 'misscheduled', 'kept'].includes(c.nodes[n.name] ?? '')),
    ).length;
    expect(problemHeads.reduce((a, b) => a + b, 0)).toEqual(withProblem);
    await page.close();
  });

  it('paints a node the policy requires but the DaemonSet excludes in its own state, counts it and keeps it in the problem-only view', async () => {
    const report = {
      ...reportOf({
        nodes: [reportNode('gpu-1', { zone: 'eu-west-1a' }), reportNode('node-a1', { zone: 'eu-west-1a' }), reportNode('node-b1', { zone: 'eu-west-1b' })],
        coverage: [coverageOf('logging/fluentd', { 'gpu-1': 'not-eligible', 'node-a1': 'running', 'node-b1': 'running' })],
        findings: [finding('logging/fluentd', 'gpu-1', { rule: 'coverage/required-missing' })],
      }),
      rules: [
        {
          id: 'coverage/required-missing',
          title: 'Required but excluded',
          severity: 'critical' as const,
          remediation: 'Tolerate the GPU taint in Git.',
          docs: 'rules/coverage/required-missing.yaml',
        },
      ],
    };
    const { page } = await open(report);

    const cell = await cellAt(page, 'gpu-1', 'logging/fluentd');
    const legend = await page.$$eval('#legend li', (li) => li.map((x) => [x.getAttribute('data-state'), x.textContent]));
    await page.check('#problems-only');
    const heads = await page.$$eval('.group-head', (b) => b.map((x) => x.textContent));
    const todo = await page.$$eval('#rules tbody td', (td) => td.map((x) => x.textContent));

    expect(cell!.rgb).toEqual(rgb(POD_STATES.find((s) => s.state === 'required-missing')!.color));
    expect(legend).toContainEqual(['required-missing', "required by policy, excluded by the DaemonSet's own spec"]);
    expect(heads).toEqual(['▼ eu-west-1a — 1 nodes · 1 required-missing']);
    expect(todo).toEqual([
      'critical',
      'coverage/required-missingRequired but excluded',
      'Tolerate the GPU taint in Git.',
      'rules/coverage/required-missing.yaml',
    ]);
    await page.close();
  });

  it('shows expected versus actual in its own column, with the full values folded away', async () => {
    const { page } = await open(
      reportOf({
        findings: [
          finding('kube-system/nvidia', null, {
            rule: 'image/drift',
            expected: 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0',
            actual: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
          }),
        ],
      }),
    );
    const cell = page.locator('#findings tbody tr td:nth-child(6)');

    const lines = await cell.locator('.change > div').allTextContents();
    const foldedVisible = await cell.locator('pre').isVisible();
    await cell.locator('summary').click();

    expect(await page.$$eval('#findings thead th', (th) => th.map((x) => x.textContent))).toEqual([
      'Severity',
      'Rule',
      'DaemonSet',
      'Node',
      'Message',
      'Expected → actual',
    ]);
    expect(lines).toEqual(['expected …:v0.20.0 → actual …:v0.17.1']);
    expect(foldedVisible).toBe(false);
    expect(await cell.locator('pre').textContent()).toEqual(
      'expected:\n  nvcr.io/nvidia/k8s-device-plugin:v0.20.0\nactual:\n  nvcr.io/nvidia/k8s-device-plugin:v0.17.1',
    );
    expect(await page.$$eval('#findings tbody td:nth-child(5)', (td) => td.map((x) => x.textContent))).toEqual(['kube-system/nvidia: image/drift']);
    await page.close();
  });

  it('says INCOMPLETE at the top of an incomplete report', async () => {
    const { page } = await open(reportOf({ gaps: [{ source: 'kubernetes:list pods', message: 'forbidden' }] }));

    expect(await page.textContent('#status')).toMatch(/^⚠ INCOMPLETE audit: 1 input could not be read/);
    await page.close();
  });
});
