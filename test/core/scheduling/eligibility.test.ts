import { describe, expect, it } from 'vitest';
import type { K8sNode, PodSpec } from '../../../functions/core/k8s-types.js';
import { InputError } from '../../../functions/core/errors.js';
import { compileEligibility, ELIGIBLE, type EligibilityDecision, nodeShouldRunDaemonPod } from '../../../functions/core/scheduling/index.js';
import { daemonSet, node } from './helpers.js';

const linux = { 'kubernetes.io/os': 'linux' };
const run = (spec: Partial<PodSpec>, n: K8sNode, gates?: { taintTolerationComparisonOperators?: boolean }) => {
  const d = nodeShouldRunDaemonPod(n, daemonSet(spec), gates);
  return [d.shouldRun, d.shouldContinueRunning];
};

describe('nodeShouldRunDaemonPod()', () => {
  // mirrors kubernetes/kubernetes pkg/controller/daemon/daemon_controller_test.go:TestNodeShouldRunDaemonPod
  it.each<[string, Partial<PodSpec>, K8sNode, [boolean, boolean]]>([
    ['plain node without taints', {}, node('n'), [true, true]],
    [
      'resources and host ports are not considered',
      { containers: [{ name: 'c', resources: { requests: { cpu: '1000' } }, ports: [{ hostPort: 666 }] }] },
      node('n'),
      [true, true],
    ],
    ['template nodeName equal to the node', { nodeName: 'n' }, node('n'), [true, true]],
    ['template nodeName for another node', { nodeName: 'other' }, node('n'), [false, false]],
    ['nodeSelector mismatch', { nodeSelector: { 'kubernetes.io/os': 'windows' } }, node('n', linux), [false, false]],
    ['nodeSelector match', { nodeSelector: linux }, node('n', linux), [true, true]],
    [
      'required affinity mismatch',
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
          },
        },
      },
      node('n', { zone: 'b' }),
      [false, false],
    ],
    ['untolerated NoSchedule taint: no new pod, existing pod stays', {}, node('n', {}, ['dedicated=x:NoSchedule']), [false, true]],
    ['untolerated NoExecute taint: no pod, existing evicted', {}, node('n', {}, ['dedicated=x:NoExecute']), [false, false]],
    [
      'tolerated NoExecute taint',
      { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoExecute' }] },
      node('n', {}, ['dedicated=x:NoExecute']),
      [true, true],
    ],
    ['PreferNoSchedule is ignored', {}, node('n', {}, ['soft:PreferNoSchedule']), [true, true]],
    [
      'NoSchedule tolerated, NoExecute not',
      { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }] },
      node('n', {}, ['k:NoSchedule', 'k:NoExecute']),
      [false, false],
    ],
    [
      'NoExecute tolerated, NoSchedule not',
      { tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute' }] },
      node('n', {}, ['k:NoSchedule', 'k:NoExecute']),
      [false, true],
    ],
    [
      'empty key + Exists tolerates every taint',
      { tolerations: [{ operator: 'Exists' }] },
      node('n', {}, ['a:NoSchedule', 'b=c:NoExecute', 'node.kubernetes.io/out-of-service=nodeshutdown:NoExecute']),
      [true, true],
    ],
    [
      'spec.unschedulable without a taint is ignored (ShouldRunDaemonPodOnUnschedulableNode)',
      {},
      { metadata: { name: 'n' }, spec: { unschedulable: true } },
      [true, true],
    ],
    [
      'NotReady and pressure conditions are ignored; only taints count',
      {},
      {
        metadata: { name: 'n' },
        status: {
          conditions: [
            { type: 'Ready', status: 'False' },
            { type: 'MemoryPressure', status: 'True' },
          ],
        },
      },
      [true, true],
    ],
    ['selector is checked before taints', { nodeSelector: { x: 'y' } }, node('n', {}, ['a:NoSchedule']), [false, false]],
  ])('%s → %j', (_name, spec, n, expected) => {
    expect(run(spec, n)).toEqual(expected);
  });

  // §7 of docs/k8s-daemonset-semantics.md: the misconceptions, each pinned down
  it('runs daemon pods on a cordoned node (unschedulable taint is tolerated by default)', () => {
    // mirrors daemon_controller_test.go:TestNodeShouldRunDaemonPod (ShouldRunDaemonPodOnUnschedulableNode), integration TestUnschedulableNodeDaemonDoesLaunchPod
    const cordoned: K8sNode = {
      ...node('n', {}, ['node.kubernetes.io/unschedulable:NoSchedule']),
      spec: { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] },
    };

    expect(run({}, cordoned)).toEqual([true, true]);
  });

  it('keeps but does not create a pod on a NotReady node (not-ready:NoSchedule is not a default toleration)', () => {
    const notReady = node('n', {}, ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);

    expect(nodeShouldRunDaemonPod(notReady, daemonSet())).toEqual({
      shouldRun: false,
      shouldContinueRunning: true,
      reason: { kind: 'taint', key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' },
    });
  });

  it('creates pods on a NotReady node when the DS tolerates everything, as CNI DaemonSets do', () => {
    const notReady = node('n', {}, ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);

    expect(run({ tolerations: [{ operator: 'Exists' }] }, notReady)).toEqual([true, true]);
  });

  it.each([
    ['node.kubernetes.io/unreachable:NoExecute'],
    ['node.kubernetes.io/not-ready:NoExecute'],
    ['node.kubernetes.io/disk-pressure:NoSchedule'],
    ['node.kubernetes.io/memory-pressure:NoSchedule'],
    ['node.kubernetes.io/pid-pressure:NoSchedule'],
  ])('tolerates %s by default', (t) => {
    expect(run({}, node('n', {}, [t]))).toEqual([true, true]);
  });

  it('tolerates network-unavailable only with hostNetwork', () => {
    const n = node('n', {}, ['node.kubernetes.io/network-unavailable:NoSchedule']);

    expect([run({ hostNetwork: true }, n), run({}, n)]).toEqual([
      [true, true],
      [false, true],
    ]);
  });

  it.each([
    ['node-role.kubernetes.io/control-plane:NoSchedule'],
    ['node.kubernetes.io/out-of-service=nodeshutdown:NoExecute'],
    ['node.kubernetes.io/unreachable:NoSchedule'],
  ])('does not tolerate %s by default', (t) => {
    expect(run({}, node('n', {}, [t]))[0]).toEqual(false);
  });

  it('does not let a NoSchedule toleration cover a NoExecute taint of the same key (effect mismatch)', () => {
    expect(run({ tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] }, node('n', {}, ['gpu:NoExecute']))).toEqual([false, false]);
  });

  it('needs the value when the operator is omitted (Equal)', () => {
    const n = node('n', {}, ['dedicated=infra:NoSchedule']);

    expect([
      run({ tolerations: [{ key: 'dedicated', effect: 'NoSchedule' }] }, n),
      run({ tolerations: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] }, n),
    ]).toEqual([
      [false, true],
      [true, true],
    ]);
  });

  it('still tolerates not-ready:NoExecute when the user set tolerationSeconds (the default replaces it)', () => {
    const spec: Partial<PodSpec> = { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }] };

    expect(run(spec, node('n', {}, ['node.kubernetes.io/not-ready:NoExecute']))).toEqual([true, true]);
  });

  it('honours toleration Lt/Gt only with the TaintTolerationComparisonOperators gate', () => {
    const spec: Partial<PodSpec> = { tolerations: [{ key: 'sla', operator: 'Gt', value: '900', effect: 'NoSchedule' }] };
    const n = node('n', {}, ['sla=950:NoSchedule']);

    expect([run(spec, n), run(spec, n, { taintTolerationComparisonOperators: true })]).toEqual([
      [false, true],
      [true, true],
    ]);
  });
});

describe('compileEligibility()', () => {
  it('reports a NoExecute taint in preference to an earlier NoSchedule one', () => {
    const evaluate = compileEligibility(daemonSet());

    const decision = evaluate(node('n', {}, ['a=1:NoSchedule', 'b=2:NoExecute']));

    expect(decision).toEqual({ shouldRun: false, shouldContinueRunning: false, reason: { kind: 'taint', key: 'b', value: '2', effect: 'NoExecute' } });
  });

  it('reports the first untolerated NoSchedule taint', () => {
    const evaluate = compileEligibility(daemonSet({ tolerations: [{ key: 'a', operator: 'Exists' }] }));

    expect(evaluate(node('n', {}, ['a:NoSchedule', 'x:PreferNoSchedule', 'b:NoSchedule', 'c:NoSchedule'])).reason).toEqual({
      kind: 'taint',
      key: 'b',
      effect: 'NoSchedule',
    });
  });

  it.each<[string, Partial<PodSpec>, K8sNode, EligibilityDecision['reason']]>([
    ['node name', { nodeName: 'other' }, node('n'), { kind: 'node-name', expected: 'other' }],
    [
      'node selector',
      { nodeSelector: { 'kubernetes.io/os': 'windows' } },
      node('n', linux),
      { kind: 'node-selector', key: 'kubernetes.io/os', expected: 'windows', actual: 'linux' },
    ],
    [
      'node affinity',
      { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } },
      node('n'),
      { kind: 'node-affinity', detail: 'required node affinity has no nodeSelectorTerms, so it matches no node' },
    ],
    ['none when eligible', {}, node('n'), null],
  ])('gives the %s reason', (_name, spec, n, reason) => {
    expect(compileEligibility(daemonSet(spec))(n).reason).toEqual(reason);
  });

  it('checks the template nodeName before the selector', () => {
    expect(compileEligibility(daemonSet({ nodeName: 'other', nodeSelector: { x: 'y' } }))(node('n')).reason?.kind).toEqual('node-name');
  });

  it('gives the same decisions as nodeShouldRunDaemonPod across many nodes', () => {
    const spec: Partial<PodSpec> = { nodeSelector: linux, tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }] };
    const nodes = [
      node('a', linux),
      node('b', {}),
      node('c', linux, ['gpu:NoSchedule']),
      node('d', linux, ['gpu:NoExecute']),
      node('e', linux, ['x:NoSchedule']),
    ];
    const evaluate = compileEligibility(daemonSet(spec));

    expect(nodes.map(evaluate)).toEqual(nodes.map((n) => nodeShouldRunDaemonPod(n, daemonSet(spec))));
    expect(nodes.map((n) => [evaluate(n).shouldRun, evaluate(n).shouldContinueRunning])).toEqual([
      [true, true],
      [false, false],
      [true, true],
      [false, false],
      [false, true],
    ]);
  });

  it('does not read the template again after compiling', () => {
    const ds = daemonSet({ nodeSelector: { ...linux } });
    const evaluate = compileEligibility(ds);

    ds.spec.template.spec.nodeSelector = { 'kubernetes.io/os': 'windows' };

    expect(evaluate(node('n', linux)).shouldRun).toEqual(true);
  });
});

describe('compileEligibility() on malformed input', () => {
  it('throws an InputError naming the DaemonSet when the template spec is missing', () => {
    const ds = daemonSet();
    (ds.spec.template as { spec?: unknown }).spec = undefined;

    expect(() => compileEligibility(ds)).toThrowError(
      new InputError('failed to compile eligibility for DaemonSet kube-system/x: spec.template.spec is missing'),
    );
  });

  it('evaluates a node without labels, spec or taints', () => {
    const bare: K8sNode = { metadata: { name: 'n' } };

    expect([compileEligibility(daemonSet())(bare), compileEligibility(daemonSet({ nodeSelector: { a: 'b' } }))(bare).shouldRun]).toEqual([ELIGIBLE, false]);
  });
});
