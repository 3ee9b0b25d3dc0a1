// The Argo CD example (examples/argocd) audited the way `npm run example:argocd` does: the same dump and
// policy as `npm start`, the desired state rendered from an app of apps (node-exporter from a Helm chart
// with a value file, fluentd from a Kustomize overlay, the add-ons as a directory). It must find what
// the plain example finds plus the one planted drift the README names: node-exporter's memory, raised
// in the Helm values but not in the cluster.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { readManifestFolder } from '../../functions/adapters/manifest-folder.js';
import { readManifests } from '../../functions/adapters/manifest-source.js';
import { loadRules } from '../../functions/adapters/rules-loader.js';
import { audit } from '../../functions/core/audit.js';
import { parsePolicy } from '../../functions/core/policy/parse.js';
import type { Report } from '../../functions/core/types.js';
import { EXAMPLE_NOW } from '../../scripts/make-example.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let argocd: Report;
let plain: Report;

beforeAll(async () => {
  const snapshot = await readDump([`${ROOT}examples/cluster`], { cluster: 'example' });
  const rules = await loadRules(`${ROOT}rules`);
  const policy = parsePolicy(readFileSync(`${ROOT}examples/policy.yaml`, 'utf8'), 'examples/policy.yaml', rules);
  const rendered = await readManifests(`${ROOT}examples/argocd/bootstrap`, { repoURL: 'https://github.com/acme/platform', cluster: { name: 'example' } });
  argocd = audit(snapshot, rendered, policy, new Date(EXAMPLE_NOW));
  plain = audit(snapshot, await readManifestFolder(`${ROOT}examples/gitops`), policy, new Date(EXAMPLE_NOW));
});

const row = (f: Report['findings'][number]) => [f.rule, `${f.namespace}/${f.daemonSet}`, f.node, f.path ?? null].join(' ');

describe('audit() on examples/argocd', () => {
  it('finds what the plain example finds, plus the planted memory drift of node-exporter\'s Helm values', () => {
    const planted = [
      'spec/drift monitoring/node-exporter  spec.template.spec.containers[name=node-exporter].resources.limits.memory',
      'spec/drift monitoring/node-exporter  spec.template.spec.containers[name=node-exporter].resources.requests.memory',
    ];

    expect(argocd.findings.map(row).sort()).toEqual([...plain.findings.map(row), ...planted].sort());
    expect(argocd.complete).toBe(true);
  });

  it('names where each DaemonSet came from: the Application, the renderer and its inputs', () => {
    const of = (name: string) => argocd.coverage.find((c) => c.name === name)?.provenance;

    expect(argocd.inputs.desired.renderers).toEqual({ helm: 'v4.1.4', kubectl: 'v1.35.2', kustomize: 'v5.7.1' });
    expect(of('node-exporter')).toMatchObject({
      entryPoint: { kind: 'Application', name: 'node-exporter', namespace: 'argocd', file: 'examples/argocd/apps/node-exporter.yaml' },
      renderer: 'helm', path: 'examples/argocd/charts/node-exporter', releaseName: 'node-exporter', valueFiles: ['examples/argocd/values/node-exporter.yaml'],
    });
    expect(of('fluentd')).toMatchObject({ entryPoint: { name: 'fluentd' }, renderer: 'kustomize', path: 'examples/argocd/overlays/fluentd' });
    expect(of('aws-node')).toMatchObject({ entryPoint: { name: 'addons' }, renderer: 'plain', path: 'examples/argocd/addons/aws-k8s-cni.yaml' });
    expect(of('netshoot-debug')).toBeUndefined();
  });
});
