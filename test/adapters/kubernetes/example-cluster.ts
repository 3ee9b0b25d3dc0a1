// The emulator's example cluster: a real 3-node cluster (replicatedhq/sbctl support bundle: nodes, kube-system
// and projectcontour pods), a real calico-node DaemonSet and pod (kubeiql), DaemonSets rebuilt for the real
// pods' owners, and one DaemonSet carrying planted secrets that must never reach a snapshot file.
import { readFileSync } from 'node:fs';
import type { K8sControllerRevision, K8sDaemonSet, K8sNode, K8sPod } from '../../../functions/core/k8s-types.js';
import { daemonSet, node, pod, revision } from '../../support/builders.js';
import { capture } from '../../support/captures.js';

/** Strings planted in the cluster that no snapshot file may contain. */
export const PLANTED = {
  envValue: 'planted-env-value-hunter2',
  token: 'eyJhbGciOiJSUzI1NiIsImtpZCI6InBsYW50ZWQifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.planted-signature',
  lastApplied: 'planted-last-applied-marker',
  managedFields: 'planted-managed-fields-manager',
  templateEnvValue: 'planted-template-env-value',
  revisionEnvValue: 'planted-revision-env-value',
  argToken: 'planted-arg-token-value',
} as const;

export interface ExampleCluster {
  nodes: K8sNode[];
  daemonSets: K8sDaemonSet[];
  pods: K8sPod[];
  controllerRevisions: K8sControllerRevision[];
}

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(capture(name), 'utf8')) as T;
}

/** Returns the example cluster (fresh objects on every call). */
export function exampleCluster(): ExampleCluster {
  const nodes = fixture<{ items: K8sNode[] }>('sbctl/nodes.json').items;
  const realPods = [
    ...fixture<{ items: K8sPod[] }>('sbctl/pods/kube-system.json').items,
    ...fixture<{ items: K8sPod[] }>('sbctl/pods/projectcontour.json').items,
    fixture<K8sPod>('kubeiql/pod2.json'),
  ];
  const calico = fixture<K8sDaemonSet>('kubeiql/daemonset.json');
  const kubeProxy = daemonSet('kube-system/kube-proxy', {
    uid: '60df311b-94d2-40d4-8dca-21aded036e04',
    selector: { 'k8s-app': 'kube-proxy' },
    image: 'k8s.gcr.io/kube-proxy:v1.23.5',
    tolerations: [{ operator: 'Exists' }],
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberMisscheduled: 0 },
  });
  const weave = daemonSet('kube-system/weave-net', {
    uid: '2b0dce09-8c0d-4f4b-b2aa-7c774d3cfd9c',
    selector: { name: 'weave-net' },
    tolerations: [
      { operator: 'Exists', effect: 'NoSchedule' },
      { operator: 'Exists', effect: 'NoExecute' },
    ],
    containers: [
      { name: 'weave', image: 'weaveworks/weave-kube:2.6.5' },
      { name: 'weave-npc', image: 'weaveworks/weave-npc:2.6.5' },
    ],
  });
  const envoy = daemonSet('projectcontour/envoy', {
    uid: '72c5d73d-71ee-4b21-ad06-b8e6718237f2',
    selector: { app: 'envoy' },
    containers: [
      { name: 'shutdown-manager', image: 'ghcr.io/projectcontour/contour:v1.20.1' },
      { name: 'envoy', image: 'envoyproxy/envoy:v1.21.1' },
    ],
  });
  const secretEnv = [
    { name: 'PLAIN', value: PLANTED.envValue },
    { name: 'API_TOKEN', value: PLANTED.token },
    { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'agent', key: 'password' } } },
  ];
  const agent = daemonSet('monitoring/agent', {
    containers: [
      {
        name: 'agent',
        image: 'registry.example.com/agent:2.1.0',
        args: [`--api-token=${PLANTED.argToken}`, '--v=2'],
        env: [{ name: 'TEMPLATE_ONLY', value: PLANTED.templateEnvValue }, ...secretEnv],
      },
    ],
    annotations: {
      'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ marker: PLANTED.lastApplied, env: PLANTED.envValue }),
      'deprecated.daemonset.template.generation': '1',
    },
  });
  agent.metadata.managedFields = [
    { manager: PLANTED.managedFields, operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } },
  ];
  const agentPods = nodes.map((n) => {
    const p = pod(agent, n.metadata.name);
    p.spec.containers = [{ name: 'agent', image: 'registry.example.com/agent:2.1.0', env: secretEnv }];
    p.metadata.managedFields = [{ manager: PLANTED.managedFields }];
    p.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': PLANTED.lastApplied };
    return p;
  });
  const agentRevision = revision(agent, 1);
  agentRevision.data = {
    spec: { template: { $patch: 'replace', spec: { containers: [{ name: 'agent', env: [{ name: 'REV', value: PLANTED.revisionEnvValue }] }] } } },
  };
  const statefulSetRevision: K8sControllerRevision = {
    metadata: {
      name: 'web-7b9c',
      namespace: 'default',
      uid: 'uid-cr-sts',
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-sts', controller: true }],
    },
    revision: 1,
  };
  return {
    nodes: [...nodes, node('spare-node', { labels: { 'node-role.kubernetes.io/spare': '' } })],
    daemonSets: [kubeProxy, weave, envoy, calico, agent],
    pods: [...realPods, ...agentPods],
    controllerRevisions: [
      revision(kubeProxy, 1, '8455b5959d'),
      revision(weave, 1, '8dfcd5b99'),
      revision(envoy, 1, '574cd76ddd'),
      agentRevision,
      statefulSetRevision,
    ],
  };
}
