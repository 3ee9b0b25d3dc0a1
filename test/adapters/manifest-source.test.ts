import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planKustomize } from '../../functions/adapters/kustomize.js';
import { readManifests } from '../../functions/adapters/manifest-source.js';
import { reposRoutes, seedRepo } from '../emulators/github/repos.js';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github/server.js';
import { capture } from '../support/captures.js';

const DS = `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: kube-system }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [ { name: agent, image: r/agent:1 } ] }
`;

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'manifest-source-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Returns a new folder holding the capture at `path`, under `into` in it. */
function copyFixture(path: string, into = ''): string {
  const dir = mkdtempSync(join(tmp, 'capture-'));
  cpSync(capture(path), join(dir, into), { recursive: true });
  return dir;
}

describe('readManifests()', () => {
  it('renders a local kustomization and does not read the raw files it includes', async () => {
    const dir = copyFixture('flannel/kube-flannel', 'kube-flannel');

    const desired = await readManifests(dir);

    expect(desired.problems).toEqual([]);
    expect(desired.daemonSets.map((d) => [d.file, d.manifest.metadata.labels?.['k8s-app'], d.manifest.spec.template.spec.containers[0]!.image])).toEqual([
      ['kube-flannel/kustomization.yaml', 'flannel', 'ghcr.io/flannel-io/flannel:v0.28.9'],
    ]);
    expect(desired.managedNamespaces).toEqual(['kube-flannel']);
  });

  it('renders an overlay once and treats the base it references as consumed', async () => {
    const dir = copyFixture('node-problem-detector');

    const desired = await readManifests(dir);

    expect(desired.problems).toEqual([]);
    expect(desired.daemonSets.map((d) => [d.file, d.manifest.spec.template.spec.containers[0]!.image])).toEqual([
      ['test/e2e/manifests/kustomization.yaml', 'gcr.io/k8s-staging-npd/node-problem-detector:master'],
    ]);
  });

  it('reports manifest/unrendered for a kustomization when the configured kubectl does not exist, and still reads other files', async () => {
    const dir = copyFixture('flannel/kube-flannel', 'kube-flannel');
    writeFileSync(join(dir, 'agent.yaml'), DS);

    const desired = await readManifests(dir, { env: { PATH: '/nonexistent', DRIFT_AUDITOR_KUBECTL: '/nonexistent/kubectl' } });

    expect(desired.daemonSets.map((d) => d.file)).toEqual(['agent.yaml']);
    expect(desired.problems).toEqual([
      {
        rule: 'manifest/unrendered',
        file: 'kube-flannel/kustomization.yaml',
        message: 'kustomization in kube-flannel not rendered: DRIFT_AUDITOR_KUBECTL=/nonexistent/kubectl is not an executable file',
      },
    ]);
  });

  it('reports manifest/unrendered with the renderer message when rendering fails', async () => {
    const dir = mkdtempSync(join(tmp, 'broken-'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- missing.yaml\n');

    const desired = await readManifests(dir);

    expect(desired.problems.map((p) => [p.rule, p.file])).toEqual([['manifest/unrendered', 'kustomization.yaml']]);
    expect(desired.problems[0]!.message).toMatch(/could not be rendered|not rendered: .*missing\.yaml/);
  });

  it('records the commit and a dirty work tree for a folder inside git', async () => {
    const dir = mkdtempSync(join(tmp, 'git-'));
    writeFileSync(join(dir, 'agent.yaml'), DS);
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', dir, '-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { encoding: 'utf8' }).trim();
    git('init', '-q', '-b', 'main');
    git('add', '.');
    git('commit', '-q', '-m', 'init');
    const sha = git('rev-parse', 'HEAD');

    const clean = await readManifests(dir);
    writeFileSync(join(dir, 'agent.yaml'), DS.replace('r/agent:1', 'r/agent:2'));
    const dirty = await readManifests(dir);

    expect(clean.source).toEqual({ kind: 'folder', location: dir, commit: sha, ref: 'main', dirty: false });
    expect(dirty.source).toEqual({ kind: 'folder', location: dir, commit: sha, ref: 'main', dirty: true });
  });

  it('records no commit for a folder outside git', async () => {
    const dir = mkdtempSync(join(tmp, 'plain-'));
    writeFileSync(join(dir, 'agent.yaml'), DS);

    const desired = await readManifests(dir);

    expect(desired.source).toEqual({ kind: 'folder', location: dir });
    expect(desired.daemonSets).toHaveLength(1);
  });

  describe('with a github: spec', () => {
    let emu: GitHubEmulator;
    beforeAll(async () => {
      emu = await startGitHubEmulator(reposRoutes);
    });
    afterAll(async () => {
      await emu.close();
    });

    it('reads the repository through the GitHub source', async () => {
      const sha = seedRepo(emu.state, 'acme', 'gitops', { 'apps/agent.yaml': DS });

      const desired = await readManifests('github:acme/gitops:apps', { env: { GITHUB_API_URL: emu.url }, client: { throttle: false } });

      expect(desired.source).toEqual({ kind: 'github', location: 'acme/gitops', ref: 'main', commit: sha, path: 'apps' });
      expect(desired.daemonSets.map((d) => d.file)).toEqual(['apps/agent.yaml']);
    });
  });
});

describe('planKustomize()', () => {
  it('renders overlays, not the bases they reference, and covers both folders', () => {
    const plan = planKustomize([
      { path: 'base/kustomization.yaml', text: 'resources: [ds.yaml]' },
      { path: 'overlays/prod/kustomization.yaml', text: 'resources: [../../base, https://github.com/x/y//z]' },
      { path: 'apps/x/Kustomization', text: 'resources: [a.yaml]' },
    ]);

    expect(plan.roots).toEqual(['apps/x/Kustomization', 'overlays/prod/kustomization.yaml']);
    expect(['base/ds.yaml', 'overlays/prod/patch.yaml', 'apps/x/a.yaml', 'other/ds.yaml'].map(plan.covered)).toEqual([true, true, true, false]);
  });
});
