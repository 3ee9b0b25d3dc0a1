// Argo CD semantics the renderer reproduces, as pure functions: which Applications target the audited
// cluster, their sources, and the Applications an ApplicationSet generates (list, git, cluster
// generators; any other generator is a named gap). Cited from argoproj/argo-cd@37ee0097.
import { posix } from 'node:path';
import type { K8sObject } from './flux.js';
import type { KustomizeEdits } from './kustomize.js';

/** The audited cluster as Argo CD destinations name it. */
export interface ClusterIdentity {
  /** `destination.name` (and the ApplicationSet cluster generator's `name`); default: the snapshot's cluster name. */
  name?: string;
  /** The cluster's API URL (`destination.server`). */
  server?: string;
  /** The cluster Argo CD runs in, which `https://kubernetes.default.svc` and `in-cluster` name; default: the audited one. */
  argocdCluster?: string;
  /** Labels of the cluster's Argo CD cluster Secret, for the cluster generator's selector. */
  labels?: Record<string, string>;
}

export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** True when an Application's destination is the audited cluster. */
export function destinationMatches(dest: { name?: unknown; server?: unknown } | undefined, id: ClusterIdentity): boolean {
  const argoHere = id.argocdCluster === undefined || id.argocdCluster === id.name;
  const name = typeof dest?.name === 'string' ? dest.name : '';
  const server = typeof dest?.server === 'string' ? dest.server.replace(/\/+$/, '') : '';
  if (name) return name === 'in-cluster' ? argoHere : name === id.name;
  if (server) return server === IN_CLUSTER_SERVER ? argoHere : !!id.server && server === id.server.replace(/\/+$/, '');
  return false;
}

/** True for argoproj.io Application and ApplicationSet objects. */
export function argoRole(o: K8sObject): 'application' | 'applicationset' | null {
  if ((o.apiVersion ?? '').split('/')[0] !== 'argoproj.io') return null;
  return o.kind === 'Application' ? 'application' : o.kind === 'ApplicationSet' ? 'applicationset' : null;
}

/** An Application source (spec.source or one of spec.sources). */
export interface AppSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  ref?: string;
  helm?: {
    valueFiles?: string[];
    values?: string;
    valuesObject?: Record<string, unknown>;
    parameters?: { name: string; value: string; forceString?: boolean }[];
    fileParameters?: { name: string; path: string }[];
    releaseName?: string;
    skipCrds?: boolean;
    skipTests?: boolean;
    namespace?: string;
    ignoreMissingValueFiles?: boolean;
    version?: string;
  };
  /** Argo CD's kustomize overrides, applied as `kustomize edit` would. */
  kustomize?: KustomizeEdits;
  directory?: { recurse?: boolean; include?: string; exclude?: string };
  plugin?: unknown;
}

/** Returns an Application's sources: `spec.sources` when set (multi-source), else `[spec.source]`. */
export function appSources(app: K8sObject): AppSource[] {
  const spec = app.spec ?? {};
  if (Array.isArray(spec.sources) && spec.sources.length) return spec.sources as AppSource[];
  return spec.source && typeof spec.source === 'object' ? [spec.source as AppSource] : [];
}

/** Returns Argo CD's glob match (`{a,b}` alternatives, `*` within a path segment, `**` across) of `pattern` on `path`. */
export function globMatch(pattern: string, path: string): boolean {
  const alts = pattern.startsWith('{') && pattern.endsWith('}') ? pattern.slice(1, -1).split(',') : [pattern];
  return alts.some((p) => {
    const re = new RegExp(
      `^${p
        .trim()
        .split('**')
        .map((s) =>
          s
            .split('*')
            .map((t) => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*'),
        )
        .join('.*')}$`,
    );
    return re.test(path) || re.test(posix.basename(path));
  });
}

/** One set of parameters an ApplicationSet generator produced. */
export type GeneratorParams = Record<string, unknown>;

/** What an ApplicationSet generator needs from outside: the repository's files and the audited cluster. */
export interface GeneratorContext {
  /** True when `repoURL` is the repository read. */
  isThisRepo(url: string | undefined): boolean;
  /** Repository-relative files (sorted). */
  files: string[];
  /** A file's text. */
  read(path: string): Promise<string>;
  /** Parses YAML or JSON text. */
  parse(text: string): unknown;
  cluster: ClusterIdentity;
}

/** Returns the parameter sets of one generator, or throws an Error naming why it cannot be expanded from Git. */
export async function runGenerator(gen: Record<string, unknown>, ctx: GeneratorContext): Promise<GeneratorParams[]> {
  const kind = Object.keys(gen).find((k) => k !== 'selector' && k !== 'values');
  if (kind === 'list') {
    const list = gen.list as { elements?: unknown[] };
    return (list.elements ?? []).filter((e): e is GeneratorParams => !!e && typeof e === 'object');
  }
  if (kind === 'clusters') {
    const sel = (gen.clusters as { selector?: { matchLabels?: Record<string, string> } }).selector?.matchLabels ?? {};
    const c = ctx.cluster;
    const labels = c.labels ?? {};
    if (!Object.entries(sel).every(([k, v]) => labels[k] === v)) return [];
    const name = c.name ?? '';
    return [{ name, nameNormalized: name.replace(/[^a-z0-9.-]/gi, '-').toLowerCase(), server: c.server ?? '', metadata: { labels, annotations: {} } }];
  }
  if (kind === 'git') {
    const git = gen.git as { repoURL?: string; directories?: { path: string; exclude?: boolean }[]; files?: { path: string; exclude?: boolean }[] };
    if (!ctx.isThisRepo(git.repoURL)) throw new Error(`git generator reads ${git.repoURL}, not the repository read`);
    if (git.directories) {
      const dirs = [...new Set(ctx.files.map((f) => posix.dirname(f)).flatMap((d) => d.split('/').map((_, i, a) => a.slice(0, i + 1).join('/'))))].sort();
      const incl = git.directories.filter((d) => !d.exclude);
      const excl = git.directories.filter((d) => d.exclude);
      const match = (pattern: string, d: string) =>
        new RegExp(
          `^${pattern
            .split('*')
            .map((t) => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('[^/]*')}$`,
        ).test(d);
      return dirs.filter((d) => incl.some((p) => match(p.path, d)) && !excl.some((p) => match(p.path, d))).map(pathParams);
    }
    if (git.files) {
      const out: GeneratorParams[] = [];
      for (const f of git.files.filter((x) => !x.exclude)) {
        const re = new RegExp(
          `^${f.path
            .split('**')
            .map((s) =>
              s
                .split('*')
                .map((t) => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
                .join('[^/]*'),
            )
            .join('.*')}$`,
        );
        for (const file of ctx.files.filter((x) => re.test(x))) {
          const data = ctx.parse(await ctx.read(file));
          for (const item of Array.isArray(data) ? data : [data]) {
            if (item && typeof item === 'object') out.push({ ...(item as object), ...pathParams(posix.dirname(file)) });
          }
        }
      }
      return out;
    }
  }
  throw new Error(`the ${kind ?? 'unnamed'} generator is not supported (only list, git and clusters are)`);
}

function pathParams(dir: string): GeneratorParams {
  const segments = dir.split('/');
  const basename = segments[segments.length - 1] ?? '';
  return { path: { path: dir, basename, basenameNormalized: basename.replace(/[^a-z0-9.-]/gi, '-').toLowerCase(), segments } };
}

/** Returns the value a template expression names in a parameter set (`path.basename`, `path[1]`, `.path.basename`). */
function lookupParam(params: GeneratorParams, expr: string, goTemplate: boolean): unknown {
  const key = expr.trim().replace(/^\./, '');
  // fasttemplate params are flat: `path` is the path string, `path.basename`, `path[0]` its parts.
  if (!goTemplate) {
    const idx = /^path\[(\d+)\]$/.exec(key);
    const p = params.path as { path?: string; segments?: string[] } | undefined;
    if (idx && p?.segments) return p.segments[Number(idx[1])];
    if (key === 'path' && p && typeof p === 'object') return p.path;
  }
  // Own properties only: `constructor` or `__proto__` in a template is no parameter (it printed 'function Object() …').
  let v: unknown = params;
  for (const part of key.split('.')) {
    if (v && typeof v === 'object' && Object.hasOwn(v, part)) v = (v as Record<string, unknown>)[part];
    else return goTemplate ? undefined : Object.hasOwn(params, key) ? params[key] : undefined;
  }
  return v;
}

/** Returns the Application an ApplicationSet template makes of one parameter set (fasttemplate `{{x}}` or goTemplate `{{ .x }}`). */
export function instantiateTemplate(template: unknown, params: GeneratorParams, goTemplate: boolean): unknown {
  const sub = (s: string): string =>
    s.replace(/\{\{-?\s*([^{}]+?)\s*-?\}\}/g, (whole, expr: string) => {
      const v = lookupParam(params, expr, goTemplate);
      return v === undefined ? whole : String(v);
    });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return sub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [sub(k), walk(x)]));
    return v;
  };
  return walk(template);
}
