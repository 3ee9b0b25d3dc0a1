// Retries and doubled runs against both stores: a run stored again, stored twice at once, retried after
// a newer run, or interrupted, always ends stored once, listed, and verifiable (issue 10, item 4).
import { afterEach, describe, expect, it } from 'vitest';
import { readHistory, RunStoreError, serializeRun, type ReportStore, type RunInput } from '../../../functions/adapters/store/index.js';
import { renderHtml } from '../../../functions/core/render/html.js';
import type { Report } from '../../../functions/core/types.js';
import { localHarness, sampleReport, sampleRun, s3Harness, type Harness } from './harness.js';
import { startS3Server } from './s3-server.js';

const HARNESSES: [string, () => Promise<Harness>][] = [
  ['LocalStore', localHarness],
  // With the 412 proxy: S3's If-None-Match/If-Match answers, which s3rver alone lacks.
  ['S3Store', async () => s3Harness(await startS3Server({ conditionalWrites: true }))],
];

/** Returns the run as the CLI and the audit Lambda build it: report.html carries the store's trend. */
async function renderedRun(store: ReportStore, report: Report): Promise<RunInput> {
  const run = sampleRun(report);
  const history = await readHistory(store, run.report);
  run.artifacts['report.html'] = { body: renderHtml(run.report, { history }), contentType: 'text/html; charset=utf-8' };
  return run;
}

const day = (d: string, t = '08:00:00'): Report => sampleReport(`2026-06-${d}T${t}.000Z`);

describe.each(HARNESSES)('%s', (_name, make) => {
  let h: Harness;
  afterEach(async () => h?.close());

  describe('putRun()', () => {
    it('stores a run again as a no-op that succeeds, and says so', async () => {
      h = await make();
      const first = await h.store.putRun(await renderedRun(h.store, day('01')));

      const again = await h.store.putRun(await renderedRun(h.store, day('01')));

      expect([again.runId, again.alreadyStored, first.alreadyStored]).toEqual([first.runId, true, undefined]);
      expect((await h.store.listRuns('prod-eu-1')).map((r) => r.runId)).toEqual([first.runId]);
      expect((await h.store.verifyRun('prod-eu-1', first.runId)).ok).toBe(true);
    });

    it('stores five identical runs started at once exactly once, and all five succeed', async () => {
      h = await make();
      await h.store.putRun(await renderedRun(h.store, day('01')));
      const runs = await Promise.all(Array.from({ length: 5 }, () => renderedRun(h.store, day('02'))));

      const results = await Promise.allSettled(runs.map((r) => h.store.putRun(r)));

      expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
      const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ runId: string }>).value.runId));
      expect(ids.size).toEqual(1);
      expect((await h.store.listRuns('prod-eu-1')).length).toEqual(2);
      expect((await h.store.verifyRun('prod-eu-1', [...ids][0]!)).ok).toBe(true);
      expect((await h.store.getRun('prod-eu-1', 'latest')).runId).toEqual([...ids][0]);
    });

    it('stores an older run retried after a newer one was stored, and lists it', async () => {
      h = await make();
      await h.store.putRun(await renderedRun(h.store, day('01')));
      const older = await renderedRun(h.store, day('02'));
      const { prefix } = serializeRun(older);
      await h.breakKey(`${prefix}findings.csv`);
      const failed = await h.store.putRun(older).catch((e: unknown) => e);
      await h.repairKey(`${prefix}findings.csv`);
      const newer = await h.store.putRun(await renderedRun(h.store, day('03')));

      const retried = await h.store.putRun(await renderedRun(h.store, day('02')));

      expect(failed).toBeInstanceOf(RunStoreError);
      // The newer run collected the interrupted one (a day older) without findings.csv; the retry keeps that.
      expect([newer.collected, retried.runId, retried.alreadyStored, retried.missing]).toEqual([
        [retried.runId],
        serializeRun(older).runId,
        true,
        ['findings.csv'],
      ]);
      expect((await h.store.listRuns('prod-eu-1')).map((r) => r.generatedAt.slice(0, 10))).toEqual(['2026-06-03', '2026-06-02', '2026-06-01']);
      expect((await h.store.verifyRun('prod-eu-1', retried.runId)).ok).toBe(true);
      expect((await h.store.getRun('prod-eu-1', 'latest')).runId).toEqual(newer.runId);
    });

    it('completes an interrupted run on its retry after a newer run was stored', async () => {
      h = await make();
      const older = await renderedRun(h.store, day('02', '07:30:00'));
      const { prefix } = serializeRun(older);
      await h.breakKey(`${prefix}snapshot.json.gz`);
      await h.store.putRun(older).catch(() => undefined);
      await h.repairKey(`${prefix}snapshot.json.gz`);
      await h.store.putRun(await renderedRun(h.store, day('02', '08:00:00')));

      const retried = await h.store.putRun(await renderedRun(h.store, day('02', '07:30:00')));

      expect([retried.alreadyStored, retried.missing]).toEqual([undefined, undefined]);
      expect((await h.store.verifyRun('prod-eu-1', retried.runId)).objects.map((o) => [o.name, o.status])).toEqual(
        ['manifest.json', 'report.json', 'report.md', 'report.html', 'findings.csv', 'snapshot.json.gz'].map((n) => [n, 'ok']),
      );
    });

    it('keeps the report.html an earlier attempt of the same run rendered with another history', async () => {
      h = await make();
      const attempt = sampleRun(day('02'));
      const { prefix } = serializeRun(attempt);
      await h.breakKey(`${prefix}findings.csv`);
      await h.store.putRun(attempt).catch(() => undefined);
      await h.repairKey(`${prefix}findings.csv`);
      await h.store.putRun(await renderedRun(h.store, day('01'))); // an older run arrives late: the trend changes

      const retry = await renderedRun(h.store, day('02'));
      const result = await h.store.putRun(retry);

      expect(retry.artifacts['report.html']!.body).not.toEqual(attempt.artifacts['report.html']!.body);
      expect(result.adopted).toEqual(['report.html']);
      expect((await h.store.getObject(`${prefix}report.html`)).toString()).toEqual(attempt.artifacts['report.html']!.body);
      expect((await h.store.verifyRun('prod-eu-1', result.runId)).ok).toBe(true);
    });

    it('collects an interrupted run that was never retried when a run an hour or more later is stored', async () => {
      h = await make();
      const lost = sampleRun(day('02', '06:00:00'));
      const { prefix, runId } = serializeRun(lost);
      await h.breakKey(`${prefix}report.html`);
      await h.store.putRun(lost).catch(() => undefined);
      const before = (await h.store.listRuns('prod-eu-1')).length;

      const next = await h.store.putRun(await renderedRun(h.store, day('02', '08:00:00')));

      expect([before, next.collected]).toEqual([0, [runId]]);
      expect((await h.store.listRuns('prod-eu-1')).map((r) => r.runId)).toEqual([next.runId, runId]);
      const collected = await h.store.verifyRun('prod-eu-1', runId);
      expect([collected.ok, collected.objects.map((o) => o.name)]).toEqual([
        true,
        ['manifest.json', 'report.json', 'report.md', 'findings.csv', 'snapshot.json.gz'],
      ]);
    });

    it('leaves a run interrupted less than an hour earlier to its own retry', async () => {
      h = await make();
      const recent = sampleRun(day('02', '07:30:00'));
      const { prefix } = serializeRun(recent);
      await h.breakKey(`${prefix}report.html`);
      await h.store.putRun(recent).catch(() => undefined);

      const next = await h.store.putRun(await renderedRun(h.store, day('02', '08:00:00')));

      expect(next.collected).toBeUndefined();
      expect((await h.store.listRuns('prod-eu-1')).length).toEqual(1);
    });
  });

  describe('readHistory()', () => {
    it('draws only the runs generated before the report, whatever was stored after it', async () => {
      h = await make();
      for (const d of ['01', '03', '04']) await h.store.putRun(await renderedRun(h.store, day(d)));

      const history = await readHistory(h.store, day('03'));

      expect(history.map((p) => p.generatedAt.slice(0, 10))).toEqual(['2026-06-01', '2026-06-03']);
    });
  });
});
