// The evidence store's lock (issue 10, item 5: notify runs are serialised per repository and cluster):
// created only if absent, released by its holder, taken over only once expired.
import { afterEach, describe, expect, it } from 'vitest';
import { LockBusyError } from '../../../functions/adapters/store/index.js';
import { localHarness, s3Harness, type Harness } from './harness.js';
import { startS3Server } from './s3-server.js';

const HARNESSES: [string, () => Promise<Harness>][] = [
  ['LocalStore', localHarness],
  ['S3Store', async () => s3Harness(await startS3Server({ conditionalWrites: true }))],
];

describe.each(HARNESSES)('%s acquireLock()', (_name, make) => {
  let h: Harness;
  afterEach(async () => h?.close());

  it('lets one of six runs at once hold the lock at a time, and every run gets it', async () => {
    h = await make();
    let holding = 0;
    let most = 0;
    const order: number[] = [];

    await Promise.all(
      Array.from({ length: 6 }, async (_x, i) => {
        const lock = await h.store.acquireLock('notify/acme/ops/prod', { pollMs: 10, waitSeconds: 60, holder: `run ${i}` });
        holding++;
        most = Math.max(most, holding);
        await new Promise((r) => setTimeout(r, 15));
        order.push(i);
        holding--;
        await lock.release();
      }),
    );

    expect([most, order.length, new Set(order).size]).toEqual([1, 6, 6]);
  });

  it('says who holds a busy lock once the wait is over', async () => {
    h = await make();
    await h.store.acquireLock('notify/acme/ops/prod', { holder: 'the scheduled run' });

    const err = await h.store.acquireLock('notify/acme/ops/prod', { waitSeconds: 0 }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(LockBusyError);
    expect((err as Error).message).toMatch(
      /^failed to take lock .*locks\/notify\/acme\/ops\/prod\.json: held by the scheduled run since \S+ until \S+; waited 0 s$/,
    );
  });

  it('takes over a lock whose holder died once it has expired, and not before', async () => {
    h = await make();
    let t = Date.parse('2026-06-01T00:00:00Z');
    const now = () => t;
    await h.store.acquireLock('notify/acme/ops/prod', { ttlSeconds: 60, now, holder: 'a run that died' });

    t += 59_000;
    const early = await h.store.acquireLock('notify/acme/ops/prod', { waitSeconds: 0, now }).catch((e: unknown) => e);
    t += 2_000;
    const late = await h.store.acquireLock('notify/acme/ops/prod', { waitSeconds: 0, now });

    expect([early instanceof LockBusyError, late.tookOver]).toEqual([true, true]);
  });

  it('does not release a lock that another run took over meanwhile', async () => {
    h = await make();
    let t = Date.parse('2026-06-01T00:00:00Z');
    const now = () => t;
    const slow = await h.store.acquireLock('notify/acme/ops/prod', { ttlSeconds: 60, now });
    t += 61_000;
    await h.store.acquireLock('notify/acme/ops/prod', { ttlSeconds: 60, now, holder: 'the next run' });

    await slow.release();
    const err = await h.store.acquireLock('notify/acme/ops/prod', { waitSeconds: 0, now }).catch((e: unknown) => e);

    expect((err as Error).message).toMatch(/held by the next run/);
  });

  it('refuses a lock name that could leave locks/', async () => {
    h = await make();

    await expect(h.store.acquireLock('../clusters/x/latest')).rejects.toThrow(/not a plain lock name/);
  });
});
