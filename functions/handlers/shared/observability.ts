// Logs and metrics for the Lambda handlers (Powertools): one JSON log line per event with a static
// message plus metadata, and CloudWatch metrics (EMF) per cluster. Nothing secret is ever logged:
// handlers log ids, keys, counts and error messages, never tokens, kubeconfigs or secret values.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunInput } from './contract.js';

/** Service name and metric namespace (the CDK stack's alarms use the same values). */
export const SERVICE = 'drift-auditor';
export const NAMESPACE = 'DriftAuditor';

/** The shared Powertools logger (POWERTOOLS_LOG_LEVEL sets the level). */
export const logger = new Logger({ serviceName: SERVICE });
/** The shared Powertools metrics buffer, flushed at the end of every invocation. */
export const metrics = new Metrics({ namespace: NAMESPACE, serviceName: SERVICE });

export { MetricUnit };

/** The Lambda context fields the handlers use (the real context has more). */
export interface LambdaContext {
  functionName?: string;
  awsRequestId?: string;
  getRemainingTimeInMillis?: () => number;
}

let coldStart = true;

/**
 * Returns a Lambda handler that tags logs and metrics with the function and cluster, times the work,
 * logs a failure with its error name and message (Step Functions retries and catches by name), and
 * always flushes the metrics.
 */
export function instrument<I extends { cluster: RunInput['cluster'] | string; runId: string }, O>(
  name: string,
  work: (event: I) => Promise<O>,
): (event: I, context?: LambdaContext) => Promise<O> {
  return async (event, context) => {
    const cluster = typeof event.cluster === 'string' ? event.cluster : (event.cluster?.name ?? 'unknown');
    logger.appendKeys({ step: name, cluster, runId: event.runId, coldStart, requestId: context?.awsRequestId });
    metrics.addDimension('cluster', cluster);
    const wasCold = coldStart;
    coldStart = false;
    const started = performance.now();
    logger.info('step started');
    try {
      const out = await work(event);
      logger.info('step succeeded', { durationMs: Math.round(performance.now() - started) });
      return out;
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      logger.error('step failed', { errorName: e.name, errorMessage: e.message, durationMs: Math.round(performance.now() - started) });
      throw e;
    } finally {
      metrics.addMetric(`${name}DurationMs`, MetricUnit.Milliseconds, performance.now() - started);
      if (wasCold) metrics.addMetric('ColdStart', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      logger.removeKeys(['step', 'cluster', 'runId', 'coldStart', 'requestId']);
    }
  };
}
