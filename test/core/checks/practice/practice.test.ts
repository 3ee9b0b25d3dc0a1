import { describe, expect, it } from 'vitest';
import type { Check } from '../../../../functions/core/checks/context.js';
import { practiceMutableImageTag } from '../../../../functions/core/checks/practice/mutable-image-tag.js';
import { practiceOnDelete } from '../../../../functions/core/checks/practice/on-delete-strategy.js';
import { practicePriorityClass } from '../../../../functions/core/checks/practice/no-priority-class.js';
import { practiceResourceLimits } from '../../../../functions/core/checks/practice/no-resource-limits.js';
import { practiceSelectorMismatch } from '../../../../functions/core/checks/practice/selector-mismatch.js';
import type { K8sDaemonSet } from '../../../../functions/core/k8s-types.js';
import type { RuleDefinition } from '../../../../functions/core/types.js';
import { daemonSet, defaultPolicy, desiredOf, node, rulesFromRepo, snapshotOf } from '../../../support/builders.js';
import { runCheck } from '../support.js';

const enabled = (overrides: Record<string, Partial<RuleDefinition>> = {}) =>
  defaultPolicy(rulesFromRepo().map((r) => ({ ...r, enabled: true, ...overrides[r.id] })));

/** Runs a check with the DaemonSet in Git (and the same object live). */
function inGit(check: Check, ds: K8sDaemonSet, overrides?: Record<string, Partial<RuleDefinition>>) {
  return runCheck(check, snapshotOf({ nodes: [node('n1')], daemonSets: [ds] }), desiredOf([ds]), enabled(overrides));
}

const limits = { limits: { cpu: '100m', memory: '128Mi' } };

describe('practiceResourceLimits', () => {
  it('reports each container missing a required limit, init containers too', () => {
    const ds = daemonSet('kube-system/agent', {
      initContainers: [{ name: 'init', image: 'r/i:1' }],
      containers: [
        { name: 'agent', image: 'r/a:1', resources: { limits: { cpu: '1' } } },
        { name: 'ok', image: 'r/o:1', resources: limits },
      ],
    });

    const findings = inGit(practiceResourceLimits, ds);

    expect(findings.map((f) => [f.container, f.severity, f.message, f.path, f.file])).toEqual([
      [
        'init',
        'warning',
        'container init sets no memory or cpu limit',
        'spec.template.spec.initContainers[name=init].resources.limits',
        'gitops/kube-system/agent.yaml',
      ],
      [
        'agent',
        'warning',
        'container agent sets no memory limit',
        'spec.template.spec.containers[name=agent].resources.limits',
        'gitops/kube-system/agent.yaml',
      ],
    ]);
  });

  it('requires only the limits the rule parameters name', () => {
    const ds = daemonSet('kube-system/agent', { containers: [{ name: 'agent', image: 'r/a:1', resources: { limits: { memory: '1Gi' } } }] });

    expect(inGit(practiceResourceLimits, ds, { 'practice/no-resource-limits': { parameters: { require: ['memory'] } } })).toEqual([]);
  });
});

describe('practiceMutableImageTag', () => {
  it.each([
    ['nginx', true],
    ['nginx:latest', true],
    ['registry.example.com:5000/agent', true],
    ['nginx:1.27', false],
    [`nginx@sha256:${'a'.repeat(64)}`, false],
    [`nginx:latest@sha256:${'a'.repeat(64)}`, false],
  ])('judges %s mutable: %s', (image, mutable) => {
    const findings = inGit(practiceMutableImageTag, daemonSet('kube-system/agent', { image }));

    expect(findings.map((f) => [f.rule, f.actual, f.path])).toEqual(
      mutable ? [['practice/mutable-image-tag', image, 'spec.template.spec.containers[name=agent].image']] : [],
    );
  });
});

describe('practiceOnDelete', () => {
  it.each<[string, K8sDaemonSet['spec']['updateStrategy'], number]>([
    ['OnDelete', { type: 'OnDelete' }, 1],
    ['RollingUpdate', { type: 'RollingUpdate' }, 0],
    ['no strategy (defaults to RollingUpdate)', undefined, 0],
  ])('reports %s: %s finding(s)', (_case, updateStrategy, count) => {
    const findings = inGit(practiceOnDelete, daemonSet('kube-system/agent', { updateStrategy }));

    expect(findings.map((f) => f.severity)).toEqual(Array(count).fill('info'));
  });
});

describe('practiceSelectorMismatch', () => {
  it.each<[string, (ds: K8sDaemonSet) => void, string | null]>([
    ['a matching selector', () => {}, null],
    [
      'template labels the selector does not match',
      (ds) => {
        ds.spec.template.metadata!.labels = { app: 'other' };
      },
      'spec.selector does not match the labels of spec.template.metadata.labels',
    ],
    [
      'an empty selector',
      (ds) => {
        ds.spec.selector = {};
      },
      'spec.selector is empty (it would select every pod)',
    ],
    [
      'an invalid selector',
      (ds) => {
        ds.spec.selector = { matchExpressions: [{ key: 'app', operator: 'Equals', values: ['x'] }] };
      },
      'spec.selector is invalid: matchExpressions[0]: "Equals" is not a valid label selector operator',
    ],
  ])('judges %s', (_case, change, message) => {
    const ds = daemonSet('kube-system/agent');
    change(ds);

    const findings = inGit(practiceSelectorMismatch, ds);

    expect(findings.map((f) => [f.severity, f.message])).toEqual(message ? [['critical', message]] : []);
  });
});

describe('practicePriorityClass', () => {
  it.each([
    [undefined, 'no priorityClassName: the pods may be evicted or pre-empted before other workloads'],
    ['high', 'priorityClassName is high, not one of system-node-critical, system-cluster-critical'],
    ['system-node-critical', null],
    ['system-cluster-critical', null],
  ])('judges priorityClassName %s', (pc, message) => {
    const ds = daemonSet('kube-system/agent');
    if (pc) ds.spec.template.spec.priorityClassName = pc;

    const findings = inGit(practicePriorityClass, ds);

    expect(findings.map((f) => [f.severity, f.message])).toEqual(message ? [['info', message]] : []);
  });

  it('judges the live spec when the DaemonSet is not in Git', () => {
    const findings = runCheck(
      practicePriorityClass,
      snapshotOf({ nodes: [node('n1')], daemonSets: [daemonSet('kube-system/agent')] }),
      desiredOf([]),
      enabled(),
    );

    expect(findings.map((f) => [f.daemonSet, f.file])).toEqual([['agent', undefined]]);
  });
});
