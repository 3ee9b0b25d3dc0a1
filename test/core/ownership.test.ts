import { describe, expect, it } from 'vitest';
import { audit } from '../../functions/core/audit.js';
import { ownedBy } from '../../functions/core/ownership.js';
import { normaliseDaemonSet } from '../../functions/core/spec-drift/normalise.js';
import type { ManifestProblem } from '../../functions/core/types.js';
import { daemonSet, defaultPolicy, desiredOf, node, snapshotOf } from '../support/builders.js';

const AT = new Date('2026-11-20T10:00:00Z');

function marked(key: string, labels: Record<string, string>, annotations: Record<string, string> = {}) {
  const ds = daemonSet(key);
  ds.metadata.labels = { ...ds.metadata.labels, ...labels };
  ds.metadata.annotations = { ...ds.metadata.annotations, ...annotations };
  return ds;
}

describe('ownedBy()', () => {
  it.each([
    [{ argocdApp: 'agents' }, {}, { 'argocd.argoproj.io/tracking-id': 'agents:apps/DaemonSet:monitoring/agent' }, true],
    [{ argocdApp: 'agents' }, {}, { 'argocd.argoproj.io/tracking-id': 'team_agents:apps/DaemonSet:monitoring/agent' }, true],
    [{ argocdApp: 'agents' }, { 'app.kubernetes.io/instance': 'agents' }, {}, true],
    [{ argocdApp: 'agents' }, {}, { 'argocd.argoproj.io/tracking-id': 'other:apps/DaemonSet:monitoring/agent' }, false],
    [
      { fluxKustomization: 'flux-system/infra' },
      { 'kustomize.toolkit.fluxcd.io/name': 'infra', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
      {},
      true,
    ],
    [{ fluxHelmRelease: 'flux-system/agent' }, { 'helm.toolkit.fluxcd.io/name': 'agent', 'helm.toolkit.fluxcd.io/namespace': 'other' }, {}, false],
    [{ helmRelease: 'agent' }, {}, { 'meta.helm.sh/release-name': 'agent' }, true],
  ])('owner %j of labels %j and annotations %j is %s', (owner, labels, annotations, expected) => {
    expect(ownedBy(marked('monitoring/agent', labels, annotations), owner)).toBe(expected);
  });
});

describe('audit() with an unrendered entry point', () => {
  it('names the live DaemonSets it owns with manifest/unrendered, never resource/unmanaged, and the report is incomplete', () => {
    const owned = marked('monitoring/agent', { 'helm.toolkit.fluxcd.io/name': 'agent', 'helm.toolkit.fluxcd.io/namespace': 'flux-system' });
    const stray = daemonSet('monitoring/debug');
    const problem: ManifestProblem = {
      rule: 'manifest/unrendered',
      file: 'clusters/prod/releases.yaml',
      owner: { fluxHelmRelease: 'flux-system/agent' },
      message: 'HelmRelease flux-system/agent: valuesFrom reads Secret flux-system/agent-values from the cluster, which Git does not hold',
    };
    const desired = desiredOf([daemonSet('monitoring/exporter')], { problems: [problem] });
    desired.gaps.push({ source: 'git:clusters/prod/releases.yaml', message: problem.message });

    const report = audit(snapshotOf({ nodes: [node('n1')], daemonSets: [owned, stray, daemonSet('monitoring/exporter')] }), desired, defaultPolicy(), AT);

    const byDs = report.findings.filter((f) => f.rule.startsWith('manifest/') || f.rule === 'resource/unmanaged').map((f) => [f.rule, f.daemonSet]);
    expect(byDs).toEqual(
      expect.arrayContaining([
        ['manifest/unrendered', 'agent'],
        ['manifest/unrendered', ''],
        ['resource/unmanaged', 'debug'],
      ]),
    );
    expect(byDs).not.toContainEqual(['resource/unmanaged', 'agent']);
    expect(report.complete).toBe(false);
  });
});

describe('normaliseDaemonSet()', () => {
  it('ignores the marks GitOps controllers write on live objects', () => {
    const live = marked(
      'monitoring/agent',
      { 'kustomize.toolkit.fluxcd.io/name': 'infra', 'helm.toolkit.fluxcd.io/name': 'agent' },
      { 'argocd.argoproj.io/tracking-id': 'a:apps/DaemonSet:monitoring/agent', 'meta.helm.sh/release-name': 'agent' },
    );

    expect(normaliseDaemonSet(live)).toEqual(normaliseDaemonSet(daemonSet('monitoring/agent')));
  });
});
