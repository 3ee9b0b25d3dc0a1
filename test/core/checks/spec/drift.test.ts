import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildContext } from '../../../../functions/core/audit.js';
import { specDrift } from '../../../../functions/core/checks/spec/drift.js';
import type { K8sDaemonSet } from '../../../../functions/core/k8s-types.js';
import { AT, asManifest, daemonSet, defaultPolicy, desiredOf, node, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';
import { CAPTURES as FIXTURES } from '../../../support/captures.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('specDrift', () => {
  it('finds nothing for the live k9s DaemonSet against the manifest it was applied from', () => {
    const live = JSON.parse(readFileSync(`${FIXTURES}k9s/ds.json`, 'utf8')) as K8sDaemonSet;
    const git = JSON.parse(live.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration']!) as K8sDaemonSet;

    const findings = runCheck(specDrift, snapshotOf({ nodes: [node('n1')], daemonSets: [live] }), desiredOf([git]));

    expect(findings).toEqual([]);
  });

  it('reports exactly the field changed in the live copy, with Git file, path and both values', () => {
    const live = JSON.parse(readFileSync(`${FIXTURES}kubeiql/daemonset.json`, 'utf8')) as K8sDaemonSet;
    const git = asManifest(live);
    const changed = structuredClone(live);
    changed.spec.template.spec.containers[0]!.resources!.requests!.cpu = '1';

    const findings = runCheck(specDrift, snapshotOf({ nodes: [node('n1')], daemonSets: [changed] }), desiredOf([git]));

    expect(findings).toEqual([
      {
        rule: 'spec/drift',
        severity: 'warning',
        namespace: 'kube-system',
        daemonSet: 'calico-node',
        node: null,
        container: 'calico-node',
        message: 'spec.template.spec.containers[name=calico-node].resources.requests.cpu: Git sets "250m", the live DaemonSet has "1"',
        expected: '250m',
        actual: '1',
        path: 'spec.template.spec.containers[name=calico-node].resources.requests.cpu',
        file: 'gitops/kube-system/calico-node.yaml',
        line: 1,
      },
    ]);
  });

  it('says when Git sets a field the cluster dropped, and uses null for the absent side', () => {
    const git = daemonSet('kube-system/agent', { tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }] });
    const live = daemonSet('kube-system/agent');

    const [f] = runCheck(specDrift, snapshotOf({ nodes: [node('n1')], daemonSets: [live] }), desiredOf([git]));

    expect([f!.message, f!.expected, f!.actual]).toEqual([
      'spec.template.spec.tolerations: Git sets [{"effect":"NoSchedule","key":"nvidia.com/gpu","operator":"Exists"}], the live DaemonSet does not have it',
      [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      null,
    ]);
  });

  it('compares redacted env values with the hash audit() passes in', () => {
    const git = daemonSet('kube-system/agent', { containers: [{ name: 'agent', image: 'r/a:1', env: [{ name: 'TOKEN', value: 'old' }] }] });
    const live = daemonSet('kube-system/agent', { containers: [{ name: 'agent', image: 'r/a:1', env: [{ name: 'TOKEN', valueSha256: sha256('new') }] }] });
    const ctx = { ...buildContext(snapshotOf({ nodes: [node('n1')], daemonSets: [live] }), desiredOf([git]), defaultPolicy(), AT), hash: sha256 };

    const findings = specDrift.run(ctx);

    expect(findings.map((f) => [f.path, f.expected, f.actual])).toEqual([
      ['spec.template.spec.containers[name=agent].env[name=TOKEN].value', `sha256:${sha256('old').slice(0, 16)}`, `sha256:${sha256('new').slice(0, 16)}`],
    ]);
  });

  it('never carries a plain env value, from Git or from a kubectl dump, in a finding', () => {
    const git = daemonSet('kube-system/agent', { containers: [{ name: 'agent', image: 'r/a:1', env: [{ name: 'PASSWORD', value: 'git-secret' }] }] });
    const live = daemonSet('kube-system/agent', {
      containers: [
        {
          name: 'agent',
          image: 'r/a:1',
          env: [
            { name: 'PASSWORD', value: 'live-secret' },
            { name: 'ADDED', value: 'added-secret' },
          ],
        },
      ],
    });

    const findings = runCheck(specDrift, snapshotOf({ nodes: [node('n1')], daemonSets: [live] }), desiredOf([git]));

    expect(findings.map((f) => [f.path, f.expected, f.actual])).toEqual([
      [
        'spec.template.spec.containers[name=agent].env[name=PASSWORD].value',
        `sha256:${sha256('git-secret').slice(0, 16)}`,
        `sha256:${sha256('live-secret').slice(0, 16)}`,
      ],
      ['spec.template.spec.containers[name=agent].env[name=ADDED]', null, { name: 'ADDED', value: `sha256:${sha256('added-secret').slice(0, 16)}` }],
    ]);
    expect(JSON.stringify(findings)).not.toMatch(/secret/);
  });

  it('skips DaemonSets that are only in Git or only in the cluster', () => {
    const findings = runCheck(
      specDrift,
      snapshotOf({ nodes: [node('n1')], daemonSets: [daemonSet('kube-system/live-only')] }),
      desiredOf([daemonSet('kube-system/git-only')]),
    );

    expect(findings).toEqual([]);
  });
});
