import { describe, expect, it } from 'vitest';
import { manifestInvalid } from '../../../../functions/core/checks/manifest/invalid.js';
import { manifestUnrendered } from '../../../../functions/core/checks/manifest/unrendered.js';
import { desiredOf, node, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

describe('manifestInvalid and manifestUnrendered', () => {
  it('turn manifest problems into findings of their own rule, with file and line', () => {
    const desired = desiredOf([], {
      problems: [
        { rule: 'manifest/invalid', file: 'chart/ds.yaml', line: 3, message: 'unrendered Helm/Go template' },
        { rule: 'manifest/unrendered', file: 'overlays/prod', message: 'kustomize build failed' },
      ],
    });

    const findings = [manifestInvalid, manifestUnrendered].flatMap((c) => runCheck(c, snapshotOf({ nodes: [node('n1')] }), desired));

    expect(findings).toEqual([
      {
        rule: 'manifest/invalid',
        severity: 'warning',
        namespace: '',
        daemonSet: '',
        node: null,
        message: 'chart/ds.yaml:3: unrendered Helm/Go template',
        file: 'chart/ds.yaml',
        line: 3,
      },
      {
        rule: 'manifest/unrendered',
        severity: 'warning',
        namespace: '',
        daemonSet: '',
        node: null,
        message: 'overlays/prod: kustomize build failed',
        file: 'overlays/prod',
      },
    ]);
  });

  it('files a problem inside a named DaemonSet under that DaemonSet', () => {
    const desired = desiredOf([], {
      problems: [
        {
          rule: 'manifest/invalid',
          file: 'logging/fluentd.yaml',
          line: 12,
          message: 'DaemonSet fluentd: spec.template.spec.tolerations[0] must be an object, not null',
          daemonSet: 'logging/fluentd',
        },
      ],
    });

    const findings = runCheck(manifestInvalid, snapshotOf({ nodes: [node('n1')] }), desired);

    expect(findings.map((f) => [f.namespace, f.daemonSet, f.line])).toEqual([['logging', 'fluentd', 12]]);
  });
});
