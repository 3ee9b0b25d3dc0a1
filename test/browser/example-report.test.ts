// The bundled example's HTML report (examples/, audited the way `npm start` does) in real Chromium: what
// issue 11 says the report hid must be visible. The two coverage/required-missing cells (fluentd on the GPU
// nodes) stay in "only nodes with a problem", every finding's expected and actual values read as a
// change instead of JSON, and each DaemonSet shows Git's image beside what its pods run.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_STATES } from '../../functions/core/render/common.js';
import { renderHtml } from '../../functions/core/render/html.js';
import type { Report } from '../../functions/core/types.js';
import { auditExample } from '../support/example.js';
import { launchChromium } from './chromium.js';
import { cellAt, rgb } from './matrix.js';

type Chromium = Awaited<ReturnType<typeof launchChromium>>;
let chromium: Chromium | undefined;
let launchError: unknown;
let dir: string;
let report: Report;
let page: Page;

// A launch failure is kept and rethrown by every test, so a missing browser fails them (not skips).
beforeAll(async () => {
  report = await auditExample();
  dir = await mkdtemp(join(tmpdir(), 'drift-auditor-example-html-'));
  const file = join(dir, 'report.html');
  await writeFile(file, renderHtml(report));
  chromium = await launchChromium().catch((err: unknown) => {
    launchError = err;
    return undefined;
  });
  if (!chromium) return;
  page = await chromium.context.newPage();
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => (window as unknown as { __matrixDrawn?: boolean }).__matrixDrawn === true);
});
afterAll(async () => {
  await chromium?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function opened(): Page {
  if (!chromium) throw launchError;
  return page;
}

describe('the example report in Chromium', () => {
  it('keeps both required-missing cells in the problem-only view, in their own colour', async () => {
    const p = opened();
    const required = report.findings.filter((f) => f.rule === 'coverage/required-missing').map((f) => [f.node!, `${f.namespace}/${f.daemonSet}`] as const);

    await p.check('#problems-only');
    const painted = await Promise.all(required.map(async ([node, ds]) => (await cellAt(p, node, ds))?.rgb ?? null));
    const heads = await p.$$eval('.group-head', (b) => b.map((x) => x.textContent ?? ''));
    await p.uncheck('#problems-only');

    expect(required).toHaveLength(2);
    expect(painted).toEqual(required.map(() => rgb(POD_STATES.find((s) => s.state === 'required-missing')!.color)));
    expect(heads.reduce((n, h) => n + Number(/(\d+) required-missing/.exec(h)?.[1] ?? 0), 0)).toEqual(2);
  });

  it('gives every finding an expected-versus-actual cell and writes no JSON in the findings table', async () => {
    const p = opened();

    const rows = await p.$$eval('#findings tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const drift = rows.find((r) => r[1] === 'image/drift')!;
    const digestSplit = rows.find((r) => r[1] === 'image/digest-split')!;

    expect(rows).toHaveLength(report.findings.length);
    expect(rows.filter((r) => r[5] === '').map((r) => r[1])).toEqual(
      report.findings.filter((f) => f.expected === undefined && f.actual === undefined).map((f) => f.rule),
    );
    expect(drift[5]).toMatch(/^expected …:v0\.20\.0 → actual …:v0\.17\.1full values/);
    expect(digestSplit[5]).toContain('nodes: 7');
    expect(rows.filter((r) => r[1] === 'coverage/required-missing').map((r) => r[5])).toEqual(
      Array(2).fill(expect.stringContaining('key: nvidia.com/gpu, value: present, effect: NoSchedule')),
    );
    expect(rows.flat().filter((text) => /["'][:,]|\{"/.test(text))).toEqual([]);
  });

  it("shows each DaemonSet's Git image beside what its pods run, marking the drift and the digest split", async () => {
    const p = opened();

    const cells = await p.$$eval('#daemonsets tbody tr', (trs) =>
      trs.map((tr) => ({
        ds: tr.querySelector('td')?.textContent ?? '',
        containers: [...tr.querySelectorAll('td.imgs .ctr b')].map((b) => b.textContent ?? ''),
        marked: [...tr.querySelectorAll('td.imgs .bad')].map((d) => d.textContent ?? ''),
      })),
    );
    const of = (ds: string) => cells.find((c) => c.ds === ds)!;

    expect(cells.map((c) => [c.ds, c.containers])).toEqual(report.coverage.map((c) => [`${c.namespace}/${c.name}`, (c.images ?? []).map((i) => i.container)]));
    expect(of('kube-system/nvidia-device-plugin-daemonset').marked).toEqual([
      'live template k8s-device-plugin:v0.17.1 ✖',
      '2 pods k8s-device-plugin:v0.17.1 sha256:8e904cc9b578… ✖ differs from Git',
    ]);
    expect(of('logging/fluentd').marked.map((m) => m.replace(/sha256:\w+…/, 'D'))).toEqual([
      '7 pods as Git D ✖ one tag, several digests',
      '5 pods as Git D ✖ one tag, several digests',
    ]);
    expect(of('monitoring/node-exporter').marked).toEqual([]);
    expect(await p.locator('#daemonsets td.imgs').first().isVisible()).toBe(true);
  });
});
