// The CDK app: loads the typed config (drift-auditor.config.yaml, its example, or context
// `driftAuditor`), builds the stack, and runs the cdk-nag AwsSolutions checks so that `cdk synth`
// fails on any unacknowledged finding.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AuditorStack } from './auditor-stack.js';
import { loadConfig, resolvePolicyFiles } from './config.js';

/** Returns the app with the drift-auditor stack and the AwsSolutions checks attached. */
export function buildApp(app: App = new App()): { app: App; stack: AuditorStack; configSource: string } {
  const projectRoot = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
  const loaded = loadConfig({
    projectRoot,
    context: app.node.tryGetContext('driftAuditor'),
    configFile: app.node.tryGetContext('configFile') as string | undefined,
  });
  const { config } = loaded;
  // Server access logs are granted by bucket policy, so the log bucket can disable ACLs (BucketOwnerEnforced).
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const stack = new AuditorStack(app, config.stackName, {
    config,
    projectRoot,
    policyFiles: resolvePolicyFiles(loaded),
    auditorVersion: (JSON.parse(readFileSync(`${projectRoot}/package.json`, 'utf8')) as { version: string }).version,
    env: {
      account: config.env?.account ?? process.env.CDK_DEFAULT_ACCOUNT,
      region: config.env?.region ?? process.env.CDK_DEFAULT_REGION,
    },
    description: 'drift-auditor: scheduled DaemonSet drift audits (snapshot, audit, notify)',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, configSource: loaded.source };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const { app, stack, configSource } = buildApp();
    process.stderr.write(`drift-auditor infra: stack ${stack.stackName} from ${configSource}\n`);
    app.synth();
  } catch (err) {
    process.stderr.write(`drift-auditor infra: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
