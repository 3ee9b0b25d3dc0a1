import { describe, expect, it } from 'vitest';
import type { K8sDaemonSet } from '../../../functions/core/k8s-types.js';
import { daemonSetSpecProblems, rollingUpdateProblems } from '../../../functions/core/scheduling/index.js';
import { daemonSet, loadDaemonSet } from './helpers.js';

const withStrategy = (updateStrategy: K8sDaemonSet['spec']['updateStrategy']) => daemonSet({}, { updateStrategy });
const RU = 'spec.updateStrategy.rollingUpdate';

describe('rollingUpdateProblems()', () => {
  // mirrors pkg/apis/apps/validation/validation_test.go:TestValidateDaemonSetUpdateStrategy (ValidateRollingUpdateDaemonSet)
  it.each<[string, K8sDaemonSet['spec']['updateStrategy'], { field: string; message: string }[]]>([
    ['defaults are valid', undefined, []],
    ['OnDelete is valid', { type: 'OnDelete' }, []],
    ['maxUnavailable 10%', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } }, []],
    ['surge only', { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '25%' } }, []],
    [
      'both set to 1 (the docs example)',
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
      [{ field: `${RU}.maxSurge`, message: 'may not be set when maxUnavailable is non-zero' }],
    ],
    [
      'both zero',
      { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } },
      [{ field: `${RU}.maxUnavailable`, message: 'cannot be 0 when maxSurge is 0' }],
    ],
    ['over 100%', { rollingUpdate: { maxUnavailable: '101%' } }, [{ field: `${RU}.maxUnavailable`, message: 'must not be greater than 100%' }]],
    ['negative', { rollingUpdate: { maxUnavailable: -1 } }, [{ field: `${RU}.maxUnavailable`, message: 'must be greater than or equal to 0' }]],
    [
      'not a percentage',
      { rollingUpdate: { maxUnavailable: '1' } },
      [
        { field: `${RU}.maxUnavailable`, message: 'must be an integer or percentage (e.g. \'5%\'), got "1"' },
        { field: `${RU}.maxUnavailable`, message: 'cannot be 0 when maxSurge is 0' },
      ],
    ],
    [
      'unknown type',
      { type: 'Recreate' },
      [{ field: 'spec.updateStrategy.type', message: 'unsupported value "Recreate": supported values are "RollingUpdate", "OnDelete"' }],
    ],
  ])('%s', (_name, strategy, expected) => {
    expect(rollingUpdateProblems(withStrategy(strategy))).toEqual(expected);
  });
});

describe('daemonSetSpecProblems()', () => {
  it.each([
    'aws-ebs-csi-driver/node.yaml',
    'aws-ebs-csi-driver/node-windows.yaml',
    'amazon-vpc-cni-k8s/aws-node-daemonset.yaml',
    'k8s-device-plugin/gpu-feature-discovery-daemonset.yaml',
    'k8s-device-plugin/nvidia-device-plugin.yml',
  ])('finds nothing wrong in the real %s', (file) => {
    expect(daemonSetSpecProblems(loadDaemonSet(file))).toEqual([]);
  });

  it('reports a selector that does not match the template labels', () => {
    const ds = daemonSet({}, { selector: { matchLabels: { app: 'other' } } });

    expect(daemonSetSpecProblems(ds)).toEqual([{ field: 'spec.template.metadata.labels', message: '`selector` does not match template `labels`' }]);
  });

  it('reports an empty selector', () => {
    expect(daemonSetSpecProblems(daemonSet({}, { selector: {} }))).toEqual([{ field: 'spec.selector', message: 'empty selector is invalid for daemonset' }]);
  });

  it('reports restartPolicy, activeDeadlineSeconds and required-affinity terms that never match', () => {
    const ds = daemonSet({
      restartPolicy: 'OnFailure',
      activeDeadlineSeconds: 60,
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['-1'] }] }] },
        },
      },
    });

    expect(daemonSetSpecProblems(ds).map((p) => p.field)).toEqual([
      'spec.template.spec.restartPolicy',
      'spec.template.spec.activeDeadlineSeconds',
      'spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]',
    ]);
  });
});
