import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import type { AuditorStack } from '../../infra/auditor-stack.js';

/** A config that turns every optional part on: object lock, VPC, e-mail alarms, both cluster types. */
const FULL = {
  stackName: 'DriftAuditorTest',
  env: { account: '123456789012', region: 'eu-west-1' },
  schedule: { cron: 'cron(30 5 ? * MON-FRI *)', timezone: 'Europe/Berlin' },
  maxConcurrency: 3,
  bucket: { objectLock: { mode: 'compliance', days: 400 }, expirationDays: 800 },
  github: { repo: 'acme/drift', auth: 'app', secretName: 'drift-auditor/github-app' },
  notify: { minSeverity: 'critical' },
  alarms: { email: 'oncall@example.com' },
  securityHub: true,
  functions: { audit: { memoryMB: 6144, timeoutSeconds: 900 } },
  vpc: {
    vpcId: 'vpc-0abc',
    subnets: [
      { id: 'subnet-0a1b2c3d4e5f60718', availabilityZone: 'eu-west-1a' },
      { id: 'subnet-0b2c3d4e5f6071829', availabilityZone: 'eu-west-1b' },
    ],
    securityGroupIds: ['sg-0c3d4e5f607182930'],
  },
  clusters: [
    { name: 'prod', type: 'eks', eksClusterName: 'prod-eks', manifests: 'github:acme/gitops@main:clusters/prod' },
    { name: 'stage', type: 'eks', manifests: 'github:acme/gitops@main:clusters/stage', namespaces: ['kube-system'] },
    { name: 'edge', type: 'kubeconfig', kubeconfigSecretName: 'drift-auditor/kubeconfig/edge', manifests: 'github:acme/gitops@main:clusters/edge' },
  ],
};

function synth(context: Record<string, unknown> = { driftAuditor: FULL }): { app: App; stack: AuditorStack; template: Template } {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const { stack } = buildApp(app);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Every IAM policy statement in the template. */
function statements(template: Template): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: never[] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('AuditorStack', () => {
  const { app, stack, template } = synth();

  it('keeps the evidence bucket private, TLS-only, KMS-encrypted, versioned and logged', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'evidence/' },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: 'drift-auditor evidence bucket' });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('keeps the access log bucket private with ACLs disabled, logs delivered by bucket policy', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: Match.objectLike({ BlockPublicAcls: true }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[];
    expect(buckets.filter((b) => b.Properties.AccessControl !== undefined)).toEqual([]);
  });

  it('moves runs to cheaper storage, expires old versions and applies the configured object lock', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Prefix: 'clusters/',
            Status: 'Enabled',
            ExpirationInDays: 800,
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
            ],
          }),
        ]),
      },
    });
  });

  it('runs five nodejs22.x ESM functions with explicit log groups: the audit on x86_64 with the kubectl layer (helm, kubectl), the others on arm64', () => {
    template.resourceCountIs('AWS::Lambda::Function', 5);
    const fns = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: Record<string, unknown> }[];

    expect(
      fns
        .map((f) => [f.Properties.Runtime, f.Properties.Architectures, f.Properties.Handler, (f.Properties.Layers as unknown[] | undefined)?.length ?? 0])
        .sort(),
    ).toEqual([...Array(4).fill(['nodejs22.x', ['arm64'], 'index.handler', 0]), ['nodejs22.x', ['x86_64'], 'index.handler', 1]].sort());
    expect(fns.every((f) => f.Properties.LoggingConfig !== undefined)).toEqual(true);
    template.resourceCountIs('AWS::Logs::LogGroup', 6);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  it('sizes each function for large clusters, with the configured overrides', () => {
    const byDescription = Object.fromEntries(
      (Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Description: string; MemorySize: number; Timeout: number } }[]).map(
        (f) => [f.Properties.Description, [f.Properties.MemorySize, f.Properties.Timeout]],
      ),
    );

    expect(byDescription).toEqual({
      'drift-auditor snapshot': [3008, 600],
      'drift-auditor audit': [6144, 900],
      'drift-auditor notify': [512, 600],
      'drift-auditor recordFailure': [256, 60],
      'drift-auditor evidence': [1024, 900],
    });
  });

  it("lets the audit function import findings only into its own account's Security Hub product when securityHub is on", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'drift-auditor audit',
      Environment: { Variables: Match.objectLike({ DRIFT_AUDITOR_SECURITY_HUB: 'true', DRIFT_AUDITOR_AWS_ACCOUNT_ID: '123456789012' }) },
    });
    const imports = statements(template).filter((x) => x.Action === 'securityhub:BatchImportFindings');
    expect(JSON.stringify(imports.map((x) => x.Resource))).toContain('securityhub:eu-west-1:123456789012:product/123456789012/default');
    expect(imports).toHaveLength(1);
  });

  it('builds the evidence pack of the previous month on the 1st and lets it write only under clusters/*/evidence/', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 4 1 * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      Target: {
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('EvidenceFunction'), 'Arn'] },
        RoleArn: Match.anyValue(),
        Input: JSON.stringify({ cluster: 'all', runId: 'monthly-evidence' }),
      },
    });
    const evidenceRole = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith('EvidenceRole'));
    const puts = evidenceRole
      .flatMap(
        ([, p]) =>
          (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
      )
      .filter((x) => x.Action === 's3:PutObject');
    expect(JSON.stringify(puts.map((x) => x.Resource))).toMatch(/clusters\/\*\/evidence\/\*/);
    expect(JSON.stringify(puts.map((x) => x.Resource))).not.toMatch(/clusters\/\*"/);
  });

  it('places only the snapshot function in the configured VPC', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'drift-auditor snapshot',
      VpcConfig: { SubnetIds: ['subnet-0a1b2c3d4e5f60718', 'subnet-0b2c3d4e5f6071829'], SecurityGroupIds: ['sg-0c3d4e5f607182930'] },
    });
    const inVpc = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => (f as { Properties: Record<string, unknown> }).Properties.VpcConfig,
    );
    expect(inVpc.length).toEqual(1);
  });

  it('schedules the state machine with the configured cron and time zone', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 5 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Europe/Berlin',
      State: 'ENABLED',
      Target: { Arn: { Ref: Match.stringLikeRegexp('Pipeline') }, RoleArn: Match.anyValue(), Input: JSON.stringify({ trigger: 'schedule' }) },
    });
  });

  it('maps over the configured clusters with bounded concurrency, retries and a contained catch', () => {
    const definition = JSON.parse(definitionOf(template)) as {
      States: Record<
        string,
        {
          Type: string;
          MaxConcurrency?: number;
          ItemsPath?: string;
          Parameters?: { clusters?: { name: string }[] };
          ItemProcessor?: {
            States: Record<
              string,
              { Retry?: { ErrorEquals: string[] }[]; Catch?: { ErrorEquals: string[]; Next: string; ResultPath: string }[]; Next?: string; End?: boolean }
            >;
          };
        }
      >;
    };
    const map = definition.States.AuditClusters!;
    const branch = map.ItemProcessor!.States;

    expect(definition.States.ListClusters!.Parameters!.clusters!.map((c) => c.name)).toEqual(['prod', 'stage', 'edge']);
    expect([map.Type, map.MaxConcurrency, map.ItemsPath]).toEqual(['Map', 3, '$.clusters']);
    expect(['Snapshot', 'Audit', 'Notify'].map((s) => [branch[s]!.Next, branch[s]!.Catch])).toEqual([
      ['Audit', [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]],
      ['Notify', [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]],
      ['ClusterSucceeded', [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' }]],
    ]);
    expect(branch.Snapshot!.Retry!.map((r) => r.ErrorEquals)).toContainEqual(['StoreError', 'RunStoreError', 'GitHubError']);
    expect([branch.RecordFailure!.Next, branch.ClusterFailed!.End]).toEqual(['ClusterFailed', true]);
    expect(definition.States.AnyClusterFailed!.Type).toEqual('Choice');
    expect(definition.States.SomeClustersFailed!.Type).toEqual('Fail');
  });

  it('logs and traces the state machine', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false, Destinations: [Match.anyValue()] },
    });
  });

  it('gives the snapshot role an access entry in each EKS cluster, mapped to the drift-auditor group', () => {
    template.resourceCountIs('AWS::EKS::AccessEntry', 2);
    for (const cluster of ['prod-eks', 'stage']) {
      template.hasResourceProperties('AWS::EKS::AccessEntry', {
        ClusterName: cluster,
        Type: 'STANDARD',
        KubernetesGroups: ['drift-auditor'],
        PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SnapshotRole'), 'Arn'] },
      });
    }
  });

  it('allows eks:DescribeCluster on the configured clusters only', () => {
    const describe = statements(template).filter((s) => s.Action === 'eks:DescribeCluster');

    expect(describe.length).toEqual(1);
    expect(JSON.stringify(describe[0]!.Resource)).toMatch(/cluster\/prod-eks.*cluster\/stage/);
  });

  it('creates the GitHub secret and one kubeconfig secret per kubeconfig cluster, with no value in the template', () => {
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'drift-auditor/github-app' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'drift-auditor/kubeconfig/edge' });
    const secrets = Object.values(template.findResources('AWS::SecretsManager::Secret')) as { Properties: Record<string, unknown> }[];
    expect(secrets.filter((s) => s.Properties.SecretString !== undefined)).toEqual([]);
  });

  it('grants no wildcard action, and "*" resources only for X-Ray/log delivery and the snapshot function\'s VPC network interfaces', () => {
    const all = statements(template);
    const wildcardActions = all.flatMap((s) => [s.Action].flat()).filter((a) => a === '*' || a.endsWith(':*'));
    const starResources = all.filter((s) => [s.Resource].flat().includes('*')).flatMap((s) => [s.Action].flat());
    const snapshotPolicy = Object.values(
      template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^SnapshotRole') }] } }),
    );

    expect(wildcardActions).toEqual([]);
    expect(starResources.filter((a) => !/^(xray|logs):/.test(a)).sort()).toEqual([
      'ec2:AssignPrivateIpAddresses',
      'ec2:CreateNetworkInterface',
      'ec2:DeleteNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    expect(JSON.stringify(snapshotPolicy)).toContain('ec2:CreateNetworkInterface');
  });

  it.each([
    ['SnapshotRole', ['s3:PutObject'], ['/staging/*/snapshot.json.gz']],
    ['AuditRole', ['s3:GetObject', 's3:PutObject', 's3:ListBucket'], ['/staging/*/snapshot.json.gz', '/clusters/*']],
    ['NotifyRole', ['s3:GetObject', 's3:PutObject', 's3:ListBucket'], ['/clusters/*/runs/*', '/locks/notify/*']],
    ['RecordFailureRole', ['s3:PutObject'], ['/clusters/*/failures/*']],
  ])('limits %s to its own S3 actions and key prefixes', (role, actions, prefixes) => {
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }] } });
    const s3 = Object.values(policies)
      .flatMap(
        (p) => (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
      )
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
    const suffixes = s3
      .flatMap((s) => [s.Resource].flat())
      .map((r) => JSON.stringify(r).match(/"(\/[^"]+)"/)?.[1])
      .filter(Boolean);

    expect(s3.flatMap((s) => [s.Action].flat()).sort()).toEqual([...actions].sort());
    expect([...new Set(suffixes)].sort()).toEqual([...prefixes].sort());
    expect(s3.flatMap((s) => [s.Action].flat()).some((a) => a.includes('Delete'))).toEqual(false);
  });

  it('lets only the audit and notify functions (create-only writes and locks must see 404, not 403) and the evidence function (it lists runs) list the bucket', () => {
    const listers = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]) => JSON.stringify(p).includes('s3:ListBucket'))
      .map(([, p]) => (p as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string; Condition?: unknown }[] } } }).Properties);

    expect(listers.map((p) => p.Roles[0]!.Ref.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['AuditRole', 'EvidenceRole', 'NotifyRole']);
    for (const l of listers) expect(l.PolicyDocument.Statement.find((st) => st.Action === 's3:ListBucket')!.Condition).toEqual(undefined);
  });

  it('denies every overwrite under runs, the index, failure records and evidence packs, whoever asks: a PutObject without If-None-Match', () => {
    const evidence = Object.values(template.findResources('AWS::S3::BucketPolicy'))
      .map((p) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement)
      .find((st) => JSON.stringify(st).includes('CreateOnlyRunsIndexFailures'))!;
    const deny = (sid: string) =>
      evidence.find((st) => st.Sid === sid) as { Effect: string; Principal: unknown; Action: string; Resource: unknown[]; Condition: unknown };
    const suffixes = (r: unknown[]) => r.map((x) => JSON.stringify(x).match(/"(\/[^"]+)"/)?.[1]);

    const createOnly = deny('CreateOnlyRunsIndexFailures');
    const swapOnly = deny('CompareAndSwapPointersLocks');

    expect([createOnly.Effect, createOnly.Principal, createOnly.Action, createOnly.Condition]).toEqual([
      'Deny',
      { AWS: '*' },
      's3:PutObject',
      { Null: { 's3:if-none-match': 'true' } },
    ]);
    expect(suffixes(createOnly.Resource)).toEqual(['/clusters/*/runs/*', '/clusters/*/index/*', '/clusters/*/failures/*', '/clusters/*/evidence/*']);
    expect([swapOnly.Effect, swapOnly.Principal, swapOnly.Action, swapOnly.Condition]).toEqual([
      'Deny',
      { AWS: '*' },
      's3:PutObject',
      { Null: { 's3:if-none-match': 'true', 's3:if-match': 'true' } },
    ]);
    expect(suffixes(swapOnly.Resource)).toEqual(['/clusters/*/latest.json', '/locks/*']);
    // Nothing may delete a stored object or version either: no function is granted a delete.
    expect(
      statements(template)
        .flatMap((st) => [st.Action].flat())
        .filter((a) => /^s3:(Delete|BypassGovernance|PutObjectRetention|PutBucketPolicy)/.test(a)),
    ).toEqual([]);
  });

  it('lets CloudWatch use the alarm topic key only for alarms of this account (SourceAccount, SourceArn)', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key', { Properties: { Description: 'drift-auditor alarm topic' } })) as {
      Properties: { KeyPolicy: { Statement: { Principal?: { Service?: string }; Action: string[]; Condition?: Record<string, Record<string, unknown>> }[] } };
    }[];
    const grants = keys[0]!.Properties.KeyPolicy.Statement.filter((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com');

    expect(grants.length).toEqual(1);
    expect(grants[0]!.Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(grants[0]!.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${stack.region}:${stack.account}:alarm:*`]] } },
    });
  });

  it("alarms on failed and timed-out executions and on each cluster's failure metric, to the SNS topic", () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsTimedOut', Namespace: 'AWS/States' });
    for (const cluster of ['prod', 'stage', 'edge']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'RunFailed',
        Namespace: 'DriftAuditor',
        Dimensions: Match.arrayWith([{ Name: 'cluster', Value: cluster }]),
      });
    }
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('passes the cdk-nag AwsSolutions checks with every finding acknowledged', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('gives every acknowledgement a written reason', () => {
    const acks = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').flatMap((m) => Object.entries(m.data as Record<string, string>)));

    expect(acks.length).toBeGreaterThan(5);
    expect(acks.filter(([, reason]) => reason.length < 40)).toEqual([]);
  });
});

describe('AuditorStack with the example config', () => {
  it('synthesizes from drift-auditor.config.example.yaml with no nag findings', () => {
    const { app, stack, template } = synth({ configFile: 'drift-auditor.config.example.yaml' });

    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 6 * * ? *)', ScheduleExpressionTimezone: 'Europe/Berlin' });
    expect(new AwsSolutionsChecks(app).validateScope(stack).violations).toEqual([]);
  });

  it('creates no object lock, VPC config or alarm topic when they are not configured', () => {
    const { template } = synth({ driftAuditor: { ...FULL, bucket: {}, vpc: undefined, alarms: {} } });

    const buckets = Object.values(template.findResources('AWS::S3::Bucket')) as { Properties: Record<string, unknown> }[];
    expect(buckets.some((b) => b.Properties.ObjectLockEnabled)).toEqual(false);
    expect(
      Object.values(template.findResources('AWS::Lambda::Function')).some((f) => (f as { Properties: Record<string, unknown> }).Properties.VpcConfig),
    ).toEqual(false);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('ec2:');
  });
});

describe('AuditorStack with Argo CD cluster identities', () => {
  it("hands each cluster's server URL, labels and Argo CD cluster to the audit through the state machine", () => {
    const clusters = FULL.clusters.map((c, i) =>
      i === 0 ? { ...c, server: 'https://prod.k8s.example.com', labels: { env: 'prod' } } : i === 1 ? { ...c, argocdCluster: 'hub' } : c,
    );
    const { template } = synth({ driftAuditor: { ...FULL, clusters } });

    const definition = JSON.parse(definitionOf(template)) as {
      States: Record<string, { Parameters?: { clusters?: { name: string; server?: string; labels?: Record<string, string>; argocdCluster?: string }[] } }>;
    };
    expect(definition.States.ListClusters!.Parameters!.clusters!.map((c) => [c.name, c.server, c.labels, c.argocdCluster])).toEqual([
      ['prod', 'https://prod.k8s.example.com', { env: 'prod' }, undefined],
      ['stage', undefined, undefined, 'hub'],
      ['edge', undefined, undefined, undefined],
    ]);
  });
});

describe('AuditorStack with private chart repositories', () => {
  /** The role names (without CDK's hash) whose policies may read `secretLogicalId`. */
  const readersOf = (template: Template, secretLogicalId: string): string[] =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .map(
        (p) =>
          (p as { Properties: { Roles: { Ref: string }[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }).Properties,
      )
      .filter((p) =>
        p.PolicyDocument.Statement.some(
          (st) => [st.Action].flat().includes('secretsmanager:GetSecretValue') && JSON.stringify(st.Resource).includes(secretLogicalId),
        ),
      )
      .map((p) => p.Roles[0]!.Ref.replace(/[0-9A-F]{8}$/, ''));

  it('creates the chart credentials secret, lets only the audit function read it, and tells the function its ARN', () => {
    const { template } = synth({ driftAuditor: { ...FULL, charts: { credentialsSecretName: 'drift-auditor/chart-credentials' } } });

    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'drift-auditor/chart-credentials' });
    const [id] = Object.keys(template.findResources('AWS::SecretsManager::Secret', { Properties: { Name: 'drift-auditor/chart-credentials' } }));
    expect(readersOf(template, id!)).toEqual(['AuditRole']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'drift-auditor audit',
      Environment: { Variables: Match.objectLike({ DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET: { Ref: id } }) },
    });
  });

  it('creates and grants no chart credentials secret when charts is not configured', () => {
    const { template } = synth();

    expect(Object.keys(template.findResources('AWS::SecretsManager::Secret', { Properties: { Name: Match.stringLikeRegexp('chart') } }))).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).not.toContain('DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET');
  });
});

function definitionOf(template: Template): string {
  const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
    Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } };
  };
  // Function ARNs are tokens inside the definition; replace them with placeholders to get plain JSON.
  return sm.Properties.DefinitionString['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'ARN')).join('');
}
