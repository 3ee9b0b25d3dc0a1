import { describe, expect, it } from 'vitest';
import { resourceMissing } from '../../../../functions/core/checks/resource/missing.js';
import { resourceUnmanaged } from '../../../../functions/core/checks/resource/unmanaged.js';
import { parseManifestFile } from '../../../../functions/core/manifests.js';
import { daemonSet, desiredOf, node, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

describe('resourceMissing', () => {
  it('reports a DaemonSet in Git and not in the cluster with its file and line', () => {
    const findings = runCheck(resourceMissing, snapshotOf({ nodes: [node('n1')] }), desiredOf([daemonSet('logging/fluent-bit')]));

    expect(findings).toEqual([
      {
        rule: 'resource/missing',
        severity: 'critical',
        namespace: 'logging',
        daemonSet: 'fluent-bit',
        node: null,
        message: 'DaemonSet logging/fluent-bit is declared in Git (gitops/logging/fluent-bit.yaml:1) but does not exist in the cluster',
        expected: 'present',
        actual: 'absent',
        file: 'gitops/logging/fluent-bit.yaml',
        line: 1,
      },
    ]);
  });

  it('says nothing about namespaces the snapshot did not read', () => {
    const snapshot = snapshotOf({ nodes: [node('n1')] });
    snapshot.source.namespaces = ['kube-system'];

    expect(runCheck(resourceMissing, snapshot, desiredOf([daemonSet('logging/fluent-bit')]))).toEqual([]);
  });
});

describe('resourceUnmanaged', () => {
  it('reports a live DaemonSet in a namespace Git manages but not declared there', () => {
    const snapshot = snapshotOf({ nodes: [node('n1')], daemonSets: [daemonSet('kube-system/debug-agent'), daemonSet('other/tool')] });

    const findings = runCheck(resourceUnmanaged, snapshot, desiredOf([daemonSet('kube-system/kube-proxy')]));

    expect(findings).toEqual([
      {
        rule: 'resource/unmanaged',
        severity: 'warning',
        namespace: 'kube-system',
        daemonSet: 'debug-agent',
        node: null,
        message: 'DaemonSet kube-system/debug-agent runs in the cluster, in namespace kube-system that Git manages, but no manifest in Git declares it',
        expected: 'absent',
        actual: 'present',
      },
    ]);
  });

  it('does not call a DaemonSet unmanaged when Git declares it in a manifest that does not parse', () => {
    const snapshot = snapshotOf({ nodes: [node('n1')], daemonSets: [daemonSet('kube-system/debug-agent')] });
    const broken = parseManifestFile(
      'kube-system/debug-agent.yaml',
      'apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: debug-agent, namespace: kube-system}\nspec:\n  template: {}\n',
    );

    const findings = runCheck(resourceUnmanaged, snapshot, desiredOf([daemonSet('kube-system/kube-proxy')], { problems: broken.problems }));

    expect(broken.problems.map((p) => [p.rule, p.daemonSet])).toEqual([['manifest/invalid', 'kube-system/debug-agent']]);
    expect(findings).toEqual([]);
  });
});
