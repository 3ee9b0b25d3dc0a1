// Real nodes and DaemonSets from public repositories (see test/fixtures/captures/SOURCES.md),
// with the outcomes the DaemonSet controller would reach on them.
import { describe, expect, it } from 'vitest';
import type { K8sNode } from '../../../functions/core/k8s-types.js';
import { compileEligibility } from '../../../functions/core/scheduling/index.js';
import { loadDaemonSet, loadNodes } from './helpers.js';

const openshift = loadNodes('insights-operator/nodes.json');
const honeycomb = loadNodes('honeycomb-kubernetes-agent/nodes.json');
const isMaster = (n: K8sNode) => n.metadata.labels?.['node-role.kubernetes.io/master'] !== undefined;
const outcomes = (file: string, nodes: K8sNode[]) => {
  const evaluate = compileEligibility(loadDaemonSet(file));
  return nodes.map((n) => {
    const d = evaluate(n);
    return [n.metadata.name, d.shouldRun, d.shouldContinueRunning];
  });
};

describe('compileEligibility() on real fixtures', () => {
  it('reads the fixtures as expected (6 OpenShift nodes, 3 tainted masters; 2 honeycomb nodes)', () => {
    expect([openshift.length, openshift.filter(isMaster).length, honeycomb.length]).toEqual([6, 3, 2]);
  });

  it('matches the Windows EBS CSI DaemonSet to no Linux node', () => {
    const evaluate = compileEligibility(loadDaemonSet('aws-ebs-csi-driver/node-windows.yaml'));

    const decisions = [...openshift, ...honeycomb].map(evaluate);

    expect(decisions.every((d) => !d.shouldRun && !d.shouldContinueRunning)).toEqual(true);
    expect(decisions[0]!.reason).toEqual({ kind: 'node-selector', key: 'kubernetes.io/os', expected: 'windows', actual: 'linux' });
  });

  it('runs the Linux EBS CSI DaemonSet (tolerate-all) on every node, tainted masters included', () => {
    const result = outcomes('aws-ebs-csi-driver/node.yaml', [...openshift, ...honeycomb]);

    expect(result.every(([, run, keep]) => run === true && keep === true)).toEqual(true);
  });

  it('keeps the NVIDIA device plugin off OpenShift masters: it tolerates only nvidia.com/gpu, not the master NoSchedule taint', () => {
    const evaluate = compileEligibility(loadDaemonSet('k8s-device-plugin/nvidia-device-plugin.yml'));

    const result = openshift.map((n) => [isMaster(n), evaluate(n)]);

    expect(result.map(([master, d]) => [master, (d as { shouldRun: boolean }).shouldRun])).toEqual(openshift.map((n) => [isMaster(n), !isMaster(n)]));
    expect(evaluate(openshift.find(isMaster)!)).toEqual({
      shouldRun: false,
      shouldContinueRunning: true,
      reason: { kind: 'taint', key: 'node-role.kubernetes.io/master', effect: 'NoSchedule' },
    });
  });

  it('keeps the NVIDIA device plugin off honeycomb nodes with the custom type=hound:NoSchedule taint', () => {
    const evaluate = compileEligibility(loadDaemonSet('k8s-device-plugin/nvidia-device-plugin.yml'));

    expect(honeycomb.map(evaluate)).toEqual(
      honeycomb.map(() => ({
        shouldRun: false,
        shouldContinueRunning: true,
        reason: { kind: 'taint', key: 'type', value: 'hound', effect: 'NoSchedule' },
      })),
    );
  });

  it('runs aws-node (tolerate-all, linux amd64/arm64, not fargate) on arm64 honeycomb and amd64 OpenShift nodes', () => {
    const result = outcomes('amazon-vpc-cni-k8s/aws-node-daemonset.yaml', [...honeycomb, ...openshift]);

    expect(result.map(([, run]) => run)).toEqual([true, true, true, true, true, true, true, true]);
  });

  it('keeps aws-node off a Fargate node and off an s390x node, naming the failing expression', () => {
    const evaluate = compileEligibility(loadDaemonSet('amazon-vpc-cni-k8s/aws-node-daemonset.yaml'));
    const base = honeycomb[0]!;
    const fargate: K8sNode = { ...base, metadata: { ...base.metadata, labels: { ...base.metadata.labels, 'eks.amazonaws.com/compute-type': 'fargate' } } };
    const s390x: K8sNode = { ...base, metadata: { ...base.metadata, labels: { ...base.metadata.labels, 'kubernetes.io/arch': 's390x' } } };

    const [f, s] = [evaluate(fargate), evaluate(s390x)];

    expect([f.shouldRun, f.shouldContinueRunning, s.shouldRun]).toEqual([false, false, false]);
    expect(f.reason).toEqual({
      kind: 'node-affinity',
      detail:
        'no required nodeSelectorTerm matches: term 0: eks.amazonaws.com/compute-type NotIn [fargate, hybrid, auto] fails: node has eks.amazonaws.com/compute-type="fargate"',
    });
    expect(s.reason).toEqual({
      kind: 'node-affinity',
      detail: 'no required nodeSelectorTerm matches: term 0: kubernetes.io/arch In [amd64, arm64] fails: node has kubernetes.io/arch="s390x"',
    });
  });

  it('matches gpu-feature-discovery (three OR-ed NFD terms) to no node without NVIDIA labels', () => {
    const evaluate = compileEligibility(loadDaemonSet('k8s-device-plugin/gpu-feature-discovery-daemonset.yaml'));

    const reason = evaluate(openshift[1]!).reason;

    expect(openshift.map(evaluate).some((d) => d.shouldRun)).toEqual(false);
    expect(reason).toEqual({
      kind: 'node-affinity',
      detail:
        'no required nodeSelectorTerm matches: term 0: feature.node.kubernetes.io/pci-10de.present In [true] fails: node has no label feature.node.kubernetes.io/pci-10de.present' +
        ' | term 1: feature.node.kubernetes.io/cpu-model.vendor_id In [NVIDIA] fails: node has no label feature.node.kubernetes.io/cpu-model.vendor_id' +
        ' | term 2: nvidia.com/gpu.present In [true] fails: node has no label nvidia.com/gpu.present',
    });
  });

  it.each([
    ['feature.node.kubernetes.io/pci-10de.present', 'true'],
    ['feature.node.kubernetes.io/cpu-model.vendor_id', 'NVIDIA'],
    ['nvidia.com/gpu.present', 'true'],
  ])('matches gpu-feature-discovery to a worker once it carries %s=%s (any one term suffices)', (key, value) => {
    const worker = openshift.find((n) => !isMaster(n))!;
    const gpu: K8sNode = { ...worker, metadata: { ...worker.metadata, labels: { ...worker.metadata.labels, [key]: value } } };

    expect(compileEligibility(loadDaemonSet('k8s-device-plugin/gpu-feature-discovery-daemonset.yaml'))(gpu).shouldRun).toEqual(true);
  });

  it('keeps gpu-feature-discovery (no tolerations) off a labelled master because of its NoSchedule taint', () => {
    const master = openshift.find(isMaster)!;
    const gpu: K8sNode = { ...master, metadata: { ...master.metadata, labels: { ...master.metadata.labels, 'nvidia.com/gpu.present': 'true' } } };

    const d = compileEligibility(loadDaemonSet('k8s-device-plugin/gpu-feature-discovery-daemonset.yaml'))(gpu);

    expect([d.shouldRun, d.shouldContinueRunning]).toEqual([false, true]);
  });
});
