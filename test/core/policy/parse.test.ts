import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../functions/core/errors.js';
import { matchesGlob, parseExpiry, parsePolicy } from '../../../functions/core/policy/parse.js';
import { rulesFromRepo } from '../../support/builders.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/policy/', import.meta.url));
const fixture = (name: string) => readFileSync(`${FIXTURES}${name}`, 'utf8');
const catalog = rulesFromRepo();

function policyError(text: string, file = 'policy.yaml'): string {
  try {
    parsePolicy(text, file, catalog);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return (err as Error).message;
  }
  throw new Error('expected a PolicyError');
}

describe('parsePolicy()', () => {
  it('reads every section of a full policy', () => {
    const policy = parsePolicy(fixture('full.yaml'), 'full.yaml', catalog);

    expect(policy.namespaces).toEqual(['kube-system', 'logging', 'monitoring']);
    expect(policy.rules.find((r) => r.id === 'practice/no-priority-class')?.enabled).toEqual(false);
    expect(policy.rules.find((r) => r.id === 'image/digest-split')?.severity).toEqual('critical');
    expect(policy.rules).toHaveLength(catalog.length);
    expect(policy.severityOverrides).toEqual([
      { rule: 'image/digest-split', severity: 'critical' },
      { rule: 'coverage/unready', daemonSet: 'monitoring/*', severity: 'info' },
    ]);
    expect(policy.requiredCoverage).toEqual([
      {
        name: 'logs from every node',
        nodeSelector: { matchLabels: { 'kubernetes.io/os': 'linux' }, matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'Exists' }] },
        taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
        daemonSets: ['logging/fluent-bit'],
      },
    ]);
    expect(policy.waivers).toEqual([
      {
        rule: 'coverage/missing',
        daemonSet: 'kube-system/nvidia-device-plugin',
        node: 'gpu-*',
        reason: 're-imaging',
        owner: 'team-ml',
        expires: '2027-01-31',
        gitFollowsCluster: false,
      },
    ]);
    expect(policy.thresholds).toEqual({ unreadyGraceSeconds: 600, rolloutStuckSeconds: 1800 });
  });

  it('fills defaults for a minimal policy', () => {
    const policy = parsePolicy('apiVersion: drift-auditor.io/v1\nkind: Policy\n', 'p.yaml', catalog);

    expect(policy).toEqual({
      rules: catalog,
      namespaces: [],
      requiredCoverage: [],
      severityOverrides: [],
      waivers: [],
      thresholds: { unreadyGraceSeconds: 300, rolloutStuckSeconds: 1800 },
    });
  });

  it('parses the shipped default policy', () => {
    const text = readFileSync(fileURLToPath(new URL('../../../rules/default-policy.yaml', import.meta.url)), 'utf8');

    const policy = parsePolicy(text, 'rules/default-policy.yaml', catalog);

    expect([policy.namespaces, policy.waivers, policy.requiredCoverage, policy.thresholds]).toEqual([
      [],
      [],
      [],
      { unreadyGraceSeconds: 300, rolloutStuckSeconds: 1800 },
    ]);
    expect(policy.rules.filter((r) => r.enabled === false).map((r) => r.id)).toEqual([]);
  });

  it.each([
    ['unknown-key.yaml', "failed to load policy unknown-key.yaml: line 9: waivers.0.expiry: unknown field 'expiry'"],
    ['wrong-type.yaml', 'failed to load policy wrong-type.yaml: line 4: thresholds.unreadyGraceSeconds: Expected number, received string'],
    ['bad-date.yaml', "failed to load policy bad-date.yaml: line 9: waivers.0.expires: '2027-02-30' is not a date: use YYYY-MM-DD or an RFC 3339 timestamp"],
    [
      'bad-selector.yaml',
      'failed to load policy bad-selector.yaml: line 7: requiredCoverage.0.nodeSelector.matchExpressions.0.operator: operator must be one of In, NotIn, Exists, DoesNotExist',
    ],
    [
      'bad-label-key.yaml',
      'failed to load policy bad-label-key.yaml: line 6: requiredCoverage.0.nodeSelector.matchLabels.-bad/key: invalid label key "-bad/key": prefix part must be a lowercase RFC 1123 subdomain',
    ],
    [
      'unknown-rule.yaml',
      "failed to load policy unknown-rule.yaml: line 4: rules.coverage/mising: unknown rule 'coverage/mising' (did you mean 'coverage/missing'?)",
    ],
  ])('rejects %s naming file, line and field', (name, message) => {
    expect(policyError(fixture(name), name)).toEqual(message);
  });

  it.each([
    ['a wrong apiVersion', 'apiVersion: v1\nkind: Policy\n', /line 1: apiVersion: Invalid literal value/],
    ['invalid YAML', 'apiVersion: drift-auditor.io/v1\nkind: Policy\nwaivers: [\n', /line \d+: /],
    ['a duplicate key', 'apiVersion: drift-auditor.io/v1\nkind: Policy\nkind: Policy\n', /line 3: Map keys must be unique/],
    [
      'In without values',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nrequiredCoverage:\n  - nodeSelector: { matchExpressions: [ { key: a, operator: In } ] }\n    daemonSets: [a/b]\n',
      /line 4: requiredCoverage.0.nodeSelector.matchExpressions.0.values: 'In' needs at least one value/,
    ],
    [
      'a bad DaemonSet key',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nrequiredCoverage:\n  - nodeSelector: {}\n    daemonSets: [fluent-bit]\n',
      /line 5: requiredCoverage.0.daemonSets.0: must be namespace\/name/,
    ],
    [
      'an empty waiver reason',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nwaivers:\n  - { rule: coverage/missing, daemonSet: a/b, reason: "", owner: x, expires: 2027-01-01 }\n',
      /line 4: waivers.0.reason: String must contain at least 1 character/,
    ],
    [
      'a waiver for an unknown rule',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nwaivers:\n  - { rule: coverage/nope, daemonSet: a/b, reason: r, owner: x, expires: 2027-01-01 }\n',
      /line 4: waivers.0.rule: unknown rule 'coverage\/nope'/,
    ],
    [
      'a waiver for audit/incomplete',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nwaivers:\n  - { rule: audit/incomplete, daemonSet: "*/*", reason: r, owner: x, expires: 2027-01-01 }\n',
      /waivers.0.rule: audit\/incomplete cannot be waived/,
    ],
    [
      'disabling audit/incomplete',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nrules:\n  audit/incomplete: { enabled: false }\n',
      /line 4: rules.audit\/incomplete: audit\/incomplete cannot be disabled/,
    ],
    [
      'a required DaemonSet outside the namespaces in scope',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nnamespaces: [kube-system]\nrequiredCoverage:\n  - nodeSelector: {}\n    daemonSets: [logging/fluent-bit]\n',
      /line 6: requiredCoverage.0.daemonSets.0: namespace 'logging' is not in namespaces \(kube-system\)/,
    ],
    [
      'an unknown rule parameter',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nrules:\n  practice/no-resource-limits:\n    parameters: { requires: [memory] }\n',
      /line 5: rules.practice\/no-resource-limits.parameters.requires: unknown field 'requires'/,
    ],
    [
      'a bad rule parameter value',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nrules:\n  practice/no-resource-limits:\n    parameters: { require: [gpu] }\n',
      /line 5: rules.practice\/no-resource-limits.parameters.require.0: Invalid enum value/,
    ],
    [
      'parameters for a rule that takes none',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nrules:\n  coverage/missing: { parameters: { x: 1 } }\n',
      /line 4: rules.coverage\/missing.parameters: coverage\/missing takes no parameters/,
    ],
    [
      'a negative threshold',
      'apiVersion: drift-auditor.io/v1\nkind: Policy\nthresholds: { rolloutStuckSeconds: -1 }\n',
      /line 3: thresholds.rolloutStuckSeconds: Number must be greater than or equal to 0/,
    ],
  ])('rejects %s', (_case, text, message) => {
    expect(policyError(text)).toMatch(message);
  });
});

describe('parseExpiry()', () => {
  it.each([
    ['2027-01-31', '2027-01-31T00:00:00.000Z'],
    ['2027-01-31T12:30:00Z', '2027-01-31T12:30:00.000Z'],
    ['2027-01-31T12:30:00+02:00', '2027-01-31T10:30:00.000Z'],
    ['2028-02-29', '2028-02-29T00:00:00.000Z'],
  ])('parses %s', (s, iso) => {
    expect(parseExpiry(s)?.toISOString()).toEqual(iso);
  });

  it.each(['2027-02-29', '2027-13-01', '31/01/2027', '2027-01-31T25:00:00Z', 'tomorrow', '2027-1-5'])('rejects %s', (s) => {
    expect(parseExpiry(s)).toEqual(null);
  });
});

describe('matchesGlob()', () => {
  it.each([
    ['kube-system/*', 'kube-system/agent', true],
    ['kube-system/*', 'monitoring/agent', false],
    ['*/agent', 'any/agent', true],
    ['gpu-*', 'gpu-a100-1', true],
    ['gpu-*', 'cpu-1', false],
    ['a.b/c', 'aXb/c', false],
    ['coverage/*', 'coverage/missing', true],
  ])('matches %s against %s: %s', (pattern, name, expected) => {
    expect(matchesGlob(pattern, name)).toEqual(expected);
  });
});
