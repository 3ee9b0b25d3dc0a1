import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesError } from '../../functions/core/errors.js';
import { instrument, metrics, MetricUnit } from '../../functions/handlers/shared/observability.js';

let out = '';
const write = process.stdout.write.bind(process.stdout);
const writeErr = process.stderr.write.bind(process.stderr);

beforeEach(() => {
  out = '';
  const capture = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
});

afterEach(() => {
  process.stdout.write = write;
  process.stderr.write = writeErr;
});

const event = { cluster: { name: 'prod', type: 'eks' as const, manifests: 'github:a/b' }, runId: 'exec-1', startedAt: '2026-06-01T00:00:00Z' };
const lines = (): Record<string, unknown>[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('instrument()', () => {
  it("returns the work's result and publishes its metrics with the cluster dimension", async () => {
    const handler = instrument('Probe', async () => {
      metrics.addMetric('ObjectsRead', MetricUnit.Count, 7);
      return { ok: true };
    });

    const result = await handler(event);

    expect(result).toEqual({ ok: true });
    const emf = lines().find((l) => l._aws)!;
    expect([emf.cluster, emf.service, emf.ObjectsRead, typeof emf.ProbeDurationMs]).toEqual(['prod', 'drift-auditor', 7, 'number']);
    expect(
      lines()
        .filter((l) => l.message)
        .map((l) => [l.message, l.step, l.cluster, l.runId]),
    ).toEqual([
      ['step started', 'Probe', 'prod', 'exec-1'],
      ['step succeeded', 'Probe', 'prod', 'exec-1'],
    ]);
  });

  it('rethrows the error with its name (Step Functions matches Retry and Catch on it) and logs it', async () => {
    const handler = instrument('Probe', async () => {
      throw new KubernetesError('failed to list nodes: forbidden (403)');
    });

    const err = await handler(event).catch((e: Error) => e);

    expect([(err as Error).name, (err as Error).message]).toEqual(['KubernetesError', 'failed to list nodes: forbidden (403)']);
    const failed = lines().find((l) => l.message === 'step failed')!;
    expect([failed.level, failed.errorName, failed.errorMessage]).toEqual(['ERROR', 'KubernetesError', 'failed to list nodes: forbidden (403)']);
    expect(lines().some((l) => l._aws)).toEqual(true);
  });

  it("drops the invocation's keys afterwards, so a warm container does not mix clusters", async () => {
    await instrument('Probe', async () => 1)(event);
    out = '';

    await instrument('Probe', async () => 1)({ ...event, cluster: { ...event.cluster, name: 'stage' }, runId: 'exec-2' });

    expect([
      ...new Set(
        lines()
          .filter((l) => l.message)
          .map((l) => `${l.cluster}/${l.runId}`),
      ),
    ]).toEqual(['stage/exec-2']);
  });
});
