// Lambda `snapshot`: reads one cluster (EKS through an in-process token, or a kubeconfig from Secrets
// Manager) into a redacted snapshot, hands it to the audit under staging/ in S3, and returns only its
// key, sha256 and counts. Fails closed: any incomplete read throws (KubernetesError) and nothing is passed on.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { InputError } from '../core/errors.js';
import { describeEksCluster, kubeConfigForEks, loadKubeConfig } from '../adapters/kubernetes/index.js';
import { readLiveSnapshot, snapshotBytes } from '../pipeline/live.js';
import { stagingSnapshotKey, type ClusterTarget, type RunInput, type SnapshotOutput } from './shared/contract.js';
import { auditorVersion, requireEnv } from './shared/env.js';
import { instrument, logger, metrics, MetricUnit } from './shared/observability.js';
import { putHandoffObject } from '../pipeline/handoff.js';
import { readSecret } from './shared/secrets.js';

/** Reads the cluster and stores the snapshot; returns the input plus `snapshot` (key, sha256, counts). */
export const handler = instrument('Snapshot', async (event: RunInput): Promise<SnapshotOutput> => {
  const bucket = requireEnv('DRIFT_AUDITOR_BUCKET');
  const c = event.cluster;
  const kubeConfig = await kubeConfigFor(c);
  const snapshot = await readLiveSnapshot({ kubeConfig, cluster: c.name, namespaces: c.namespaces, auditorVersion: auditorVersion() });
  const objects = {
    nodes: snapshot.nodes.length,
    daemonSets: snapshot.daemonSets.length,
    pods: snapshot.pods.length,
    controllerRevisions: snapshot.controllerRevisions.length,
  };
  const body = snapshotBytes(snapshot);
  const key = stagingSnapshotKey(c.name, event.runId);
  const sha256 = await putHandoffObject({ bucket, key, body, contentType: 'application/gzip' });

  const total = objects.nodes + objects.daemonSets + objects.pods + objects.controllerRevisions;
  metrics.addMetric('ObjectsRead', MetricUnit.Count, total);
  metrics.addMetric('SnapshotBytes', MetricUnit.Bytes, body.length);
  logger.info('snapshot stored', { key, sha256, bytes: body.length, ...objects, gaps: snapshot.gaps.length, serverVersion: snapshot.source.serverVersion });
  return { ...event, snapshot: { bucket, key, sha256, bytes: body.length, objects, gaps: snapshot.gaps.length } };
});

/** Returns the KubeConfig for a cluster: EKS (DescribeCluster + token) or a kubeconfig secret. */
async function kubeConfigFor(c: ClusterTarget): Promise<KubeConfig> {
  if (c.type === 'eks') {
    const region = c.region ?? requireEnv('AWS_REGION');
    const clusterName = c.eksClusterName ?? c.name;
    const { endpoint, caData } = await describeEksCluster(clusterName, region);
    return kubeConfigForEks({ clusterName, endpoint, caData, region });
  }
  if (!c.kubeconfigSecretName) throw new InputError(`failed to read cluster ${c.name}: type kubeconfig needs kubeconfigSecretName`);
  const text = await readSecret(c.kubeconfigSecretName);
  // loadKubeConfig reads a file; the file lives only while it loads (0600 in a private temp folder).
  const dir = await mkdtemp(join(tmpdir(), 'kubeconfig-'));
  try {
    const file = join(dir, 'config');
    await writeFile(file, text, { mode: 0o600 });
    return loadKubeConfig({ kubeconfig: file, context: c.kubeconfigContext, env: {} });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
