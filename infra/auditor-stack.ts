// The deployed auditor: EventBridge Scheduler -> Step Functions (Map over clusters, bounded) ->
// snapshot -> audit -> notify Lambdas per cluster, each with Retry and a Catch that records the failed
// run in S3 and contains it, so one cluster never stops the others; the execution then ends failed
// and the alarms fire. Evidence bucket: KMS, TLS only, versioned, lifecycle, optional Object Lock.
// Least privilege: every function has its own role with only the S3 prefixes, secrets and clusters it uses.
import { KubectlV35Layer } from '@aws-cdk/lambda-layer-kubectl-v35';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, TimeZone, Token, Validations, type CfnElement, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { STAGING_PREFIX, TRANSIENT_ERRORS, type ClusterTarget } from '../functions/handlers/shared/contract.js';
import type { AuditorConfig } from './config.js';

/** The four Lambda functions, by role in the pipeline. */
export type FunctionName = 'snapshot' | 'audit' | 'notify' | 'recordFailure' | 'evidence';

export interface AuditorStackProps extends StackProps {
  config: AuditorConfig;
  /** Absolute repository root (entries, lock file, rules/). */
  projectRoot: string;
  /** Cluster name -> absolute policy file, bundled into the audit function as policies/<cluster>.yaml. */
  policyFiles?: Map<string, string>;
  /** Recorded in every report (package.json version). */
  auditorVersion?: string;
}

/**
 * Memory (MB) and timeout per function, sized for 5,000 nodes / 150,000 pods: the audit's gunzip + parse of
 * a 127k-pod snapshot (396 MB of JSON) peaks at 1.95 GB (bench/lambda.ts), the snapshot holds the projected
 * pods plus the serialized file. Config `functions.<name>` overrides them (docs/deploy.md).
 */
export const FUNCTION_SIZING: Record<FunctionName, { memoryMB: number; timeout: Duration; entry: string }> = {
  snapshot: { memoryMB: 3008, timeout: Duration.minutes(10), entry: 'snapshot.ts' },
  audit: { memoryMB: 4096, timeout: Duration.minutes(10), entry: 'audit.ts' },
  notify: { memoryMB: 512, timeout: Duration.minutes(10), entry: 'notify.ts' },
  recordFailure: { memoryMB: 256, timeout: Duration.seconds(60), entry: 'record-failure.ts' },
  // A month of daily runs per cluster: each run's report.json is read and every object re-hashed.
  evidence: { memoryMB: 1024, timeout: Duration.minutes(15), entry: 'evidence.ts' },
};

/** When the monthly evidence pack of the previous month is built: 04:00 UTC on the 1st. */
export const EVIDENCE_SCHEDULE = 'cron(0 4 1 * ? *)';

/** The esbuild banner that gives CJS dependencies a `require` inside the ESM bundle. */
export const ESM_REQUIRE_BANNER = "import { createRequire as __driftCreateRequire } from 'node:module'; const require = __driftCreateRequire(import.meta.url);";

/** Metric namespace and service dimension the handlers publish under (Powertools). */
export const METRICS = { namespace: 'DriftAuditor', service: 'drift-auditor' } as const;

/** Key patterns that are created once and never overwritten (a PutObject must carry If-None-Match). */
export const CREATE_ONLY_PREFIXES = ['clusters/*/runs/*', 'clusters/*/index/*', 'clusters/*/failures/*', 'clusters/*/evidence/*'];
/** Keys replaced only by compare-and-swap (If-Match on the ETag read, or If-None-Match for the first). */
export const SWAP_ONLY_KEYS = ['clusters/*/latest.json', 'locks/*'];

/** The drift-auditor stack: bucket, functions, state machine, schedule, secrets, access entries, alarms. */
export class AuditorStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly functions: Record<FunctionName, NodejsFunction>;
  readonly stateMachine: sfn.StateMachine;
  readonly githubSecret: secretsmanager.Secret;
  readonly kubeconfigSecrets = new Map<string, secretsmanager.Secret>();
  /** Private chart repositories' credentials, when `charts` is configured. */
  readonly chartCredentialsSecret?: secretsmanager.Secret;
  readonly alarmTopic?: sns.Topic;
  private readonly config: AuditorConfig;

  constructor(scope: Construct, id: string, props: AuditorStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;

    // ---- Evidence bucket -------------------------------------------------------------------------
    const key = new kms.Key(this, 'BucketKey', {
      description: 'drift-auditor evidence bucket',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      // S3 server access logs can only be delivered to SSE-S3 buckets.
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket itself; logging it into itself would loop.',
    });
    const b = config.bucket;
    this.bucket = new s3.Bucket(this, 'Evidence', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      objectLockEnabled: b.objectLock !== undefined ? true : undefined,
      objectLockDefaultRetention: b.objectLock
        ? (b.objectLock.mode === 'compliance' ? s3.ObjectLockRetention.compliance : s3.ObjectLockRetention.governance)(Duration.days(b.objectLock.days))
        : undefined,
      lifecycleRules: [
        {
          id: 'reports-to-cheaper-storage',
          prefix: 'clusters/',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(b.transitionToInfrequentAccessDays) },
            { storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(b.transitionToGlacierInstantRetrievalDays) },
          ],
          expiration: b.expirationDays !== undefined ? Duration.days(b.expirationDays) : undefined,
          noncurrentVersionExpiration: Duration.days(b.noncurrentVersionExpirationDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
        {
          // The snapshot function's hand-off copy; the audit keeps the evidence copy inside the run.
          id: 'staging-expiry',
          prefix: STAGING_PREFIX,
          expiration: Duration.days(Math.max(7, b.objectLock?.days ?? 0)),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: b.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.enforceCreateOnly();

    // ---- Secrets (values are put after deploy; never in the template) ----------------------------
    this.githubSecret = new secretsmanager.Secret(this, 'GitHubSecret', {
      secretName: config.github.secretName,
      description:
        config.github.auth === 'app'
          ? 'drift-auditor GitHub App: JSON {"appId": "...", "privateKey": "-----BEGIN RSA PRIVATE KEY-----..."}'
          : 'drift-auditor GitHub token (fine-grained: contents read, issues write on the issues repo)',
    });
    acknowledgeRotation(
      this.githubSecret,
      'GitHub tokens and App keys are issued and rotated in GitHub, not by a Lambda rotator; docs/deploy.md says how to replace the value.',
    );
    if (config.charts) {
      this.chartCredentialsSecret = new secretsmanager.Secret(this, 'ChartCredentialsSecret', {
        secretName: config.charts.credentialsSecretName,
        description: 'drift-auditor chart repository credentials: JSON {"<repository URL prefix>": {"username": "...", "password": "..."}}',
      });
      acknowledgeRotation(
        this.chartCredentialsSecret,
        'Chart repository credentials are issued and rotated by the registry owner; docs/deploy.md says how to replace the value.',
      );
    }
    for (const c of config.clusters) {
      if (c.type !== 'kubeconfig' || !c.kubeconfigSecretName) continue;
      const secret = new secretsmanager.Secret(this, `Kubeconfig-${c.name}`, {
        secretName: c.kubeconfigSecretName,
        description: `drift-auditor kubeconfig for cluster ${c.name} (read-only credentials; see deploy/rbac.yaml)`,
      });
      acknowledgeRotation(secret, 'Kubeconfig credentials are issued by the cluster owner and rotated there; docs/deploy.md says how to replace the value.');
      this.kubeconfigSecrets.set(c.name, secret);
    }

    // ---- Functions ---------------------------------------------------------------------------------
    const vpcPlacement = config.vpc ? this.vpcPlacement(config.vpc) : undefined;
    const common = {
      DRIFT_AUDITOR_BUCKET: this.bucket.bucketName,
      DRIFT_AUDITOR_KMS_KEY_ID: key.keyArn,
      DRIFT_AUDITOR_VERSION: props.auditorVersion ?? 'dev',
      POWERTOOLS_SERVICE_NAME: METRICS.service,
      POWERTOOLS_METRICS_NAMESPACE: METRICS.namespace,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const github = {
      DRIFT_AUDITOR_GITHUB_SECRET: this.githubSecret.secretArn,
      DRIFT_AUDITOR_GITHUB_AUTH: config.github.auth,
      ...(config.github.apiUrl ? { GITHUB_API_URL: config.github.apiUrl } : {}),
    };
    const policyCopies = [...(props.policyFiles ?? new Map<string, string>())].map(([cluster, file]) => ({ cluster, file }));
    this.functions = {
      snapshot: this.handler('snapshot', props.projectRoot, common, { vpc: vpcPlacement }),
      // The audit renders Helm charts and kustomizations (functions/adapters/render/) with the kubectl
      // layer's helm and kubectl, which are amd64 only: docs/deploy.md explains why here, not a step of its own.
      audit: this.handler(
        'audit',
        props.projectRoot,
        {
          ...common,
          ...github,
          XDG_CACHE_HOME: '/tmp',
          ...(this.chartCredentialsSecret ? { DRIFT_AUDITOR_HELM_CREDENTIALS_SECRET: this.chartCredentialsSecret.secretArn } : {}),
          ...(config.securityHub ? { DRIFT_AUDITOR_SECURITY_HUB: 'true', DRIFT_AUDITOR_AWS_ACCOUNT_ID: this.account } : {}),
        },
        { copyRules: true, policies: policyCopies, renderers: true },
      ),
      notify: this.handler(
        'notify',
        props.projectRoot,
        {
          ...common,
          ...github,
          DRIFT_AUDITOR_ISSUES_REPO: config.github.repo,
          DRIFT_AUDITOR_MIN_SEVERITY: config.notify.minSeverity,
          DRIFT_AUDITOR_PULL_REQUESTS: String(config.notify.pullRequests),
        },
        {},
      ),
      recordFailure: this.handler('recordFailure', props.projectRoot, common, {}),
      evidence: this.handler('evidence', props.projectRoot, common, {}),
    };
    this.grantLeastPrivilege(config);
    if (vpcPlacement) {
      // What AWSLambdaVPCAccessExecutionRole grants, minus its logs:* (the log group is granted above).
      const role = this.functions.snapshot.role!;
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [
            'ec2:CreateNetworkInterface',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeSubnets',
            'ec2:DeleteNetworkInterface',
            'ec2:AssignPrivateIpAddresses',
            'ec2:UnassignPrivateIpAddresses',
          ],
          resources: ['*'],
        }),
      );
      acknowledgeResources(
        role,
        ['*'],
        "Lambda VPC placement: the EC2 network-interface actions Lambda uses for the function's ENIs (as in AWSLambdaVPCAccessExecutionRole) do not support resource-level permissions.",
      );
    }

    // ---- EKS access: one access entry per EKS cluster for the snapshot role ----------------------
    const snapshotRole = this.functions.snapshot.role!;
    config.clusters.forEach((c, i) => {
      if (c.type !== 'eks' || !c.createAccessEntry) return;
      if (c.region && !Token.isUnresolved(this.region) && c.region !== this.region) {
        throw new Error(
          `failed to create the EKS access entry: clusters.${i}.region: cluster '${c.name}' is in ${c.region} but the stack deploys to ${this.region}; set clusters.${i}.createAccessEntry: false and create it there (docs/deploy.md)`,
        );
      }
      new eks.CfnAccessEntry(this, `AccessEntry-${c.name}`, {
        clusterName: c.eksClusterName ?? c.name,
        principalArn: snapshotRole.roleArn,
        type: 'STANDARD',
        // AmazonEKSViewPolicy lacks nodes; the group is bound to a read-only ClusterRole by deploy/rbac.yaml.
        kubernetesGroups: ['drift-auditor'],
      });
    });

    // ---- State machine -----------------------------------------------------------------------------
    this.stateMachine = this.pipeline(config);

    // ---- Schedule ----------------------------------------------------------------------------------
    // The monthly evidence pack of the previous month, stored next to the runs (same bucket, same lifecycle rules).
    const evidenceSchedulerRole = new iam.Role(this, 'EvidenceScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'drift-auditor: invoke the evidence function monthly',
    });
    new scheduler.Schedule(this, 'EvidenceSchedule', {
      description: 'drift-auditor: evidence pack of the previous month for every cluster',
      schedule: scheduler.ScheduleExpression.expression(EVIDENCE_SCHEDULE, TimeZone.ETC_UTC),
      enabled: config.schedule.enabled,
      target: new schedulerTargets.LambdaInvoke(this.functions.evidence, {
        role: evidenceSchedulerRole,
        input: scheduler.ScheduleTargetInput.fromObject({ cluster: 'all', runId: 'monthly-evidence' }),
      }),
    });
    acknowledgeResources(
      evidenceSchedulerRole,
      [`<${this.getLogicalId(this.functions.evidence.node.defaultChild as CfnElement)}.Arn>:*`],
      'CDK grants invoke on the function and its versions (Arn:*); the role can invoke only the evidence function.',
    );
    new scheduler.Schedule(this, 'Schedule', {
      description: 'drift-auditor: audit every configured cluster',
      schedule: scheduler.ScheduleExpression.expression(`cron(${config.schedule.cron})`, TimeZone.of(config.schedule.timezone)),
      enabled: config.schedule.enabled,
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        retryAttempts: 2,
      }),
    });

    // ---- Alarms ------------------------------------------------------------------------------------
    if (config.alarms.topic || config.alarms.email) {
      const topicKey = new kms.Key(this, 'AlarmTopicKey', { description: 'drift-auditor alarm topic', enableKeyRotation: true });
      // CloudWatch may use the key only for this account's alarms (confused deputy): SourceAccount and SourceArn.
      topicKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsOfThisAccount',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:SourceAccount': this.account },
            ArnLike: {
              'aws:SourceArn': this.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
            },
          },
        }),
      );
      this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { displayName: 'drift-auditor alarms', masterKey: topicKey, enforceSSL: true });
      if (config.alarms.email) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarms.email));
    }
    // Any occurrence in five minutes alarms; no data (no run) is fine.
    const alarmOn = (id: string, description: string, metric: cloudwatch.IMetric): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const every5min = { period: Duration.minutes(5), statistic: 'Sum' };
    const alarms = [
      alarmOn(
        'ExecutionsFailed',
        'A drift-auditor run failed for at least one cluster (see clusters/<cluster>/failures/ in the bucket).',
        this.stateMachine.metricFailed(every5min),
      ),
      alarmOn('ExecutionsTimedOut', 'A drift-auditor run timed out.', this.stateMachine.metricTimedOut(every5min)),
      ...config.clusters.map((c) =>
        alarmOn(
          `RunFailed-${c.name}`,
          `drift-auditor could not audit cluster ${c.name}: see clusters/${c.name}/failures/ in the bucket.`,
          new cloudwatch.Metric({
            namespace: METRICS.namespace,
            metricName: 'RunFailed',
            dimensionsMap: { service: METRICS.service, cluster: c.name },
            ...every5min,
          }),
        ),
      ),
    ];
    if (this.alarmTopic) for (const a of alarms) a.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));

    new CfnOutput(this, 'BucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'SnapshotRoleArn', {
      value: snapshotRole.roleArn,
      description: 'Principal to grant read access in each cluster (access entry / RBAC group drift-auditor)',
    });
    new CfnOutput(this, 'GitHubSecretName', { value: config.github.secretName });
  }

  /** One NodejsFunction with its own role and log group, bundled locally by esbuild as an ESM file. */
  private handler(
    name: FunctionName,
    projectRoot: string,
    environment: Record<string, string>,
    opts: {
      vpc?: { vpc: ec2.IVpc; subnets: ec2.ISubnet[]; securityGroups: ec2.ISecurityGroup[] };
      copyRules?: boolean;
      policies?: { cluster: string; file: string }[];
      /** x86_64 with the kubectl layer (helm and kubectl under /opt, where tools.ts looks). */
      renderers?: boolean;
    },
  ): NodejsFunction {
    const sizing = FUNCTION_SIZING[name];
    const override = this.config.functions[name];
    const id = name[0]!.toUpperCase() + name.slice(1);
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `drift-auditor ${name} function`,
    });
    // Explicit, scoped log permissions instead of the AWSLambdaBasicExecutionRole managed policy.
    logGroup.grantWrite(role);
    const afterBundling = (inputDir: string, outputDir: string): string[] => [
      ...(opts.copyRules ? [`cp -R "${inputDir}/rules" "${outputDir}/rules"`] : []),
      ...(opts.policies?.length ? [`mkdir -p "${outputDir}/policies"`] : []),
      ...(opts.policies ?? []).map((p) => `cp "${p.file}" "${outputDir}/policies/${p.cluster}.yaml"`),
    ];
    const fn = new NodejsFunction(this, `${id}Function`, {
      entry: `${projectRoot}/functions/handlers/${sizing.entry}`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}/package-lock.json`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: opts.renderers ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      ...(opts.renderers ? { layers: [new KubectlV35Layer(this, `${id}KubectlLayer`)] } : {}),
      memorySize: override?.memoryMB ?? sizing.memoryMB,
      timeout: override?.timeoutSeconds !== undefined ? Duration.seconds(override.timeoutSeconds) : sizing.timeout,
      role,
      logGroup,
      environment,
      description: `drift-auditor ${name}`,
      ...(opts.vpc ? { vpc: opts.vpc.vpc, vpcSubnets: { subnets: opts.vpc.subnets }, securityGroups: opts.vpc.securityGroups } : {}),
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        minify: true,
        // esbuild's size table on stderr is noise in synth and tests; errors still print.
        logLevel: LogLevel.ERROR,
        // Error class names must survive minification: Step Functions retries and catches by error name.
        keepNames: true,
        sourceMap: true,
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling,
        },
      },
    });
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x deliberately: the bundle targets node22 and is tested on it; nodejs24.x drops callback handlers and is adopted by a deliberate upgrade.',
    });
    return fn;
  }

  private vpcPlacement(v: NonNullable<AuditorConfig['vpc']>): { vpc: ec2.IVpc; subnets: ec2.ISubnet[]; securityGroups: ec2.ISecurityGroup[] } {
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: v.vpcId,
      availabilityZones: [...new Set(v.subnets.map((s) => s.availabilityZone))],
    });
    const subnets = v.subnets.map((s, i) => ec2.Subnet.fromSubnetAttributes(this, `Subnet${i}`, { subnetId: s.id, availabilityZone: s.availabilityZone }));
    const securityGroups = v.securityGroupIds.map((id, i) => ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup${i}`, id, { mutable: false }));
    return { vpc, subnets, securityGroups };
  }

  /**
   * Nothing stored is overwritten, whoever asks: the bucket policy denies every PutObject under a run,
   * the run index and the failure records that lacks `If-None-Match` (S3's s3:if-none-match condition
   * key; S3 then refuses with 412 when the key exists), and every PutObject of latest.json and of the
   * notify locks that is not conditional (If-None-Match or If-Match: a compare-and-swap). CopyObject
   * cannot carry the headers, so copies into these prefixes are refused too. No function is granted
   * s3:DeleteObject or s3:DeleteObjectVersion, and versioning keeps every version (docs/deploy.md).
   */
  private enforceCreateOnly(): void {
    const objects = (pattern: string): string => this.bucket.arnForObjects(pattern);
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CreateOnlyRunsIndexFailures',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: CREATE_ONLY_PREFIXES.map(objects),
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CompareAndSwapPointersLocks',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: SWAP_ONLY_KEYS.map(objects),
        conditions: { Null: { 's3:if-none-match': 'true', 's3:if-match': 'true' } },
      }),
    );
  }

  /** Grants each function only what it uses; wildcards are key prefixes, each acknowledged with a reason. */
  private grantLeastPrivilege(config: AuditorConfig): void {
    const { snapshot, audit, notify, recordFailure } = this.functions;
    const objects = (pattern: string): string => this.bucket.arnForObjects(pattern);
    const bucketRef = `<${this.getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>`;
    const put = (fn: NodejsFunction, patterns: string[], why: string): void => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: patterns.map(objects) }));
      this.bucket.encryptionKey!.grant(fn, 'kms:GenerateDataKey');
      acknowledgeResources(
        fn.role!,
        patterns.map((p) => `${bucketRef}/${p}`),
        why,
      );
    };
    const get = (fn: NodejsFunction, patterns: string[], why: string): void => {
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: patterns.map(objects) }));
      this.bucket.encryptionKey!.grant(fn, 'kms:Decrypt');
      acknowledgeResources(
        fn.role!,
        patterns.map((p) => `${bucketRef}/${p}`),
        why,
      );
    };
    const list = (fn: NodejsFunction): void => {
      // Unconditioned on purpose: without s3:ListBucket S3 answers 403 instead of 404 for a missing key,
      // and the store's create-only writes (HeadObject first) and its first read of latest.json need the 404.
      // A request-level s3:prefix condition does not apply to HeadObject/GetObject, so it would cost the 404.
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    };

    // snapshot: reads the cluster, writes only its hand-off copy under staging/.
    put(
      snapshot,
      [`${STAGING_PREFIX}*/snapshot.json.gz`],
      'The snapshot function may write only staging/<cluster>/<run>/snapshot.json.gz; cluster and run ids are known only at run time.',
    );
    const eksClusters = config.clusters.filter((c) => c.type === 'eks');
    if (eksClusters.length) {
      snapshot.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['eks:DescribeCluster'],
          resources: eksClusters.map((c) =>
            this.formatArn({
              service: 'eks',
              resource: 'cluster',
              resourceName: c.eksClusterName ?? c.name,
              region: c.region ?? this.region,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ),
        }),
      );
    }
    for (const secret of this.kubeconfigSecrets.values()) secret.grantRead(snapshot);

    // audit: reads the staged snapshot and Git, writes the run (reports, snapshot copy, index, latest pointer).
    get(
      audit,
      [`${STAGING_PREFIX}*/snapshot.json.gz`, 'clusters/*'],
      'The audit function reads the staged snapshot and earlier runs (history, conditional writes) of any configured cluster; ids are known only at run time.',
    );
    put(
      audit,
      ['clusters/*'],
      'The audit function writes a run under clusters/<cluster>/ (runs, index, latest.json) and reads the staged snapshot; cluster and run ids are known only at run time. It is never granted delete.',
    );
    list(audit);
    this.githubSecret.grantRead(audit);
    this.chartCredentialsSecret?.grantRead(audit);
    if (config.securityHub) {
      // Only into this account's own custom-integration product (renderAsff's default ProductArn).
      audit.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['securityhub:BatchImportFindings'],
          resources: [`arn:${this.partition}:securityhub:${this.region}:${this.account}:product/${this.account}/default`],
        }),
      );
    }

    // notify: reads reports, talks to GitHub, and holds its lock while it does.
    get(
      notify,
      ['clusters/*/runs/*', 'locks/notify/*'],
      'The notify function reads reports under clusters/<cluster>/runs/<run>/ and reads its per-repository lock under locks/notify/; cluster, run and repository are known only at run time.',
    );
    put(
      notify,
      ['locks/notify/*'],
      'The notify function takes and releases its lock object locks/notify/<owner>/<repo>/<cluster>.json (conditional writes only, by bucket policy); the repository and cluster are known only at run time.',
    );
    list(notify);
    this.githubSecret.grantRead(notify);

    // record-failure: writes failed-run records only; never touches latest.json.
    put(
      recordFailure,
      ['clusters/*/failures/*'],
      'The record-failure function may write only clusters/<cluster>/failures/<ts>.json; the cluster is known only at run time.',
    );

    // evidence: reads every run (and verifies its objects), writes packs only under clusters/<cluster>/evidence/.
    get(
      this.functions.evidence,
      ['clusters/*'],
      'The evidence function reads and re-hashes the runs of every cluster (reports verify); cluster and run ids are known only at run time.',
    );
    put(
      this.functions.evidence,
      ['clusters/*/evidence/*'],
      'The evidence function writes monthly packs under clusters/<cluster>/evidence/<month>/<time>/ only; the cluster is known only at run time.',
    );
    list(this.functions.evidence);
  }

  /** The state machine: clusters in parallel (bounded), each snapshot -> audit -> notify, failures contained. */
  private pipeline(config: AuditorConfig): sfn.StateMachine {
    const targets: ClusterTarget[] = config.clusters.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.type === 'eks' ? { eksClusterName: c.eksClusterName ?? c.name, ...(c.region ? { region: c.region } : {}) } : {}),
      ...(c.kubeconfigSecretName ? { kubeconfigSecretName: c.kubeconfigSecretName } : {}),
      ...(c.kubeconfigContext ? { kubeconfigContext: c.kubeconfigContext } : {}),
      ...(c.liveOnly ? { liveOnly: true } : { manifests: c.manifests }),
      ...(c.namespaces ? { namespaces: c.namespaces } : {}),
      ...(c.server ? { server: c.server } : {}),
      ...(c.labels ? { labels: c.labels } : {}),
      ...(c.argocdCluster ? { argocdCluster: c.argocdCluster } : {}),
      ...(c.policyFile ? { policy: `policies/${c.name}.yaml` } : {}),
    }));

    const invoke = (id: string, fn: lambda.IFunction): tasks.LambdaInvoke => {
      const task = new tasks.LambdaInvoke(this, id, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: true,
      });
      task.addRetry({
        errors: [...TRANSIENT_ERRORS],
        interval: Duration.seconds(20),
        maxAttempts: 2,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      });
      return task;
    };
    const snapshot = invoke('Snapshot', this.functions.snapshot);
    const audit = invoke('Audit', this.functions.audit);
    const notify = invoke('Notify', this.functions.notify);
    const recordFailure = invoke('RecordFailure', this.functions.recordFailure);

    const succeeded = new sfn.Pass(this, 'ClusterSucceeded', {
      parameters: { 'cluster.$': '$.cluster.name', status: 'succeeded', 'findings.$': '$.report.findings', 'notify.$': '$.notify.summary' },
    });
    const failed = new sfn.Pass(this, 'ClusterFailed', {
      parameters: { 'cluster.$': '$.cluster', status: 'failed', 'failureKey.$': '$.failureKey', 'error.$': '$.error' },
    });
    const notRecorded = new sfn.Pass(this, 'ClusterFailedUnrecorded', {
      parameters: { 'cluster.$': '$.cluster.name', status: 'failed', 'error.$': '$.error.Error' },
    });
    recordFailure.addCatch(notRecorded, { resultPath: '$.recordError' });
    for (const t of [snapshot, audit, notify]) t.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });

    const perCluster = snapshot.next(audit).next(notify).next(succeeded);
    recordFailure.next(failed);

    const map = new sfn.Map(this, 'AuditClusters', {
      itemsPath: '$.clusters',
      itemSelector: { 'cluster.$': '$$.Map.Item.Value', 'runId.$': '$.runId', 'startedAt.$': '$.startedAt' },
      maxConcurrency: config.maxConcurrency,
      resultPath: '$.results',
    });
    map.itemProcessor(perCluster);

    const start = new sfn.Pass(this, 'ListClusters', {
      parameters: { clusters: targets, 'runId.$': '$$.Execution.Name', 'startedAt.$': '$$.Execution.StartTime' },
    });
    const anyFailed = sfn.Choice.jsonata(this, 'AnyClusterFailed');
    const fail = sfn.Fail.jsonata(this, 'SomeClustersFailed', {
      error: 'ClusterRunFailed',
      cause:
        "{% 'drift-auditor could not audit: ' & $join($states.input.results[status='failed'].cluster, ', ') & ' (see clusters/<cluster>/failures/ in the bucket)' %}",
    });
    anyFailed.when(sfn.Condition.jsonata("{% 'failed' in $states.input.results.status %}"), fail).otherwise(new sfn.Succeed(this, 'AllClustersAudited'));

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.DESTROY });
    const sm = new sfn.StateMachine(this, 'Pipeline', {
      definitionBody: sfn.DefinitionBody.fromChainable(start.next(map).next(anyFailed)),
      timeout: Duration.hours(3),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeResources(sm, ['*'], 'Generated by CDK for Step Functions: X-Ray tracing and CloudWatch Logs delivery actions only support "*" resources.');
    acknowledgeResources(
      sm,
      Object.values(this.functions).map((fn) => `<${this.getLogicalId(fn.node.defaultChild as CfnElement)}.Arn>:*`),
      'Generated by CDK for LambdaInvoke: "<function ARN>:*" lets the state machine invoke versions and aliases of its own four functions only.',
    );
    return sm;
  }
}

function acknowledgeRotation(secret: secretsmanager.Secret, reason: string): void {
  Validations.of(secret).acknowledge({ id: 'AwsSolutions-SMG4', reason });
}

/** Acknowledges AwsSolutions-IAM5 for exactly these wildcard resources (as cdk-nag prints them), nothing broader. */
function acknowledgeResources(scope: Construct, resources: string[], reason: string): void {
  Validations.of(scope).acknowledge(...resources.map((r) => ({ id: `AwsSolutions-IAM5[Resource::${r}]`, reason })));
}
