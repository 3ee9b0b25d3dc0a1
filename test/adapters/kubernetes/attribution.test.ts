import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readCluster } from '../../../functions/adapters/kubernetes/index.js';
import { audit } from '../../../functions/core/audit.js';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import { AT, daemonSet, defaultPolicy, desiredOf, node, pod, revision } from '../../support/builders.js';
import { kubeconfigFor, startK8sApi, type K8sApi } from '../../emulators/k8s-api/server.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const EDITED_AT = '2026-05-31T22:41:07Z';
let api: K8sApi | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

/** The DaemonSet as Git has it. */
function gitAgent(): K8sDaemonSet {
  return daemonSet('monitoring/agent', { image: 'registry.example.com/agent:1.4.0' });
}

/**
 * The same DaemonSet after Argo CD applied it (a mutating webhook added a label during that request, so
 * the API server credits it to argocd-controller), a controller labelled it, somebody ran `kubectl rollout
 * restart` and then `kubectl edit` changed a template label, the memory limit and the image. managedFields
 * are written as the API server records them (FieldsV1).
 */
function editedAgent(): K8sDaemonSet {
  const ds = gitAgent();
  ds.metadata.labels = { 'policy.example.com/scanned': 'true', 'webhook.example.com/injected': 'yes' };
  const t = ds.spec.template;
  t.metadata = { labels: { ...t.metadata!.labels, debug: 'true' }, annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-05-30T10:00:00Z' } };
  t.spec.containers[0] = { ...t.spec.containers[0]!, image: 'registry.example.com/agent:1.4.1-hotfix', resources: { limits: { memory: '512Mi' } } };
  ds.metadata.managedFields = [
    {
      manager: 'argocd-controller',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2026-05-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:webhook.example.com/injected': {} } },
        'f:spec': {
          'f:selector': {},
          'f:template': { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:containers': { 'k:{"name":"agent"}': { '.': {}, 'f:name': {} } } } },
        },
      },
    },
    {
      manager: 'policy-controller',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2026-05-20T03:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:policy.example.com/scanned': {} } } },
    },
    {
      manager: 'kubectl-rollout',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2026-05-30T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:spec': { 'f:template': { 'f:metadata': { 'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/restartedAt': {} } } } } },
    },
    {
      manager: 'kubectl-edit',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: EDITED_AT,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:debug': {} } },
            'f:spec': { 'f:containers': { 'k:{"name":"agent"}': { 'f:image': {}, 'f:resources': { 'f:limits': { '.': {}, 'f:memory': {} } } } } },
          },
        },
      },
    },
    {
      manager: 'kube-controller-manager',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: EDITED_AT,
      fieldsType: 'FieldsV1',
      subresource: 'status',
      fieldsV1: { 'f:status': { 'f:numberReady': {} } },
    },
  ];
  return ds;
}

async function auditLive(live: K8sDaemonSet) {
  api = await startK8sApi({ nodes: [node('n1')], daemonSets: [live], pods: [pod(live, 'n1')], controllerRevisions: [revision(live, 1)] });
  const snapshot = await readCluster({ kubeconfig: kubeconfigFor(api), retry: { baseDelayMs: 5, maxDelayMs: 50 } });
  const report = audit(snapshot, desiredOf([gitAgent()]), defaultPolicy(), AT, { hash: sha256 });
  return { snapshot, drift: report.findings.filter((f) => f.rule === 'spec/drift' || f.rule === 'image/drift') };
}

describe('readCluster() + audit(): who changed it', () => {
  it('names kubectl-edit and the time for a label, a memory limit and an image changed by hand', async () => {
    const { drift } = await auditLive(editedAgent());

    expect(drift.map((f) => [f.rule, f.path, f.actual, f.changedBy])).toEqual([
      [
        'image/drift',
        'spec.template.spec.containers[name=agent].image',
        'registry.example.com/agent:1.4.1-hotfix',
        { manager: 'kubectl-edit', operation: 'Update', time: EDITED_AT },
      ],
      ['spec/drift', 'spec.template.metadata.labels.debug', 'true', { manager: 'kubectl-edit', operation: 'Update', time: EDITED_AT }],
      [
        'spec/drift',
        'spec.template.spec.containers[name=agent].resources.limits.memory',
        '512Mi',
        { manager: 'kubectl-edit', operation: 'Update', time: EDITED_AT },
      ],
    ]);
    expect(drift[0]!.message).toContain(`last set by kubectl-edit (Update) at ${EDITED_AT}`);
  });

  it('keeps the DaemonSet managedFields in the snapshot, and none on pods', async () => {
    const { snapshot } = await auditLive(editedAgent());

    expect((snapshot.daemonSets[0]!.metadata.managedFields as { manager: string }[]).map((m) => m.manager)).toEqual([
      'argocd-controller',
      'policy-controller',
      'kubectl-rollout',
      'kubectl-edit',
      'kube-controller-manager',
    ]);
    expect(snapshot.pods[0]!.metadata.managedFields).toEqual(undefined);
  });

  it('reports nothing for labels a controller or a webhook set, nor for a rollout restart', async () => {
    const live = editedAgent();
    const t = live.spec.template;
    t.metadata!.labels = { app: 'agent' };
    t.spec.containers[0] = { name: 'agent', image: 'registry.example.com/agent:1.4.0' };

    const { drift } = await auditLive(live);

    expect(drift).toEqual([]);
  });

  it('has no attribution, and ignores hand-made labels as before, without managedFields (a plain kubectl dump)', async () => {
    const live = editedAgent();
    delete live.metadata.managedFields;

    const { drift } = await auditLive(live);

    expect(drift.map((f) => [f.rule, f.path, f.changedBy])).toEqual([['image/drift', 'spec.template.spec.containers[name=agent].image', undefined]]);
  });
});
