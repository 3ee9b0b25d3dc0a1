// Everything the serverless pipeline talks to, on loopback, for the end-to-end test and bench/lambda.ts:
// the Kubernetes API emulator serving the example cluster (examples/cluster), the GitHub emulator with
// the example's GitOps repository and an issues repository, s3rver, and a Secrets Manager emulator
// holding the GitHub token and the cluster's kubeconfig. `env` is what the Lambda environment would be.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readDump } from '../../functions/adapters/dump-reader.js';
import { buildApp } from '../../infra/app.js';
import { startS3Server, type S3Server } from '../adapters/store/s3-server.js';
import { gitDataRoutes } from '../emulators/github/git-data.js';
import { issueRoutes, labelRoutes } from '../emulators/github/issues.js';
import { pullRoutes } from '../emulators/github/pulls.js';
import { reposRoutes, seedRepo } from '../emulators/github/repos.js';
import { startGitHubEmulator, type GitHubEmulator } from '../emulators/github/server.js';
import { kubeconfigFor, startK8sApi, type K8sApi } from '../emulators/k8s-api/server.js';
import { startSecretsManager, type SecretsManagerEmulator } from './secrets-manager.js';
import type { Definition } from './state-machine.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const GITHUB_TOKEN = 'ghp_e2eSecretTokenValue0123456789abcdef';
export const K8S_TOKEN = 'k8s-e2e-bearer-token-do-not-log';
export const CLUSTER = 'example';

export interface PipelineEnvironment {
  k8s: K8sApi;
  github: GitHubEmulator;
  s3: S3Server;
  secrets: SecretsManagerEmulator;
  /** The Lambda environment variables pointing the handlers at the emulators. */
  env: Record<string, string>;
  /** The state machine definition synthesized for a config naming the example cluster. */
  definition: Definition;
  close(): Promise<void>;
}

/** The deployment config of the example: one kubeconfig cluster, GitOps in acme/gitops, issues in acme/drift. */
export function exampleConfig(): Record<string, unknown> {
  return {
    schedule: { cron: '0 6 * * ? *' },
    github: { repo: 'acme/drift', auth: 'token', secretName: 'drift-auditor/github' },
    clusters: [
      {
        name: CLUSTER,
        type: 'kubeconfig',
        kubeconfigSecretName: 'drift-auditor/kubeconfig/example',
        manifests: 'github:acme/gitops@main:clusters/example',
        policyFile: join(ROOT, 'examples/policy.yaml'),
      },
    ],
  };
}

/** Starts the emulators, seeds them with the example, lays out a bundle folder and synthesizes the definition. */
export async function startPipelineEnvironment(): Promise<PipelineEnvironment> {
  const example = await readDump([join(ROOT, 'examples/cluster')], { cluster: CLUSTER });
  const k8s = await startK8sApi({
    nodes: example.nodes,
    daemonSets: example.daemonSets,
    pods: example.pods,
    controllerRevisions: example.controllerRevisions,
    token: K8S_TOKEN,
  });
  const kubeconfig = readFileSync(kubeconfigFor(k8s), 'utf8');

  const github = await startGitHubEmulator([...reposRoutes, ...issueRoutes, ...labelRoutes, ...gitDataRoutes, ...pullRoutes], {
    tokens: new Set([GITHUB_TOKEN]),
  });
  seedRepo(github.state, 'acme', 'gitops', filesUnder(join(ROOT, 'examples/gitops'), 'clusters/example/'));
  seedRepo(github.state, 'acme', 'drift', { 'README.md': 'drift issues land here\n' });

  const s3 = await startS3Server({ conditionalWrites: true });
  const secrets = await startSecretsManager({ 'drift-auditor/github': GITHUB_TOKEN, 'drift-auditor/kubeconfig/example': kubeconfig });

  const definition = synthDefinition(exampleConfig());

  // The bundle's layout (what afterBundling copies next to index.mjs): rules/ and policies/<cluster>.yaml.
  const bundle = mkdtempSync(join(tmpdir(), 'drift-auditor-bundle-'));
  cpSync(join(ROOT, 'rules'), join(bundle, 'rules'), { recursive: true });
  mkdirSync(join(bundle, 'policies'));
  cpSync(join(ROOT, 'examples/policy.yaml'), join(bundle, 'policies', `${CLUSTER}.yaml`));

  const env = {
    LAMBDA_TASK_ROOT: bundle,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    GITHUB_API_URL: github.url,
    DRIFT_AUDITOR_BUCKET: s3.bucket,
    DRIFT_AUDITOR_GITHUB_SECRET: 'drift-auditor/github',
    DRIFT_AUDITOR_GITHUB_AUTH: 'token',
    DRIFT_AUDITOR_ISSUES_REPO: 'acme/drift',
    DRIFT_AUDITOR_MIN_SEVERITY: 'warning',
    DRIFT_AUDITOR_PULL_REQUESTS: 'false',
    DRIFT_AUDITOR_GITHUB_THROTTLE: 'off',
    DRIFT_AUDITOR_VERSION: '0.0.0-e2e',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  return {
    k8s,
    github,
    s3,
    secrets,
    env,
    definition,
    async close() {
      await Promise.all([k8s.close(), github.close(), s3.close(), secrets.close()]);
      rmSync(bundle, { recursive: true, force: true });
    },
  };
}

/** Returns every file under `dir` as repository path (under `prefix`) -> content. */
function filesUnder(dir: string, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[prefix + relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/** Returns the state machine definition synthesized for `config` (no bundling). */
export function synthDefinition(config: Record<string, unknown>): Definition {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], driftAuditor: config } });
  return definitionOf(Template.fromStack(buildApp(app).stack));
}

/** Returns the state machine definition as plain JSON (function ARN tokens replaced by a placeholder). */
function definitionOf(template: Template): Definition {
  const sm = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as {
    Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } };
  };
  return JSON.parse(sm.Properties.DefinitionString['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : 'arn:lambda')).join('')) as Definition;
}
