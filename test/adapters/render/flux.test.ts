import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifests } from '../../../functions/adapters/manifest-source.js';
import { fluxReleaseName, fluxSubstitute } from '../../../functions/adapters/render/flux.js';
import type { DesiredState } from '../../../functions/core/types.js';
import { seedRepo } from '../../emulators/github/repos.js';
import { fixtureFiles, startRenderTestEnv, type RenderTestEnv } from './gitops.js';
import { CHARTS, images, makeRepo } from './repo.js';

let env: RenderTestEnv;

beforeAll(async () => {
  env = await startRenderTestEnv([{ dir: `${CHARTS}node-agent`, versions: ['1.4.0', '1.4.7', '1.5.0'] }]);
});
afterAll(async () => {
  await env.close();
});

function expectFleet(desired: DesiredState): void {
  expect(images(desired)).toEqual({
    'kube-system/lookup-agent': 'registry.example.com/lookup-agent:2.0.0',
    'monitoring/monitoring-node-agent': 'registry.example.com/node-agent:1.8.2',
    'node-agents/log-shipper': 'registry.example.com/log-shipper:2.2.0',
  });
  expect(desired.problems.map((p) => [p.file, p.message, p.owner])).toEqual([
    [
      'clusters/prod/infrastructure.yaml',
      'Kustomization flux-system/per-cluster: postBuild.substituteFrom reads ConfigMap flux-system/cluster-vars from the cluster, which Git does not hold',
      { fluxKustomization: 'flux-system/per-cluster' },
    ],
    [
      'clusters/prod/releases.yaml',
      'HelmRelease flux-system/secret-agent: valuesFrom reads Secret flux-system/agent-values from the cluster, which Git does not hold',
      { fluxHelmRelease: 'flux-system/secret-agent', helmRelease: 'secret-agent' },
    ],
  ]);
  expect(desired.source.notes).toEqual([expect.stringContaining('HelmRelease lookup-agent: the chart calls lookup')]);
}

describe('readManifests() on a Flux repository', () => {
  it('renders Kustomizations and HelmReleases of this repository, with substitution, target namespaces and semver ranges', async () => {
    const dir = makeRepo(fixtureFiles('gitops-flux', env.helmRepo.url), {}, { origin: 'https://github.com/acme/fleet.git' });
    env.made.push(dir);

    const desired = await readManifests(`${dir}/clusters/prod`, { cacheDir: env.cacheDir });

    expectFleet(desired);
    const shipper = desired.daemonSets.find((d) => d.manifest.metadata.name === 'log-shipper')!;
    expect(shipper.manifest.spec.template.spec.containers[0]!.args).toEqual(['--cluster=prod', '--level=info', '--template=${HOSTNAME}', '--home=$HOME']);
    expect(shipper.provenance).toMatchObject({
      entryPoint: { kind: 'Kustomization', name: 'agents', namespace: 'flux-system' },
      renderer: 'kustomize',
      path: 'infrastructure/agents',
    });
    const agent = desired.daemonSets.find((d) => d.manifest.metadata.name === 'monitoring-node-agent')!;
    expect(agent.provenance).toMatchObject({
      entryPoint: { kind: 'HelmRelease', name: 'node-agent' },
      releaseName: 'monitoring-node-agent',
      chart: { name: 'node-agent', version: '1.4.7' },
    });
  });

  it('reads the same from a GitHub tarball', async () => {
    seedRepo(env.github.state, 'acme', 'fleet', fixtureFiles('gitops-flux', env.helmRepo.url));

    const desired = await readManifests('github:acme/fleet@main:clusters/prod', {
      env: { GITHUB_API_URL: env.github.url, PATH: process.env.PATH },
      client: { throttle: false },
      cacheDir: env.cacheDir,
    });

    expectFleet(desired);
  });
});

describe('fluxSubstitute()', () => {
  it.each([
    ['${a}', 'x'],
    ['${missing}', ''],
    ['${missing:=dflt}', 'dflt'],
    ['${a:=dflt}', 'x'],
    ['${empty:=dflt}', 'dflt'],
    ['${empty=dflt}', ''],
    ['$${a}', '${a}'],
    ['$a and $HOME', '$a and $HOME'],
  ])('turns %s into %s', (text, expected) => {
    expect(fluxSubstitute(text, { a: 'x', empty: '' })).toBe(expected);
  });
});

describe('fluxReleaseName()', () => {
  it.each([
    [{ releaseName: 'r', targetNamespace: 't' }, 'r'],
    [{ targetNamespace: 'monitoring' }, 'monitoring-agent'],
    [{}, 'agent'],
  ])('names the release of spec %j', (spec, expected) => {
    expect(fluxReleaseName({ metadata: { name: 'agent' }, spec })).toBe(expected);
  });
});
