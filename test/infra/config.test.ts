import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, resolvePolicyFiles, validateConfig } from '../../infra/config.js';
import { InputError } from '../../functions/core/errors.js';

const VALID = `schedule:
  cron: "0 6 * * ? *"
github:
  repo: acme/drift
  auth: token
  secretName: drift-auditor/github
clusters:
  - name: prod
    type: eks
    manifests: github:acme/gitops@main:clusters/prod
`;

describe('parseConfig()', () => {
  it('fills defaults for the optional parts', () => {
    const config = parseConfig(VALID, 'test.yaml');

    expect([
      config.stackName,
      config.schedule.timezone,
      config.maxConcurrency,
      config.notify.minSeverity,
      config.bucket.retain,
      config.clusters[0]!.createAccessEntry,
    ]).toEqual(['DriftAuditor', 'UTC', 4, 'warning', true, true]);
  });

  it('accepts a live-only cluster, stated instead of manifests', () => {
    const config = parseConfig(VALID.replace('manifests: github:acme/gitops@main:clusters/prod', 'liveOnly: true'), 'test.yaml');

    expect([config.clusters[0]!.liveOnly, config.clusters[0]!.manifests]).toEqual([true, undefined]);
  });

  it("accepts a cluster's Argo CD server URL and cluster Secret labels", () => {
    const config = parseConfig(
      VALID.replace(
        '    manifests:',
        '    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com\n    labels: { env: prod, "topology.example.com/tier": gpu }\n    manifests:',
      ),
      'test.yaml',
    );

    expect([config.clusters[0]!.server, config.clusters[0]!.labels]).toEqual([
      'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
      { env: 'prod', 'topology.example.com/tier': 'gpu' },
    ]);
  });

  it('accepts the cluster Argo CD runs in, for a spoke audited from a hub', () => {
    const config = parseConfig(VALID.replace('    manifests:', '    argocdCluster: hub\n    manifests:'), 'test.yaml');

    expect([config.clusters[0]!.argocdCluster, parseConfig(VALID, 'test.yaml').clusters[0]!.argocdCluster]).toEqual(['hub', undefined]);
  });

  it('accepts the cron with or without the cron() wrapper', () => {
    const config = parseConfig(VALID.replace('"0 6 * * ? *"', '"cron(0 6 * * ? *)"'), 'test.yaml');

    expect(config.schedule.cron).toEqual('0 6 * * ? *');
  });

  it.each([
    ['a five-field cron', VALID.replace('"0 6 * * ? *"', '"0 6 * * *"'), /line 2: schedule\.cron: must have six fields/],
    [
      'an unknown time zone',
      VALID.replace('  cron: "0 6 * * ? *"', '  cron: "0 6 * * ? *"\n  timezone: Mars/Olympus'),
      /line 3: schedule\.timezone: must be an IANA time zone/,
    ],
    ['a bad repository', VALID.replace('acme/drift', 'acme'), /line 4: github\.repo: must look like "owner\/name"/],
    [
      'a kubeconfig cluster without its secret',
      VALID.replace('type: eks', 'type: kubeconfig'),
      /clusters\.0\.kubeconfigSecretName: is required when type is "kubeconfig"/,
    ],
    [
      'a bad manifests source',
      VALID.replace('github:acme/gitops@main:clusters/prod', './clusters'),
      /line 10: clusters\.0\.manifests: must look like "github:owner\/repo@ref:path/,
    ],
    ['an unknown field', VALID.replace('github:\n', 'githb: 1\ngithub:\n'), /line 3: githb: unknown field 'githb'/],
    ['no clusters', VALID.replace(/clusters:[\s\S]*$/, 'clusters: []\n'), /clusters: must list at least one cluster/],
    ['a duplicate cluster', `${VALID}  - name: prod\n    type: eks\n    manifests: github:acme/gitops\n`, /clusters\.1\.name: duplicate cluster name 'prod'/],
    [
      'glacier before infrequent access',
      `${VALID}bucket:\n  transitionToGlacierInstantRetrievalDays: 20\n`,
      /bucket\.transitionToGlacierInstantRetrievalDays: must be greater than transitionToInfrequentAccessDays/,
    ],
    ['a function too large for Lambda', `${VALID}functions:\n  audit: { memoryMB: 20000 }\n`, /functions\.audit\.memoryMB: Lambda allows at most 10240 MB/],
    [
      'a cluster with neither manifests nor liveOnly',
      VALID.replace('    manifests: github:acme/gitops@main:clusters/prod\n', ''),
      /clusters\.0\.manifests: is required \(or set liveOnly: true to audit without Git\)/,
    ],
    [
      'a cluster with both manifests and liveOnly',
      VALID.replace('    manifests:', '    liveOnly: true\n    manifests:'),
      /clusters\.0\.liveOnly: cannot be combined with manifests/,
    ],
    [
      'a label value that no cluster Secret can carry',
      VALID.replace('    manifests:', '    labels: { env: "a: b" }\n    manifests:'),
      /clusters\.0\.labels\.env: must be a Kubernetes label value/,
    ],
    [
      'a server that is not a URL',
      VALID.replace('    manifests:', '    server: prod.k8s.example.com\n    manifests:'),
      /clusters\.0\.server: must be the API server URL as Argo CD names it/,
    ],
    [
      'an Argo CD cluster that is not a destination name',
      VALID.replace('    manifests:', '    argocdCluster: "hub cluster"\n    manifests:'),
      /line 10: clusters\.0\.argocdCluster: must name the cluster Argo CD runs in by its destination name/,
    ],
    ['broken YAML', `${VALID}  - name: [`, /failed to parse config test\.yaml: line \d+/],
  ])('rejects %s, naming the field', (_what, text, message) => {
    expect(() => parseConfig(text, 'test.yaml')).toThrow(InputError);
    expect(() => parseConfig(text, 'test.yaml')).toThrow(message);
  });
});

describe('validateConfig()', () => {
  it('names the field of a bad context config', () => {
    expect(() =>
      validateConfig({ schedule: { cron: '0 6 * * ? *' }, github: { repo: 'a/b', auth: 'pat', secretName: 's' }, clusters: [] }, 'context driftAuditor'),
    ).toThrow(/failed to load config context driftAuditor: github\.auth: .*clusters: must list at least one cluster/);
  });
});

describe('loadConfig()', () => {
  it('prefers drift-auditor.config.yaml and falls back to the example', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'drift-auditor.config.example.yaml'), VALID);

    expect(loadConfig({ projectRoot: dir }).source).toEqual(join(dir, 'drift-auditor.config.example.yaml'));
    writeFileSync(join(dir, 'drift-auditor.config.yaml'), VALID.replace('acme/drift', 'acme/real'));
    expect(loadConfig({ projectRoot: dir }).config.github.repo).toEqual('acme/real');
  });

  it('resolves policy files against the config file and fails on a missing one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'drift-auditor.config.yaml'), VALID.replace('    type: eks', '    type: eks\n    policyFile: policies/prod.yaml'));

    expect(() => resolvePolicyFiles(loadConfig({ projectRoot: dir }))).toThrow(/clusters\.0\.policyFile: .*policies\/prod\.yaml does not exist/);
  });
});
