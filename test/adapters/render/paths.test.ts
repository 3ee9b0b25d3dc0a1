import { rmSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readManifests } from '../../../functions/adapters/manifest-source.js';
import { images, makeRepo } from './repo.js';

const made: string[] = [];
const repo = (...a: Parameters<typeof makeRepo>) => {
  const d = makeRepo(...a);
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

describe('readManifests() on plain paths', () => {
  it('renders a folder holding Chart.yaml with helm: helpers, tpl, required and the image tag from appVersion', async () => {
    const dir = repo({}, { 'node-agent': 'agents/node-agent' });

    const desired = await readManifests(dir, { capabilities: { kubeVersion: '1.31.4' } });

    expect(desired.problems).toEqual([]);
    expect(images(desired)).toEqual({ 'default/node-agent': 'registry.example.com/node-agent:1.8.2' });
    const ds = desired.daemonSets[0]!;
    expect(ds.file).toBe('agents/node-agent/templates/daemonset.yaml');
    expect(ds.manifest.spec.template.spec.containers[0]!.args).toEqual(['--cluster=node-agent', '--log-level=info']);
    expect(ds.manifest.spec.template.spec.priorityClassName).toBe('system-node-critical');
    expect(ds.provenance).toMatchObject({ renderer: 'helm', path: 'agents/node-agent', releaseName: 'node-agent', renderers: { helm: 'v4.1.4' } });
    expect(desired.source.renderers).toEqual({ helm: 'v4.1.4' });
  });

  it('passes the cluster version to helm, so .Capabilities checks render as in the cluster', async () => {
    const dir = repo({}, { 'node-agent': 'node-agent' });

    const old = await readManifests(dir, { capabilities: { kubeVersion: 'v1.27.9' } });

    expect(old.daemonSets[0]!.manifest.spec.template.spec.priorityClassName).toBeUndefined();
  });

  it("reports a chart that fails to render as manifest/unrendered with helm's message, and the audit as incomplete", async () => {
    const dir = repo({}, { 'node-agent': 'node-agent' });
    writeFileSync(`${dir}/node-agent/values.yaml`, 'image: { repository: r/agent, tag: "" }\nclusterName: ""\nserviceMonitor: { enabled: false }\n');

    const desired = await readManifests(dir);

    expect(desired.daemonSets).toEqual([]);
    expect(desired.problems).toEqual([expect.objectContaining({ rule: 'manifest/unrendered', file: 'node-agent/Chart.yaml' })]);
    expect(desired.problems[0]!.message).toContain('clusterName is required');
    expect(desired.gaps.map((g) => g.source)).toEqual(['git:node-agent/Chart.yaml']);
  });

  it('says so when a chart calls lookup, which renders empty outside the cluster', async () => {
    const dir = repo({}, { 'lookup-agent': 'lookup-agent' });

    const desired = await readManifests(dir);

    expect(images(desired)).toEqual({ 'default/lookup-agent': 'registry.example.com/lookup-agent:2.0.0' });
    expect(desired.daemonSets[0]!.manifest.spec.template.spec.containers[0]!.env).toBeUndefined();
    expect(desired.source.notes).toEqual([expect.stringContaining('lookup')]);
  });

  it("inflates a kustomization's helmCharts with helm itself, then applies its images and patches with kubectl kustomize", async () => {
    const dir = repo(
      {
        'overlays/prod/kustomization.yaml': `namespace: monitoring
helmCharts:
  - name: node-agent
    releaseName: agent
    namespace: monitoring
    valuesInline:
      clusterName: prod
      logLevel: debug
images:
  - name: registry.example.com/node-agent
    newTag: 1.8.3
patches:
  - target: { kind: DaemonSet }
    patch: |
      - op: add
        path: /spec/template/spec/tolerations/-
        value: { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }
`,
      },
      { 'node-agent': 'overlays/prod/charts/node-agent' },
    );

    const desired = await readManifests(dir, { capabilities: { kubeVersion: '1.31.0' } });

    expect(desired.problems).toEqual([]);
    expect(images(desired)).toEqual({ 'monitoring/agent-node-agent': 'registry.example.com/node-agent:1.8.3' });
    const spec = desired.daemonSets[0]!.manifest.spec.template.spec;
    expect(spec.containers[0]!.args).toEqual(['--cluster=prod', '--log-level=debug']);
    expect(spec.tolerations).toEqual([
      { operator: 'Exists', effect: 'NoSchedule' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    expect(desired.daemonSets[0]!.provenance).toMatchObject({
      renderer: 'kustomize',
      path: 'overlays/prod',
      renderers: { helm: 'v4.1.4', kustomize: 'v5.7.1' },
    });
  });
});
