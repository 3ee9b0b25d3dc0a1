// Issue: Git's `initialDelaySeconds: 0` read as drift because the API server never returns the zero value of
// a non-pointer omitempty field. These tests hold the API types' rule against every upstream manifest we keep.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import { parseManifestFile } from '../../../functions/core/manifests.js';
import { diffDaemonSets } from '../../../functions/core/spec-drift/index.js';
import { daemonSet } from '../../support/builders.js';

/**
 * Fields that are pointers in kubernetes/api@v0.34.0 core/v1 and apps/v1 (checked by hand against the struct tags):
 * the server keeps their zero. The test's own list, independent of functions/core/spec-drift/api-fields.ts.
 */
const POINTERS = new Set([
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'fsGroup',
  'privileged',
  'allowPrivilegeEscalation',
  'readOnlyRootFilesystem',
  'terminationGracePeriodSeconds',
  'optional',
  'automountServiceAccountToken',
  'enableServiceLinks',
  'defaultMode',
  'mode',
  'expirationSeconds',
  'tolerationSeconds',
  'hostUsers',
  'shareProcessNamespace',
  'setHostnameAsFQDN',
  'activeDeadlineSeconds',
  'priority',
  'revisionHistoryLimit',
  'maxUnavailable',
  'maxSurge',
  'containerPort',
  'hostPort',
  'port',
]);
/** Maps whose keys are user data (a label `x: ""` is a value, not a zero field). */
const USER_MAPS = new Set(['labels', 'annotations', 'matchLabels', 'nodeSelector', 'limits', 'requests', 'data']);

/** What the API server returns for a stored manifest: zero scalars of non-pointer fields omitted; `count` counts them. */
function asServerReturns(v: unknown, count: { n: number }, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => asServerReturns(x, count));
  if (typeof v !== 'object' || v === null) return v;
  if (USER_MAPS.has(key)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if ((x === 0 || x === false || x === '') && !POINTERS.has(k) && k !== 'value' && k !== 'name') {
      count.n++;
      continue;
    }
    out[k] = asServerReturns(x, count, k);
  }
  return out;
}

function upstreamDaemonSets(): { file: string; ds: K8sDaemonSet }[] {
  const out: { file: string; ds: K8sDaemonSet }[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(name))
        for (const d of parseManifestFile(name, readFileSync(p, 'utf8')).daemonSets) out.push({ file: relative('.', p), ds: d.manifest });
    }
  };
  walk('test/fixtures');
  walk('examples/gitops');
  return out;
}

describe('diffDaemonSets() and zero values', () => {
  it('reads a zero of a non-pointer omitempty field as absent (initialDelaySeconds: 0, hostNetwork: false, workingDir: "")', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [{ name: 'agent', image: 'r/agent:1.0', workingDir: '', livenessProbe: { httpGet: { port: 8080 }, initialDelaySeconds: 0 } }],
    });
    git.spec.template.spec.hostNetwork = false;
    git.spec.minReadySeconds = 0;
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/agent:1.0', livenessProbe: { httpGet: { port: 8080 } } }] });

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('defaults a zero that the server defaults (timeoutSeconds: 0 is 1)', () => {
    const git = daemonSet('agent', {
      asManifest: true,
      containers: [{ name: 'agent', image: 'r/agent:1.0', readinessProbe: { tcpSocket: { port: 53 }, timeoutSeconds: 0 } }],
    });
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/agent:1.0', readinessProbe: { tcpSocket: { port: 53 }, timeoutSeconds: 1 } }] });

    expect(diffDaemonSets(git, live)).toEqual([]);
  });

  it('keeps the zero of a pointer field: runAsUser: 0 (root) in Git and absent in the cluster is drift', () => {
    const git = daemonSet('agent', { asManifest: true, containers: [{ name: 'agent', image: 'r/agent:1.0', securityContext: { runAsUser: 0 } }] });
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/agent:1.0' }] });

    expect(diffDaemonSets(git, live).map((d) => d.path)).toEqual(['spec.template.spec.containers[name=agent].securityContext']);
  });

  it('keeps maxUnavailable: 0 apart from the default 1', () => {
    const git = daemonSet('agent', { asManifest: true, containers: [{ name: 'agent', image: 'r/agent:1.0' }] });
    git.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } };
    const live = daemonSet('agent', { containers: [{ name: 'agent', image: 'r/agent:1.0' }] });

    expect(diffDaemonSets(git, live).length).toBeGreaterThan(0);
  });

  it('shows no drift for any upstream manifest in the fixtures against what the API server returns for it', () => {
    const all = upstreamDaemonSets();
    const count = { n: 0 };

    const drifted = all.flatMap(({ file, ds }) =>
      diffDaemonSets(ds, asServerReturns(ds, count) as K8sDaemonSet).map((d) => `${file} ${ds.metadata.name}: ${d.path}`),
    );

    expect(all.length).toBeGreaterThan(10);
    expect(count.n).toBeGreaterThan(5); // the sweep really removed zero values (kube-proxy, flannel, ebs-csi, …)
    expect(drifted).toEqual([]);
  });

  it('shows no drift for falco, whose probes set initialDelaySeconds: 0, against the same DaemonSet without them', () => {
    const [falco] = parseManifestFile('falco-daemonset.yaml', readFileSync('test/fixtures/captures/deploy-kubernetes/falco-daemonset.yaml', 'utf8')).daemonSets;
    const live = structuredClone(falco!.manifest);
    let removed = 0;
    for (const c of live.spec.template.spec.containers) {
      for (const probe of [c.livenessProbe, c.readinessProbe]) {
        if (probe && (probe as { initialDelaySeconds?: number }).initialDelaySeconds === 0) {
          delete (probe as { initialDelaySeconds?: number }).initialDelaySeconds;
          removed++;
        }
      }
    }

    expect(removed).toBe(2);
    expect(diffDaemonSets(falco!.manifest, live)).toEqual([]);
  });
});
