// The deployment's one typed config: drift-auditor.config.yaml (or CDK context `driftAuditor`),
// validated with zod when the app synthesizes, so a typo fails `cdk synth` with the field's name
// and line instead of a broken deployment. Nothing here touches AWS.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { describeIssues } from '../functions/core/rules.js';
import { InputError } from '../functions/core/errors.js';

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** `github:owner/repo@ref:path` (ref and path optional). */
const MANIFESTS = /^github:[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(@[^:\s]+)?(:[^\s]*)?$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

/** An EventBridge Scheduler cron body: six fields (minutes hours day-of-month month day-of-week year). */
const Cron = z
  .string()
  .trim()
  .transform((s) => s.replace(/^cron\((.*)\)$/, '$1').trim())
  .refine((s) => s.split(/\s+/).length === 6, { message: 'must have six fields, e.g. "0 6 * * ? *" (minutes hours day-of-month month day-of-week year)' })
  .refine(
    (s) => {
      const f = s.split(/\s+/);
      return f[2] === '?' || f[4] === '?';
    },
    { message: 'day-of-month or day-of-week must be "?" (EventBridge cron rule)' },
  );

const TimeZoneName = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone such as "Europe/Berlin" or "UTC"' },
);

/** One audited cluster. */
export const ClusterConfig = z
  .object({
    name: z.string().regex(NAME, 'must be lowercase letters, digits and "-" (it names S3 prefixes and metrics)'),
    type: z.enum(['eks', 'kubeconfig']),
    /** EKS cluster name (defaults to `name`). */
    eksClusterName: z.string().min(1).max(100).optional(),
    /** Region of the EKS cluster (defaults to the stack's region). */
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as "eu-west-1"')
      .optional(),
    /** Create the EKS access entry for the snapshot function here (needs the cluster in the stack's region). */
    createAccessEntry: z.boolean().default(true),
    /** Secrets Manager secret holding the kubeconfig (type kubeconfig). */
    kubeconfigSecretName: z.string().regex(SECRET_NAME, 'must be a valid Secrets Manager name').optional(),
    /** Kubeconfig context to use (default: the file's current-context). */
    kubeconfigContext: z.string().min(1).optional(),
    manifests: z.string().regex(MANIFESTS, 'must look like "github:owner/repo@ref:path/in/repo"').optional(),
    /** Audit coverage against the live DaemonSets' own specs, with no Git comparison (instead of `manifests`). */
    liveOnly: z.literal(true).optional(),
    namespaces: z.array(z.string().regex(NAME, 'must be a Kubernetes namespace name')).optional(),
    /** The cluster's API server URL as Argo CD Applications name it in `destination.server` (CLI --cluster-server). */
    server: z
      .string()
      .regex(/^https?:\/\/[^\s/]+/, 'must be the API server URL as Argo CD names it, e.g. "https://ABC.gr7.eu-west-1.eks.amazonaws.com"')
      .optional(),
    /** The labels of the cluster's Argo CD cluster Secret, for ApplicationSet cluster generators (CLI --cluster-label). */
    labels: z
      .record(
        z.string().regex(/^[A-Za-z0-9][\w./-]*$/, 'must be a Kubernetes label key'),
        // A Kubernetes label value, as --cluster-label takes it: 63 characters of [A-Za-z0-9_.-], alphanumeric at each end.
        z.string().regex(/^(?:[A-Za-z0-9](?:[\w.-]{0,61}[A-Za-z0-9])?)?$/, 'must be a Kubernetes label value (63 characters of A-Z, a-z, 0-9, _ . -)'),
      )
      .optional(),
    /** The cluster Argo CD runs in, by its destination name, when it is not this one (hub and spokes; CLI --argocd-cluster). */
    argocdCluster: z
      .string()
      .regex(/^[A-Za-z0-9][\w.:/-]*$/, 'must name the cluster Argo CD runs in by its destination name, e.g. "hub"')
      .optional(),
    /** Policy file, relative to the config file; bundled into the audit function. */
    policyFile: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Auditing without Git must be stated, never the result of a forgotten field.
    if (!c.manifests && !c.liveOnly) ctx.addIssue({ code: 'custom', path: ['manifests'], message: 'is required (or set liveOnly: true to audit without Git)' });
    if (c.manifests && c.liveOnly) ctx.addIssue({ code: 'custom', path: ['liveOnly'], message: 'cannot be combined with manifests' });
    if (c.type === 'kubeconfig' && !c.kubeconfigSecretName)
      ctx.addIssue({ code: 'custom', path: ['kubeconfigSecretName'], message: 'is required when type is "kubeconfig"' });
    if (c.type === 'kubeconfig' && (c.eksClusterName || c.region))
      ctx.addIssue({ code: 'custom', path: [c.eksClusterName ? 'eksClusterName' : 'region'], message: 'applies only to type "eks"' });
    if (c.type === 'eks' && c.kubeconfigSecretName)
      ctx.addIssue({ code: 'custom', path: ['kubeconfigSecretName'], message: 'applies only to type "kubeconfig"' });
  });
export type ClusterConfig = z.infer<typeof ClusterConfig>;

/** Memory and timeout of one function (defaults in infra/auditor-stack.ts FUNCTION_SIZING). */
const Sizing = z
  .object({
    memoryMB: z.number().int().min(128, 'Lambda needs at least 128 MB').max(10240, 'Lambda allows at most 10240 MB').optional(),
    timeoutSeconds: z.number().int().min(1).max(900, 'Lambda allows at most 900 seconds').optional(),
  })
  .strict();

/** The whole deployment. */
export const AuditorConfig = z
  .object({
    stackName: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/)
      .default('DriftAuditor'),
    env: z
      .object({
        account: z
          .string()
          .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
          .optional(),
        region: z.string().optional(),
      })
      .strict()
      .optional(),
    schedule: z
      .object({
        cron: Cron,
        timezone: TimeZoneName.default('UTC'),
        enabled: z.boolean().default(true),
      })
      .strict(),
    /** How many clusters are audited at once (Step Functions Map maxConcurrency). */
    maxConcurrency: z.number().int().min(1).max(40).default(4),
    bucket: z
      .object({
        /** Days after which noncurrent object versions expire. */
        noncurrentVersionExpirationDays: z.number().int().min(1).default(90),
        transitionToInfrequentAccessDays: z.number().int().min(30, 'S3 requires at least 30 days before STANDARD_IA').default(30),
        transitionToGlacierInstantRetrievalDays: z.number().int().min(1).default(90),
        /** Days after which current objects expire; absent keeps them forever. */
        expirationDays: z.number().int().min(1).optional(),
        objectLock: z
          .object({ mode: z.enum(['governance', 'compliance']), days: z.number().int().min(1).max(36500) })
          .strict()
          .optional(),
        /** Retain the bucket when the stack is deleted (default true: it holds evidence). */
        retain: z.boolean().default(true),
      })
      .strict()
      .default({})
      .superRefine((b, ctx) => {
        if (b.transitionToGlacierInstantRetrievalDays <= b.transitionToInfrequentAccessDays)
          ctx.addIssue({ code: 'custom', path: ['transitionToGlacierInstantRetrievalDays'], message: 'must be greater than transitionToInfrequentAccessDays' });
        if (b.expirationDays !== undefined && b.expirationDays <= b.transitionToGlacierInstantRetrievalDays)
          ctx.addIssue({ code: 'custom', path: ['expirationDays'], message: 'must be greater than transitionToGlacierInstantRetrievalDays' });
        if (b.objectLock && b.expirationDays !== undefined && b.expirationDays < b.objectLock.days)
          ctx.addIssue({ code: 'custom', path: ['expirationDays'], message: 'must not be shorter than objectLock.days' });
      }),
    /** Private chart repositories: the audit function reads their credentials from this secret (created by the stack). */
    charts: z
      .object({
        /** Secrets Manager secret: JSON {"<repository URL prefix>": {"username": "...", "password": "..."}}. */
        credentialsSecretName: z.string().regex(SECRET_NAME, 'must be a valid Secrets Manager name'),
      })
      .strict()
      .optional(),
    github: z
      .object({
        /** Repository that receives issues (and PRs), `owner/name`. */
        repo: z.string().regex(REPO, 'must look like "owner/name"'),
        auth: z.enum(['token', 'app']),
        /** Secrets Manager secret: the token (plain string), or JSON {"appId","privateKey"} for a GitHub App. */
        secretName: z.string().regex(SECRET_NAME, 'must be a valid Secrets Manager name'),
        /** GitHub Enterprise Server API URL; default api.github.com. */
        apiUrl: z.string().url().optional(),
      })
      .strict(),
    notify: z
      .object({
        minSeverity: z.enum(['critical', 'warning', 'info']).default('warning'),
        /** Open PRs where policy says Git should follow the cluster (needs write access to the GitOps repo). */
        pullRequests: z.boolean().default(false),
      })
      .strict()
      .default({}),
    /** Opt-in: the audit function imports its findings into this account's Security Hub (ASFF, BatchImportFindings). */
    securityHub: z.boolean().default(false),
    alarms: z
      .object({
        /** Create an SNS topic for the alarms; `email` subscribes an address to it. */
        topic: z.boolean().default(false),
        email: z.string().email().optional(),
      })
      .strict()
      .default({}),
    vpc: z
      .object({
        vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'must be a VPC id such as "vpc-0abc…"'),
        subnets: z.array(z.object({ id: z.string().regex(/^subnet-[0-9a-f]+$/, 'must be a subnet id'), availabilityZone: z.string().min(1) }).strict()).min(1),
        securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]+$/, 'must be a security group id')).min(1),
      })
      .strict()
      .optional(),
    /** Per-function overrides for very large (or very small) clusters. */
    functions: z.object({ snapshot: Sizing, audit: Sizing, notify: Sizing, recordFailure: Sizing, evidence: Sizing }).partial().strict().default({}),
    clusters: z.array(ClusterConfig).min(1, 'must list at least one cluster'),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.clusters.forEach((cl, i) => {
      if (seen.has(cl.name)) ctx.addIssue({ code: 'custom', path: ['clusters', i, 'name'], message: `duplicate cluster name '${cl.name}'` });
      seen.add(cl.name);
    });
  });
export type AuditorConfig = z.infer<typeof AuditorConfig>;

/** A validated config plus the folder its relative paths resolve against. */
export interface LoadedConfig {
  config: AuditorConfig;
  /** Absolute folder of the config file (or the project root for context config). */
  baseDir: string;
  /** Where it came from, for messages. */
  source: string;
}

/** Returns the validated config from YAML text; throws InputError naming the file, line and field. */
export function parseConfig(text: string, source: string): AuditorConfig {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new InputError(`failed to parse config ${source}: line ${lc.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`, { cause: e });
  }
  const parsed = AuditorConfig.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) throw new InputError(`failed to load config ${source}: ${describeIssues(parsed.error.issues, doc, lc)}`);
  return parsed.data;
}

/** Returns the validated config from a plain object (CDK context); throws InputError naming the field. */
export function validateConfig(value: unknown, source: string): AuditorConfig {
  const parsed = AuditorConfig.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new InputError(`failed to load config ${source}: ${why}`);
  }
  return parsed.data;
}

/**
 * Returns the config to deploy: CDK context `driftAuditor` (an object) when set, otherwise the YAML file
 * named by context `configFile`, otherwise drift-auditor.config.yaml, falling back to the example.
 */
export function loadConfig(opts: { projectRoot: string; context?: unknown; configFile?: string }): LoadedConfig {
  if (opts.context !== undefined && opts.context !== null) {
    const value = typeof opts.context === 'string' ? (JSON.parse(opts.context) as unknown) : opts.context;
    return { config: validateConfig(value, 'context driftAuditor'), baseDir: opts.projectRoot, source: 'context driftAuditor' };
  }
  const candidates = opts.configFile
    ? [resolve(opts.projectRoot, opts.configFile)]
    : ['drift-auditor.config.yaml', 'drift-auditor.config.example.yaml'].map((f) => resolve(opts.projectRoot, f));
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new InputError(`failed to load config: none of ${candidates.join(', ')} exists`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`failed to read config ${file}: ${(err as Error).message}`, { cause: err });
  }
  return { config: parseConfig(text, file), baseDir: dirname(file), source: file };
}

/** Returns the absolute path of each cluster's policy file, checking that it exists. */
export function resolvePolicyFiles(loaded: LoadedConfig): Map<string, string> {
  const out = new Map<string, string>();
  loaded.config.clusters.forEach((c, i) => {
    if (!c.policyFile) return;
    const file = isAbsolute(c.policyFile) ? c.policyFile : resolve(loaded.baseDir, c.policyFile);
    if (!existsSync(file)) throw new InputError(`failed to load config ${loaded.source}: clusters.${i}.policyFile: ${file} does not exist`);
    out.set(c.name, file);
  });
  return out;
}
