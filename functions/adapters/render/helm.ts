// `helm template` as Argo CD and Flux run it, with the bundled helm (tools.ts). One helm process per
// release. The argument order follows Argo CD's util/helm/cmd.go (argoproj/argo-cd@37ee0097, func
// template): `--name-template`, `--namespace`, `--kube-version`, `--set`, `--set-string`, `--set-file`,
// the value files in order, then the inline values as one more file (so they win over every value
// file), `--api-versions`, and `--include-crds` unless skipCrds. Helm applies --set after every
// --values file, so the precedence is chart defaults < value files < inline values < parameters.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runTool } from './exec.js';

/** What the cluster offers a chart's `.Capabilities`: taken from the snapshot when known. */
export interface Capabilities {
  /** e.g. `1.31.4` or `v1.31.4`. */
  kubeVersion?: string;
  /** e.g. `monitoring.coreos.com/v1`, `monitoring.coreos.com/v1/ServiceMonitor`. */
  apiVersions?: string[];
}

export interface HelmTemplateInput {
  /** Absolute folder of the chart (unpacked). */
  chart: string;
  releaseName: string;
  namespace?: string;
  /** Absolute value files, in order (later wins). */
  valueFiles?: string[];
  /** Inline values (YAML text), applied after every value file. */
  values?: string;
  set?: Record<string, string>;
  setString?: Record<string, string>;
  /** `--set-file key=path` (absolute paths). */
  setFile?: Record<string, string>;
  /** Default false: CRDs are included as Argo CD and Flux do. */
  skipCrds?: boolean;
  skipTests?: boolean;
  capabilities?: Capabilities;
}

export interface HelmRunOptions {
  helm: string;
  timeoutMs?: number;
  /** HELM_CACHE_HOME / HELM_CONFIG_HOME / HELM_DATA_HOME, isolated from the user's own helm setup. */
  homes?: Record<string, string>;
}

/** Returns the arguments of `helm template` for one release, in Argo CD's order. */
export function helmTemplateArgs(input: HelmTemplateInput, extraValuesFile?: string): string[] {
  const args = ['template', input.chart, '--name-template', input.releaseName];
  if (input.namespace) args.push('--namespace', input.namespace);
  const kube = input.capabilities?.kubeVersion;
  if (kube) args.push('--kube-version', kube.startsWith('v') ? kube : `v${kube}`);
  for (const [k, v] of Object.entries(input.set ?? {})) args.push('--set', `${k}=${v}`);
  for (const [k, v] of Object.entries(input.setString ?? {})) args.push('--set-string', `${k}=${v}`);
  for (const [k, v] of Object.entries(input.setFile ?? {})) args.push('--set-file', `${k}=${v}`);
  for (const f of input.valueFiles ?? []) args.push('--values', f);
  if (extraValuesFile) args.push('--values', extraValuesFile);
  for (const v of input.capabilities?.apiVersions ?? []) args.push('--api-versions', v);
  if (!input.skipCrds) args.push('--include-crds');
  if (input.skipTests) args.push('--skip-tests');
  return args;
}

/** Returns the YAML `helm template` prints for one release; rejects with RenderError (helm's message). */
export async function renderHelmRelease(input: HelmTemplateInput, opts: HelmRunOptions): Promise<string> {
  let temp: string | undefined;
  try {
    let extra: string | undefined;
    if (input.values && input.values.trim() && input.values.trim() !== '{}') {
      temp = await mkdtemp(join(tmpdir(), 'drift-auditor-values-'));
      extra = join(temp, 'values.yaml');
      await writeFile(extra, input.values);
    }
    return await runTool(opts.helm, helmTemplateArgs(input, extra), { timeoutMs: opts.timeoutMs, env: opts.homes });
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

/** One template's output from `helm template`, split at its `# Source:` comments. */
export interface HelmOutputPart {
  /** Path of the template inside the chart, e.g. `templates/daemonset.yaml` (subcharts keep their `charts/x/` prefix). */
  source: string;
  text: string;
}

/** Returns helm's output split per template, in order (documents without a Source comment keep the previous one). */
export function splitHelmOutput(chartName: string, text: string): HelmOutputPart[] {
  const parts: HelmOutputPart[] = [];
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (!doc.trim()) continue;
    const m = /^# Source: (.+)$/m.exec(doc);
    const source = m ? m[1]!.trim().replace(new RegExp(`^${escapeRegExp(chartName)}/`), '') : (parts[parts.length - 1]?.source ?? '(helm output)');
    const last = parts[parts.length - 1];
    if (last && last.source === source) last.text += `---\n${doc}`;
    else parts.push({ source, text: doc });
  }
  return parts;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Returns true when any template of the chart (subcharts included) calls `lookup`, which renders empty outside a cluster. */
export async function chartUsesLookup(chartDir: string): Promise<boolean> {
  const files: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.(tpl|ya?ml|txt)$/.test(e.name) && relative(chartDir, p).split('/').includes('templates')) files.push(p);
    }
  };
  await walk(chartDir);
  for (const f of files) {
    if (/\{\{[^}]*\blookup\b/.test(await readFile(f, 'utf8').catch(() => ''))) return true;
  }
  return false;
}

const versions = new Map<string, Promise<Record<string, string>>>();

/** Returns the versions of helm and of kubectl's kustomize, e.g. { helm: 'v4.1.4', kustomize: 'v5.7.1' } (cached per binary). */
export function readRendererVersions(tools: { helm?: string; kubectl?: string }): Promise<Record<string, string>> {
  const key = `${tools.helm}\0${tools.kubectl}`;
  let p = versions.get(key);
  if (!p) {
    p = (async () => {
      const out: Record<string, string> = {};
      if (tools.helm) {
        const v = await runTool(tools.helm, ['version', '--short'], { timeoutMs: 20_000 }).catch(() => '');
        if (v.trim()) out.helm = v.trim().replace(/\+.*$/, '');
      }
      if (tools.kubectl) {
        const v = await runTool(tools.kubectl, ['version', '--client', '-o', 'json'], { timeoutMs: 20_000 }).catch(() => '');
        try {
          const j = JSON.parse(v) as { clientVersion?: { gitVersion?: string }; kustomizeVersion?: string };
          if (j.kustomizeVersion) out.kustomize = j.kustomizeVersion;
          if (j.clientVersion?.gitVersion) out.kubectl = j.clientVersion.gitVersion;
        } catch {
          /* an unknown version is left out, not guessed */
        }
      }
      return out;
    })();
    versions.set(key, p);
  }
  return p;
}
