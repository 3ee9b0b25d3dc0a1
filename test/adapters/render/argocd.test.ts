import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifests } from '../../../functions/adapters/manifest-source.js';
import { destinationMatches, globMatch, instantiateTemplate } from '../../../functions/adapters/render/argocd.js';
import { parseImageOverride } from '../../../functions/adapters/render/kustomize.js';
import type { DesiredState } from '../../../functions/core/types.js';
import { seedRepo } from '../../emulators/github/repos.js';
import { fixtureFiles, startRenderTestEnv, type RenderTestEnv } from './gitops.js';
import { CHARTS, images, makeRepo } from './repo.js';

const PROD = { name: 'prod', server: 'https://prod.k8s.example.com' };
let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv([
    { dir: `${CHARTS}node-agent`, versions: ['1.4.0'] },
    { dir: `${CHARTS}node-agent`, versions: ['1.5.0'], appVersion: '1.9.0' },
  ]);
});
afterAll(async () => {
  await env.close();
});

function platformRepo(extra: Record<string, string> = {}): string {
  const dir = makeRepo({ ...fixtureFiles('gitops-argocd', env.helmRepo.url), ...extra }, {}, { origin: 'git@github.com:acme/platform.git' });
  env.made.push(dir);
  return dir;
}

/** What the app-of-apps fixture renders for the prod cluster, read from a folder or GitHub. */
function expectProdState(desired: DesiredState): void {
  expect(desired.problems).toEqual([]);
  expect(desired.gaps).toEqual([]);
  expect(images(desired)).toEqual({
    'kube-system/prod-node-problem-detector': 'registry.example.com/npd:v0.8.21',
    'logging/logs': 'registry.example.com/node-agent:1.9.0',
    'monitoring/agent-node-agent': 'registry.example.com/node-agent:1.8.3',
    'probes/probe': 'registry.example.com/probe:2.1',
    'team/team-agent': 'registry.example.com/team-agent:3',
  });
  expect(desired.managedNamespaces).toEqual(['argocd', 'kube-system', 'logging', 'monitoring', 'probes', 'team']);
}

describe('readManifests() on an Argo CD app of apps', () => {
  it("renders each Application destined to the cluster, following child Applications whatever the parent's destination", async () => {
    const dir = platformRepo();

    const desired = await readManifests(`${dir}/bootstrap`, { cluster: PROD, cacheDir: env.cacheDir });

    expectProdState(desired);
  });

  it('reads the repository root as its Applications render it, not its charts and overlays as plain paths', async () => {
    const dir = platformRepo();

    const desired = await readManifests(dir, { cluster: PROD, cacheDir: env.cacheDir });

    expectProdState(desired);
  });

  it('reads the same from a GitHub tarball', async () => {
    seedRepo(env.github.state, 'acme', 'platform', fixtureFiles('gitops-argocd', env.helmRepo.url));

    const desired = await readManifests('github:acme/platform@main:bootstrap', {
      env: { GITHUB_API_URL: env.github.url, PATH: process.env.PATH },
      client: { throttle: false },
      cluster: PROD,
      cacheDir: env.cacheDir,
    });

    expectProdState(desired);
    expect(desired.daemonSets[0]!.provenance?.commit).toBe(desired.source.commit);
  });

  it("applies Helm values with Argo CD's precedence: chart < value files in order < valuesObject (over values) < parameters", async () => {
    const dir = platformRepo();

    const desired = await readManifests(`${dir}/bootstrap`, { cluster: PROD, cacheDir: env.cacheDir });

    const agent = desired.daemonSets.find((d) => d.manifest.metadata.name === 'agent-node-agent')!;
    const pod = agent.manifest.spec.template;
    expect(pod.spec.containers[0]!.args).toEqual(['--cluster=agent-prod', '--log-level=error', '--collector.systemd']);
    expect(pod.spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(pod.metadata?.annotations?.from).toBe('valuesObject');
    expect(agent.provenance).toMatchObject({
      entryPoint: { kind: 'Application', name: 'node-agent', namespace: 'argocd', file: 'apps/node-agent.yaml' },
      renderer: 'helm',
      path: 'charts/node-agent',
      releaseName: 'agent',
      valueFiles: ['values/common.yaml', 'values/prod.yaml'],
    });
  });

  it('pulls a chart from a Helm repository by version, checks its digest, and resolves $values from the ref source', async () => {
    const dir = platformRepo();

    const desired = await readManifests(`${dir}/bootstrap`, { cluster: PROD, cacheDir: env.cacheDir });

    const logs = desired.daemonSets.find((d) => d.manifest.metadata.name === 'logs')!;
    expect(logs.provenance).toMatchObject({
      entryPoint: { kind: 'Application', name: 'logs' },
      renderer: 'helm',
      releaseName: 'logs',
      valueFiles: ['values/logs.yaml'],
      chart: { name: 'node-agent', version: '1.5.0', repo: env.helmRepo.url, digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) },
    });
    expect(logs.manifest.spec.template.spec.containers[0]!.args).toEqual(['--cluster=prod', '--log-level=info']);
  });

  it("applies the Application's kustomize images, namePrefix and commonLabels on top of the overlay's patches", async () => {
    const dir = platformRepo();

    const desired = await readManifests(`${dir}/bootstrap`, { cluster: PROD, cacheDir: env.cacheDir });

    const npd = desired.daemonSets.find((d) => d.manifest.metadata.name === 'prod-node-problem-detector')!;
    expect(npd.manifest.metadata.labels).toEqual({ team: 'node' });
    expect(npd.manifest.spec.template.spec.tolerations).toEqual([{ operator: 'Exists', effect: 'NoExecute' }]);
    expect(npd.provenance).toMatchObject({ renderer: 'kustomize', path: 'overlays/npd', entryPoint: { name: 'npd' } });
  });

  it('ignores Applications for other clusters entirely, and counts them when the audited cluster is that one', async () => {
    const dir = platformRepo();

    const staging = await readManifests(`${dir}/bootstrap`, { cluster: { name: 'staging' }, cacheDir: env.cacheDir });

    expect(images(staging)).toEqual({
      'probes/probe': 'registry.example.com/probe:2.1',
      'staging-only/staging-agent': 'registry.example.com/staging-agent:1',
    });
  });

  it('makes a repository whose Applications render nothing for the audited cluster a gap, not an empty desired state', async () => {
    const dir = platformRepo({
      'bootstrap/root.yaml': app('root', { repoURL: 'https://github.com/acme/platform', path: 'apps-elsewhere' }).replace(
        '"name":"prod"',
        '"name":"in-cluster"',
      ),
      'apps-elsewhere/a.yaml': app('a', { repoURL: 'https://github.com/acme/platform', path: 'charts/node-agent' }).replace('"name":"prod"', '"name":"eu-1"'),
      'apps-elsewhere/b.yaml': app('b', { repoURL: 'https://github.com/acme/platform', path: 'charts/node-agent' }).replace(
        '"name":"prod"',
        '"server":"https://us-2.example.com"',
      ),
    });

    const desired = await readManifests(`${dir}/bootstrap`, { cluster: PROD, cacheDir: env.cacheDir });
    const eu = await readManifests(`${dir}/bootstrap`, { cluster: { name: 'eu-1' }, cacheDir: env.cacheDir });

    expect([desired.daemonSets, desired.problems]).toEqual([[], []]);
    expect(desired.gaps).toEqual([
      {
        source: 'render:bootstrap',
        message:
          "failed to find the desired state of 'prod' (https://prod.k8s.example.com) in bootstrap: its GitOps objects render nothing for it; its Applications are destined to eu-1, https://us-2.example.com; name the cluster with --cluster or --cluster-server, or audit with --live-only",
      },
    ]);
    expect([eu.gaps, Object.keys(images(eu))]).toEqual([[], ['a/a-node-agent']]);
  });

  it('names what cannot be rendered: another repository, a missing value file, an unsupported generator', async () => {
    const dir = platformRepo({
      'apps/elsewhere.yaml': app('elsewhere', { repoURL: 'https://github.com/other/repo', path: 'x' }),
      'apps/broken.yaml': app('broken', { repoURL: 'https://github.com/acme/platform', path: 'charts/node-agent', helm: { valueFiles: ['missing.yaml'] } }),
      'apps/matrix.yaml':
        'apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: { name: matrix, namespace: argocd }\nspec:\n  generators: [ { matrix: { generators: [] } } ]\n  template: {}\n',
    });

    const desired = await readManifests(`${dir}/bootstrap`, { cluster: PROD, cacheDir: env.cacheDir });

    expect(desired.problems.map((p) => [p.rule, p.file, p.message, p.owner])).toEqual([
      ['manifest/unrendered', 'apps/broken.yaml', 'Application argocd/broken: value file missing.yaml does not exist', { argocdApp: 'broken' }],
      [
        'manifest/unrendered',
        'apps/elsewhere.yaml',
        'Application argocd/elsewhere: source https://github.com/other/repo is not the repository read (https://github.com/acme/platform)',
        { argocdApp: 'elsewhere' },
      ],
      [
        'manifest/unrendered',
        'apps/matrix.yaml',
        'ApplicationSet argocd/matrix: the matrix generator is not supported (only list, git and clusters are)',
        undefined,
      ],
    ]);
    expect(desired.gaps).toHaveLength(3);
  });
});

function app(name: string, source: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { source, destination: { name: 'prod', namespace: name } },
  });
}

describe('destinationMatches()', () => {
  it.each([
    [{ name: 'prod' }, { name: 'prod' }, true],
    [{ name: 'staging' }, { name: 'prod' }, false],
    [{ server: 'https://prod.k8s.example.com/' }, { name: 'prod', server: 'https://prod.k8s.example.com' }, true],
    [{ server: 'https://kubernetes.default.svc' }, { name: 'prod' }, true],
    [{ server: 'https://kubernetes.default.svc' }, { name: 'prod', argocdCluster: 'hub' }, false],
    [{ name: 'in-cluster' }, { name: 'hub', argocdCluster: 'hub' }, true],
    [{}, { name: 'prod' }, false],
  ])('%j for cluster %j is %s', (dest, cluster, expected) => {
    expect(destinationMatches(dest, cluster)).toBe(expected);
  });
});

describe('parseImageOverride()', () => {
  it.each([
    ['nginx:1.27', { name: 'nginx', newTag: '1.27' }],
    ['nginx=registry.example.com/nginx:1.27', { name: 'nginx', newName: 'registry.example.com/nginx', newTag: '1.27' }],
    ['registry:5000/agent@sha256:abc', { name: 'registry:5000/agent', digest: 'sha256:abc' }],
  ])('reads %s as kustomize edit set image does', (spec, expected) => {
    expect(parseImageOverride(spec)).toEqual(expected);
  });
});

describe('instantiateTemplate()', () => {
  it('fills fasttemplate and goTemplate parameters', () => {
    const params = { cluster: 'prod', path: { path: 'agents/fluent-bit', basename: 'fluent-bit', segments: ['agents', 'fluent-bit'] } };

    expect(instantiateTemplate({ name: '{{cluster}}-{{path.basename}}', p: '{{path}}', s: '{{path[0]}}' }, params, false)).toEqual({
      name: 'prod-fluent-bit',
      p: 'agents/fluent-bit',
      s: 'agents',
    });
    expect(instantiateTemplate({ name: '{{ .cluster }}-{{ .path.basename }}' }, params, true)).toEqual({ name: 'prod-fluent-bit' });
  });

  it.each([
    ['a YAML key and value', 'prod\nspec: {destination: {server: https://evil}}'],
    ['a template of another parameter', '{{name}}-{{ .server }}'],
    ['quotes and a YAML flow mapping', `x" , injected: "1', {a: 1}`],
  ])('keeps a cluster label holding %s one literal string, adding no field', (_what, value) => {
    const params = { name: 'spoke', server: 'https://spoke', metadata: { labels: { env: value }, annotations: {} } };
    const template = { metadata: { name: 'agent-{{metadata.labels.env}}' }, spec: { source: { path: 'envs/{{ .metadata.labels.env }}' } } };

    expect([instantiateTemplate(template, params, false), instantiateTemplate(template, params, true)]).toEqual([
      { metadata: { name: `agent-${value}` }, spec: { source: { path: `envs/${value}` } } },
      { metadata: { name: `agent-${value}` }, spec: { source: { path: `envs/${value}` } } },
    ]);
  });

  it('leaves a name no parameter set holds as written, even one every object inherits (constructor, __proto__)', () => {
    const params = { name: 'spoke', metadata: { labels: {}, annotations: {} } };

    expect(instantiateTemplate({ a: '{{metadata.labels.constructor}}', b: '{{ .metadata.__proto__ }}', c: '{{toString}}' }, params, true)).toEqual({
      a: '{{metadata.labels.constructor}}',
      b: '{{ .metadata.__proto__ }}',
      c: '{{toString}}',
    });
  });

  it('globMatch() matches Argo CD directory include patterns', () => {
    expect(globMatch('{*.yaml,*.yml}', 'a/b.yml')).toBe(true);
    expect(globMatch('*.json', 'b.yaml')).toBe(false);
  });
});
