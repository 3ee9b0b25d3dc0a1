import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifests } from '../../../functions/adapters/manifest-source.js';
import { isLoopbackHost } from '../../../functions/adapters/render/chart-source.js';
import { findTool } from '../../../functions/adapters/tools.js';
import { audit } from '../../../functions/core/audit.js';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import type { DesiredState } from '../../../functions/core/types.js';
import { pushChart, startOciRegistry, type OciRegistry } from '../../emulators/oci-registry/server.js';
import { defaultPolicy, node, pod, snapshotOf } from '../../support/builders.js';
import { CHARTS, images, makeRepo } from './repo.js';

const AUTH = { username: 'robot$drift', password: 'oci-Pa55word-never-on-argv' };
const AT = new Date('2026-11-20T10:00:00Z');
let privateRegistry: OciRegistry;
let publicRegistry: OciRegistry;
let helm: string;
const made: string[] = [];

beforeAll(async () => {
  helm = await findTool('helm');
  privateRegistry = await startOciRegistry({ auth: AUTH });
  publicRegistry = await startOciRegistry();
  await pushChart(privateRegistry, { helm, chartDir: `${CHARTS}node-agent`, version: '1.4.0', path: 'charts', auth: AUTH });
  await pushChart(publicRegistry, { helm, chartDir: `${CHARTS}node-agent`, version: '1.4.0', path: 'charts' });
  await pushChart(publicRegistry, { helm, chartDir: `${CHARTS}node-agent`, version: '1.4.7', appVersion: '1.8.3', path: 'charts' });
  await pushChart(publicRegistry, { helm, chartDir: `${CHARTS}node-agent`, version: '1.5.0', appVersion: '1.9.0', path: 'charts' });
});
afterAll(async () => {
  await privateRegistry.close();
  await publicRegistry.close();
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

function repo(files: Record<string, string>): string {
  const d = makeRepo(files);
  made.push(d);
  return d;
}

function application(name: string, source: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd' },
    spec: { project: 'default', source, destination: { name: 'prod', namespace: 'monitoring' } },
  });
}

/** An Argo CD Application pulling node-agent 1.4.0 from the private registry as Argo CD writes it: repoURL without scheme, plus chart. */
function privateApp(): Record<string, string> {
  return {
    'apps/agent.yaml': application('agent', {
      repoURL: `${privateRegistry.host}/charts`,
      chart: 'node-agent',
      targetRevision: '1.4.0',
      helm: { valuesObject: { clusterName: 'prod', logLevel: 'warn', serviceMonitor: { enabled: false } } },
    }),
  };
}

const credentials = (registry: OciRegistry, password = AUTH.password) => JSON.stringify({ [`oci://${registry.host}`]: { username: AUTH.username, password } });

/** The live DaemonSet as the cluster holds what was rendered: server fields, Argo CD's instance label, and `image` if given. */
function live(rendered: K8sDaemonSet, image?: string): K8sDaemonSet {
  const ds = structuredClone(rendered);
  ds.metadata = {
    ...ds.metadata,
    uid: 'uid-agent',
    generation: 1,
    creationTimestamp: '2026-11-01T00:00:00Z',
    labels: { ...ds.metadata.labels, 'app.kubernetes.io/instance': 'agent' },
  };
  if (image) ds.spec.template.spec.containers[0]!.image = image;
  return ds;
}

/** Audits one Linux node running `ds` against `desired`; returns the findings about Git (spec, image, manifest, resource) and completeness. */
function compare(ds: K8sDaemonSet, desired: DesiredState): { findings: string[][]; complete: boolean } {
  const report = audit(
    snapshotOf({ cluster: 'prod', nodes: [node('n1', { labels: { 'kubernetes.io/os': 'linux' } })], daemonSets: [ds], pods: [pod(ds, 'n1')] }),
    desired,
    defaultPolicy(),
    AT,
  );
  const findings = report.findings.filter((f) => /^(spec|image|manifest|resource)\//.test(f.rule)).map((f) => [f.rule, f.daemonSet]);
  return { findings, complete: report.complete };
}

describe('readManifests() with Helm charts from OCI registries', () => {
  it('renders an Argo CD Application whose chart is in a private OCI registry, and a live DaemonSet that matches it shows no drift', async () => {
    const dir = repo(privateApp());

    const desired = await readManifests(dir, {
      cluster: { name: 'prod' },
      cacheDir: temp('oci-cache-'),
      env: { PATH: process.env.PATH, DRIFT_AUDITOR_HELM_CREDENTIALS: credentials(privateRegistry) },
    });

    expect(desired.problems).toEqual([]);
    expect(images(desired)).toEqual({ 'monitoring/agent-node-agent': 'registry.example.com/node-agent:1.8.2' });
    const agent = desired.daemonSets[0]!;
    expect(agent.manifest.spec.template.spec.containers[0]!.args).toEqual(['--cluster=prod', '--log-level=warn']);
    const layer = pushedLayerDigest(privateRegistry, 'charts/node-agent', '1.4.0');
    expect(agent.provenance).toMatchObject({
      entryPoint: { kind: 'Application', name: 'agent' },
      renderer: 'helm',
      releaseName: 'agent',
      chart: { name: 'node-agent', version: '1.4.0', repo: `oci://${privateRegistry.host}/charts`, digest: layer },
    });
    expect(compare(live(agent.manifest), desired)).toEqual({ findings: [], complete: true });
    expect(compare(live(agent.manifest, 'registry.example.com/node-agent:1.8.1'), desired).findings).toContainEqual(['image/drift', 'agent-node-agent']);
  });

  it('reads the Argo CD 3.1 form: an oci:// repoURL naming the chart itself, with path "."', async () => {
    const dir = repo({
      'apps/agent.yaml': application('agent', {
        repoURL: `oci://${publicRegistry.host}/charts/node-agent`,
        path: '.',
        targetRevision: '1.5.0',
        helm: { valuesObject: { clusterName: 'prod' } },
      }),
    });

    const desired = await readManifests(dir, { cluster: { name: 'prod' }, cacheDir: temp('oci-cache-') });

    expect(desired.problems).toEqual([]);
    expect(images(desired)).toEqual({ 'monitoring/agent-node-agent': 'registry.example.com/node-agent:1.9.0' });
    expect(desired.daemonSets[0]!.provenance?.chart).toMatchObject({ name: 'node-agent', version: '1.5.0', repo: `oci://${publicRegistry.host}/charts` });
  });

  it('renders Flux HelmReleases from a HelmRepository of type oci (a semver range) and from an OCIRepository chartRef', async () => {
    const dir = repo({ 'clusters/prod/releases.yaml': fluxReleases(publicRegistry) });

    const desired = await readManifests(`${dir}/clusters/prod`, { cacheDir: temp('oci-cache-') });

    expect(desired.problems).toEqual([]);
    expect(images(desired)).toEqual({
      'logging/logs-node-agent': 'registry.example.com/node-agent:1.9.0',
      'monitoring/monitoring-node-agent': 'registry.example.com/node-agent:1.8.3',
    });
    const byName = Object.fromEntries(desired.daemonSets.map((d) => [d.manifest.metadata.name, d.provenance?.chart?.version]));
    expect(byName).toEqual({ 'logs-node-agent': '1.5.0', 'monitoring-node-agent': '1.4.7' });
  });

  it('makes a private chart without credentials a manifest/unrendered gap naming the chart, and its live DaemonSet is never clean', async () => {
    const dir = repo(privateApp());

    const desired = await readManifests(dir, { cluster: { name: 'prod' }, cacheDir: temp('oci-cache-'), env: { PATH: process.env.PATH } });

    expect(desired.daemonSets).toEqual([]);
    expect(desired.problems.map((p) => [p.rule, p.file, p.message])).toEqual([
      [
        'manifest/unrendered',
        'apps/agent.yaml',
        `Application argocd/agent: failed to pull chart oci://${privateRegistry.host}/charts/node-agent 1.4.0: a private registry, and no credentials for it (set DRIFT_AUDITOR_HELM_CREDENTIALS)`,
      ],
    ]);
    const rendered = (
      await readManifests(repo(privateApp()), {
        cluster: { name: 'prod' },
        cacheDir: temp('oci-cache-'),
        env: { PATH: process.env.PATH, DRIFT_AUDITOR_HELM_CREDENTIALS: credentials(privateRegistry) },
      })
    ).daemonSets[0]!;
    expect(compare(live(rendered.manifest), desired)).toEqual({
      findings: [
        ['manifest/unrendered', ''],
        ['manifest/unrendered', 'agent-node-agent'],
      ],
      complete: false,
    });
  });

  it('makes refused credentials a gap naming the chart too, without echoing the password', async () => {
    const dir = repo(privateApp());

    const desired = await readManifests(dir, {
      cluster: { name: 'prod' },
      cacheDir: temp('oci-cache-'),
      env: { PATH: process.env.PATH, DRIFT_AUDITOR_HELM_CREDENTIALS: credentials(privateRegistry, 'wrong-password') },
    });

    expect(desired.problems.map((p) => p.message)).toEqual([
      `Application argocd/agent: failed to pull chart oci://${privateRegistry.host}/charts/node-agent 1.4.0: the registry refused the credentials`,
    ]);
    expect(desired.gaps).toHaveLength(1);
  });

  it('caches a pinned chart with its digest: a second read asks the registry nothing', async () => {
    const cacheDir = temp('oci-cache-');
    const env = { PATH: process.env.PATH, DRIFT_AUDITOR_HELM_CREDENTIALS: credentials(privateRegistry) };
    const first = await readManifests(repo(privateApp()), { cluster: { name: 'prod' }, cacheDir, env });
    const requests = privateRegistry.log.length;

    const second = await readManifests(repo(privateApp()), { cluster: { name: 'prod' }, cacheDir, env });

    expect(privateRegistry.log.length).toBe(requests);
    expect(second.daemonSets[0]!.provenance?.chart).toEqual(first.daemonSets[0]!.provenance?.chart);
  });

  it('never gives helm the password on its command line, and leaves no registry config behind', async () => {
    const bin = temp('helm-wrapper-');
    const argvLog = join(bin, 'argv.log');
    writeFileSync(
      join(bin, 'helm'),
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a" >> '${argvLog}'; done\nprintf -- '--\\n' >> '${argvLog}'\nexec '${helm}' "$@"\n`,
    );
    chmodSync(join(bin, 'helm'), 0o755);
    const cacheDir = temp('oci-cache-');

    const desired = await readManifests(repo(privateApp()), {
      cluster: { name: 'prod' },
      cacheDir,
      env: { PATH: process.env.PATH, DRIFT_AUDITOR_HELM: join(bin, 'helm'), DRIFT_AUDITOR_HELM_CREDENTIALS: credentials(privateRegistry) },
    });

    expect(desired.problems).toEqual([]);
    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).toContain('pull\n');
    expect(argv).toContain('--registry-config\n');
    expect(argv).not.toContain(AUTH.password);
    expect(argv).not.toContain('--password');
    const configs = argv.split('\n').flatMap((a, i, all) => (all[i - 1] === '--registry-config' ? [a] : []));
    expect(configs.length).toBeGreaterThan(0);
    expect(
      configs.filter((c) => {
        try {
          readFileSync(c);
          return true;
        } catch {
          return false;
        }
      }),
    ).toEqual([]);
  });
});

describe('isLoopbackHost()', () => {
  it.each([
    ['127.0.0.1:5000', true],
    ['localhost:5000', true],
    ['[::1]:5000', true],
    ['127.10.0.3', true],
    ['registry.example.com', false],
    ['127.0.0.1.example.com:5000', false],
    ['10.0.0.1:5000', false],
  ])('%s is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('readManifests() with DRIFT_AUDITOR_OCI_PLAIN_HTTP', () => {
  it('refuses a value that names no registry (plain HTTP is granted per registry, never to all)', async () => {
    const dir = repo({ 'apps/agent.yaml': application('agent', { repoURL: 'registry.example.com/charts', chart: 'node-agent', targetRevision: '1.4.0' }) });

    const desired = await readManifests(dir, {
      cluster: { name: 'prod' },
      cacheDir: temp('oci-cache-'),
      env: { PATH: process.env.PATH, DRIFT_AUDITOR_OCI_PLAIN_HTTP: '1' },
    });

    expect(desired.problems.map((p) => p.message)).toEqual([
      "Application argocd/agent: DRIFT_AUDITOR_OCI_PLAIN_HTTP must list registry hosts (host[:port], comma-separated), not '1'",
    ]);
  });
});

function fluxReleases(registry: OciRegistry): string {
  return `apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: { name: oci-charts, namespace: flux-system }
spec:
  type: oci
  interval: 1h
  url: oci://${registry.host}/charts
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: node-agent, namespace: flux-system }
spec:
  interval: 10m
  targetNamespace: monitoring
  chart:
    spec:
      chart: node-agent
      version: ">=1.4.0 <1.5.0"
      sourceRef: { kind: HelmRepository, name: oci-charts }
  values: { clusterName: prod }
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: { name: node-agent, namespace: flux-system }
spec:
  interval: 1h
  url: oci://${registry.host}/charts/node-agent
  ref: { semver: "1.5.x", tag: "1.4.0" }
  layerSelector: { mediaType: application/vnd.cncf.helm.chart.content.v1.tar+gzip, operation: copy }
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: { name: logs, namespace: logging }
spec:
  interval: 10m
  releaseName: logs
  chartRef: { kind: OCIRepository, name: node-agent, namespace: flux-system }
  values: { clusterName: prod }
`;
}

/** The digest of the chart layer the registry holds for `repo:tag`, as `sha256:…`. */
function pushedLayerDigest(registry: OciRegistry, repoName: string, tag: string): string {
  const manifest = JSON.parse(registry.blobs.get(registry.tags.get(repoName)!.get(tag)!)!.toString('utf8')) as {
    layers: { mediaType: string; digest: string }[];
  };
  return manifest.layers.find((l) => l.mediaType === 'application/vnd.cncf.helm.chart.content.v1.tar+gzip')!.digest;
}
