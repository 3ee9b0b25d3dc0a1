// The desired state as the GitOps controllers would apply it. An entry point is a path read the way
// Argo CD reads a source path (kustomization -> kubectl kustomize, Chart.yaml -> helm template, else
// plain YAML), or a GitOps object found there: an Argo CD Application or ApplicationSet, a Flux
// Kustomization or HelmRelease. Those are rendered in turn (app of apps), and what they render counts
// only when it is destined to the audited cluster; child Applications are followed whatever their
// parent's destination. Whatever cannot be rendered is a manifest/unrendered problem naming the entry
// point, its cause, and the marks its live objects carry, so the DaemonSets it owns are never clean.
import { cp, readFile, writeFile } from 'node:fs/promises';
import { basename, join, posix } from 'node:path';
import { parseAllDocuments, parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { InputError } from '../../core/errors.js';
import { KUBECTL_YAML, parseManifestFile, type ManifestFileResult } from '../../core/manifests.js';
import type { EntryPoint, Gap, OwnerMarks, Provenance } from '../../core/types.js';
import { findTool } from '../tools.js';
import { appSources, argoRole, destinationMatches, instantiateTemplate, runGenerator, type AppSource, type ClusterIdentity, globMatch } from './argocd.js';
import { ChartSource, helmHomes, type PulledChart } from './chart-source.js';
import { RenderError, runTool } from './exec.js';
import { fluxEntryPoint, fluxReleaseName, fluxRole, fluxSubstitute, substitutionDisabled, type K8sObject } from './flux.js';
import { chartUsesLookup, renderHelmRelease, splitHelmOutput, type Capabilities, type HelmTemplateInput } from './helm.js';
import {
  applyKustomizeEdits,
  declaresHelmCharts,
  findKustomizationFile,
  inflateHelmCharts,
  KUSTOMIZATION_NAMES,
  type KustomizeEdits,
  type KustomizeHelmChart,
} from './kustomize.js';
import { cached, hashFiles, hashFolder, hashOf } from './render-cache.js';
import { normaliseRepoPath, type RepoTree } from './tree.js';

/** How to render. */
export interface RenderSettings {
  env?: NodeJS.ProcessEnv;
  /** The cluster's version and API groups, for `.Capabilities`. */
  capabilities?: Capabilities;
  /** Which Argo CD destinations and Flux objects are the audited cluster. */
  cluster?: ClusterIdentity;
  /** Kustomize renderer `{ command, args }` run as `command ...args DIR`; null: none; default: the bundled kubectl. */
  renderer?: { command: string; args: string[] } | null;
  /** helm binary; null: none; default: the bundled helm. */
  helm?: string | null;
  renderTimeoutMs?: number;
  /** Where pulled charts are cached (default: ~/.cache/drift-auditor). */
  cacheDir: string;
}

/** One rendered piece of desired state, before it is parsed. */
interface Unit {
  file: string;
  text: string;
  provenance: Provenance;
  /** Namespace for namespaced objects that have none (the destination); `force` overrides theirs (Flux targetNamespace). */
  namespace?: string;
  force?: boolean;
  /** Destined to the audited cluster (else only child Applications are taken from it). */
  matches: boolean;
  substitute?: Record<string, string>;
  /** Only follow the GitOps objects in it (a top-level path that holds Applications or Flux objects). */
  gitopsOnly?: boolean;
}

interface Ctx {
  entry?: EntryPoint;
  matches: boolean;
  namespace?: string;
  owner?: OwnerMarks;
}

const MANIFEST = /\.(ya?ml|json)$/i;
/** Renders run at once: enough to overlap helm's and kubectl's start-up on two cores, few enough to bound memory. */
const RENDER_CONCURRENCY = 4;
const GITOPS_API = /^\s*"?apiVersion"?\s*:\s*"?(argoproj\.io|kustomize\.toolkit\.fluxcd\.io|helm\.toolkit\.fluxcd\.io)\//m;
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'Node',
  'PersistentVolume',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'StorageClass',
  'PriorityClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'APIService',
  'IngressClass',
  'RuntimeClass',
  'CSIDriver',
  'CSINode',
  'VolumeSnapshotClass',
  'PodSecurityPolicy',
  'ClusterIssuer',
  'ClusterPolicy',
]);

/** Renders entry points into manifest results, following GitOps objects; one instance per read. */
export class EntryPointRenderer {
  readonly results: { path: string; result: ManifestFileResult }[] = [];
  readonly notes = new Set<string>();
  readonly gaps: Gap[] = [];
  readonly used = new Set<'helm' | 'kubectl'>();
  private readonly queue: (() => Promise<void>)[] = [];
  private readonly seen = new Set<string>();
  private readonly fluxSources = new Map<string, K8sObject>();
  private fluxPending: { o: K8sObject; file: string }[] = [];
  private readonly charts: ChartSource;
  private editCount = 0;
  /** Paths already read as a whole for the audited cluster: Flux's own flux-system Kustomization re-applies its folder. */
  private readonly readPaths = new Set<string>();
  /** Files rendered for the audited cluster with objects other than GitOps ones (or problems), and unrendered entry points; the destinations of the Applications that are not. */
  private destinedHere = 0;
  private sawGitOps = false;
  private readonly destinedElsewhere = new Set<string>();

  constructor(
    private readonly tree: RepoTree,
    private readonly s: RenderSettings,
  ) {
    this.charts = new ChartSource({ cacheDir: s.cacheDir, env: s.env, timeoutMs: s.renderTimeoutMs, helm: () => this.helm() });
  }

  /** Reads `path` (repository-relative, '' = root) as the top entry point and everything it leads to. */
  async run(path: string): Promise<void> {
    // A path holding Argo CD or Flux objects: the desired state is what they render (the issue's rule 1),
    // so nothing else under it is read as is (its charts and overlays are reached, if at all, through them).
    const gitops = await this.gitopsFiles(path);
    if (gitops.length) {
      for (const f of gitops) {
        const text = await this.readOrGap(f);
        if (text !== null) this.accept({ file: f, text, matches: true, gitopsOnly: true, provenance: { renderer: 'plain', path: f } });
      }
    } else {
      this.readPaths.add(path);
      for (const u of await this.pathUnits(path, { matches: true })) this.accept(u);
    }
    for (;;) {
      // Renders run side by side (each is a helm or kubectl process); results are sorted by path at the end.
      while (this.queue.length) await Promise.all(this.queue.splice(0, RENDER_CONCURRENCY).map((t) => t()));
      const pending = this.fluxPending;
      this.fluxPending = [];
      const ready = pending.filter((p) => this.fluxSourceOf(p.o) !== undefined || !needsSource(p.o));
      if (!ready.length) {
        for (const p of pending)
          this.unrendered(
            p.file,
            fluxEntryPoint(p.o, p.file),
            `${p.o.kind} ${fluxEntryPoint(p.o, p.file).namespace}/${p.o.metadata?.name}: its source ${describeSourceRef(p.o)} is not declared in the repository`,
            fluxOwner(p.o),
          );
        if (this.sawGitOps && this.destinedHere === 0 && !pending.length) this.gaps.push(this.nothingDestinedHere(path));
        return;
      }
      this.fluxPending = pending.filter((p) => !ready.includes(p));
      for (const p of ready) this.queue.push(() => this.renderFlux(p.o, p.file));
    }
  }

  /**
   * The gap of a GitOps path none of whose objects is destined to the audited cluster: its desired state
   * is unknown, not empty, so the audit must not read as "nothing in Git" (every DaemonSet unmanaged or,
   * in namespaces nothing manages, silently clean).
   */
  private nothingDestinedHere(path: string): Gap {
    const id = this.s.cluster ?? {};
    const who = [id.name ? `'${id.name}'` : '', id.server ? `(${id.server})` : ''].filter(Boolean).join(' ') || 'the audited cluster (no --cluster given)';
    const elsewhere = [...this.destinedElsewhere].sort();
    const seen = elsewhere.length
      ? `; its Applications are destined to ${elsewhere.slice(0, 5).join(', ')}${elsewhere.length > 5 ? ` and ${elsewhere.length - 5} more` : ''}`
      : '';
    return {
      source: `render:${path || '.'}`,
      message: `failed to find the desired state of ${who} in ${path || '.'}: its GitOps objects render nothing for it${seen}; name the cluster with --cluster or --cluster-server, or audit with --live-only`,
    };
  }

  // ---- tools

  private async kubectl(): Promise<{ command: string; args: string[] }> {
    if (this.s.renderer === null) throw new RenderError('no kustomize renderer was given');
    this.used.add('kubectl');
    return this.s.renderer ?? { command: await findTool('kubectl', { env: this.s.env }), args: ['kustomize'] };
  }

  private async helm(): Promise<string> {
    if (this.s.helm === null) throw new RenderError('no helm was given');
    this.used.add('helm');
    return this.s.helm ?? findTool('helm', { env: this.s.env });
  }

  // ---- accepting rendered output

  /** Plain YAML files under `path` (outside charts) that declare Argo CD or Flux objects. */
  private async gitopsFiles(path: string): Promise<string[]> {
    const files = await this.tree.list(path);
    const charts = files.filter((f) => posix.basename(f) === 'Chart.yaml').map((f) => posix.dirname(f));
    const out: string[] = [];
    for (const f of files) {
      if (!MANIFEST.test(f) || charts.some((c) => f.startsWith(`${c}/`))) continue;
      const text = await this.tree.read(f).catch(() => '');
      if (GITOPS_API.test(text)) out.push(f);
    }
    return out;
  }

  private accept(u: Unit): void {
    let objects: K8sObject[] = [];
    try {
      objects = parseAllDocuments(u.text, KUBECTL_YAML)
        .flatMap((d) => (d.errors.length ? [] : [d.toJS({ maxAliasCount: 100 }) as K8sObject]))
        .filter((o) => o && typeof o === 'object');
    } catch {
      /* parseManifestFile reports it below */
    }
    for (const o of objects) {
      const role = argoRole(o);
      if (role) {
        this.queueArgo(o, role, u.file);
        continue;
      }
      if (!u.matches) continue;
      const flux = fluxRole(o);
      if (flux === 'source') this.fluxSources.set(`${o.kind}/${o.metadata?.namespace ?? 'flux-system'}/${o.metadata?.name}`, o);
      else if (flux && !o.spec?.kubeConfig) this.queueFlux(o, u.file);
    }
    if (!u.matches || u.gitopsOnly) return;
    let text = u.text;
    if (u.substitute || u.namespace) text = rewriteObjects(text, u);
    const result = parseManifestFile(u.file, text);
    if (result.problems.length || objects.some((o) => !argoRole(o) && !fluxRole(o))) this.destinedHere++;
    for (const d of result.daemonSets) d.provenance = { ...u.provenance, ...(this.tree.commit ? { commit: this.tree.commit } : {}) };
    this.results.push({ path: u.file, result });
  }

  private unrendered(file: string, entry: EntryPoint | undefined, message: string, owner?: OwnerMarks): void {
    this.destinedHere++;
    this.results.push({
      path: file,
      result: {
        daemonSets: [],
        namespaces: [],
        problems: [{ rule: 'manifest/unrendered', file, message, ...(owner && Object.keys(owner).length ? { owner } : {}) }],
      },
    });
    void entry;
  }

  private once(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  // ---- plain paths

  /** Units of a path read as a folder: kustomizations and charts rendered, other YAML/JSON read as is. */
  private async pathUnits(path: string, ctx: Ctx): Promise<Unit[]> {
    const files = (await this.tree.list(path)).filter((f) => !f.split('/').some((s) => s.startsWith('.drift-auditor-')));
    const dirOf = (p: string) => (p.includes('/') ? posix.dirname(p) : '');
    const kfiles = files.filter((f) => KUSTOMIZATION_NAMES.includes(posix.basename(f)));
    const kplan = planKustomize(await Promise.all(kfiles.map(async (p) => ({ path: p, text: await this.tree.read(p).catch(() => '') }))));
    const chartDirs = files.filter((f) => posix.basename(f) === 'Chart.yaml').map(dirOf);
    const roots = [
      ...kplan.roots.map((k) => ({ kind: 'kustomize' as const, dir: dirOf(k), file: k })),
      ...chartDirs.map((d) => ({ kind: 'helm' as const, dir: d, file: d ? `${d}/Chart.yaml` : 'Chart.yaml' })),
    ].sort((a, b) => a.dir.length - b.dir.length);
    const under = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);
    const units = roots.filter((r, i) => !roots.slice(0, i).some((o) => o.dir !== r.dir && under(r.dir, o.dir)));
    const units2: Unit[] = [];
    for (const f of files) {
      if (!MANIFEST.test(f) || kplan.covered(f) || units.some((r) => under(f, r.dir))) continue;
      const text = await this.readOrGap(f);
      if (text === null) continue;
      units2.push({
        file: f,
        text,
        provenance: { renderer: 'plain', path: f, ...(ctx.entry ? { entryPoint: ctx.entry } : {}) },
        matches: ctx.matches,
        namespace: ctx.namespace,
      });
    }
    for (const r of units) {
      try {
        if (r.kind === 'kustomize') units2.push(await this.kustomizeUnit(r.dir, r.file, ctx));
        else units2.push(...(await this.localChartUnits(r.dir, ctx, {})));
      } catch (err) {
        if (ctx.matches)
          this.unrendered(
            r.file,
            ctx.entry,
            `${r.kind === 'kustomize' ? 'kustomization' : 'chart'} in ${r.dir || '.'} not rendered: ${(err as Error).message}`,
            ctx.owner,
          );
      }
    }
    return units2;
  }

  /** Returns a file's text, or null after recording a gap (an unreadable file is a gap, not an empty file). */
  private async readOrGap(f: string): Promise<string | null> {
    return this.tree.read(f).catch((err: unknown) => {
      if (err instanceof InputError) throw err; // a hostile file (FIFO, device, link out of the tree): exit 2 naming it
      this.gaps.push({ source: `file:${f}`, message: `failed to read manifest ${f}: ${(err as Error).message}` });
      return null;
    });
  }

  private async kustomizeUnit(dir: string, file: string, ctx: Ctx, edits?: KustomizeEdits): Promise<Unit> {
    const kubectl = await this.kubectl();
    const key = hashOf('kustomize', JSON.stringify([kubectl, dir, edits ?? null, this.s.capabilities ?? null]), await this.treeHash());
    const { text, charts } = await cached(key, () => this.buildKustomization(kubectl, dir, edits));
    return {
      file,
      text,
      matches: ctx.matches,
      namespace: ctx.namespace,
      provenance: {
        renderer: 'kustomize',
        path: dir || '.',
        ...(ctx.entry ? { entryPoint: ctx.entry } : {}),
        ...(charts.length ? { chart: { name: charts.map((c) => c.name).join(','), ...(charts[0]?.version ? { version: charts[0].version } : {}) } } : {}),
      },
    };
  }

  private async buildKustomization(
    kubectl: { command: string; args: string[] },
    dir: string,
    edits?: KustomizeEdits,
  ): Promise<{ text: string; charts: KustomizeHelmChart[] }> {
    let target = join(this.tree.root, dir);
    const charts: KustomizeHelmChart[] = [];
    if (edits || (await this.anyHelmCharts())) {
      const root = await this.tree.writable();
      target = join(root, dir);
      if (edits && dir) {
        // A sibling copy keeps `../base` references working while this Application's edits stay its own.
        const copy = join(root, posix.dirname(dir), `.drift-auditor-edit-${++this.editCount}-${basename(dir)}`);
        await cp(target, copy, { recursive: true });
        target = copy;
      }
      charts.push(...(await inflateHelmCharts(target, (c, kdir) => this.inflateChart(c, kdir))));
      if (edits) {
        const name = await findKustomizationFile(target);
        if (!name) throw new RenderError(`no kustomization in ${dir}`);
        await writeFile(join(target, name), applyKustomizeEdits(await readFile(join(target, name), 'utf8'), edits));
      }
    }
    const text = await runTool(kubectl.command, [...kubectl.args, target], { timeoutMs: this.s.renderTimeoutMs });
    return { text, charts };
  }

  private treeHashed?: Promise<string>;
  /** The content of the whole tree (the commit for a GitHub archive): what a kustomization may read. */
  private treeHash(): Promise<string> {
    this.treeHashed ??= (async () => {
      if (this.tree.commit && this.tree.owned) return this.tree.commit;
      const files = await this.tree.files();
      return hashOf(...files, await hashFiles(files.map((f) => join(this.tree.root, f))));
    })();
    return this.treeHashed;
  }

  private helmChartsKnown?: Promise<boolean>;
  private anyHelmCharts(): Promise<boolean> {
    this.helmChartsKnown ??= (async () => {
      for (const f of (await this.tree.files()).filter((p) => KUSTOMIZATION_NAMES.includes(posix.basename(p)))) {
        if (declaresHelmCharts(await this.tree.read(f).catch(() => ''))) return true;
      }
      return false;
    })();
    return this.helmChartsKnown;
  }

  /** Renders one kustomize `helmCharts:` entry with helm (chart from chartHome, else pulled from its repo). */
  private async inflateChart(c: KustomizeHelmChart, kdir: string): Promise<string> {
    const { access } = await import('node:fs/promises');
    const exists = (p: string) =>
      access(join(p, 'Chart.yaml')).then(
        () => true,
        () => false,
      );
    let chartDir = join(kdir, 'charts', c.name);
    if (!(await exists(chartDir))) chartDir = join(kdir, 'charts', `${c.name}-${c.version}`, c.name);
    if (!(await exists(chartDir))) {
      if (!c.repo) throw new RenderError(`helmCharts ${c.name}: not under charts/ and no repo given`);
      chartDir = (await this.pullChart({ repoURL: c.repo, chart: c.name, version: c.version })).dir;
    }
    const values: string[] = [];
    if (c.valuesFile) values.push(join(kdir, c.valuesFile));
    const input: HelmTemplateInput = {
      chart: chartDir,
      releaseName: c.releaseName ?? 'release-name',
      ...(c.namespace ? { namespace: c.namespace } : {}),
      valueFiles: [...values, ...(c.additionalValuesFiles ?? []).map((f) => join(kdir, f))],
      ...(c.valuesInline ? { values: stringifyYaml(c.valuesInline) } : {}),
      skipCrds: !c.includeCRDs,
      skipTests: c.skipTests,
      capabilities: { kubeVersion: c.kubeVersion ?? this.s.capabilities?.kubeVersion, apiVersions: c.apiVersions ?? this.s.capabilities?.apiVersions },
    };
    if (await chartUsesLookup(chartDir)) this.notes.add(`helmCharts ${c.name}: the chart calls lookup, which renders empty outside the cluster`);
    return renderHelmRelease(input, { helm: await this.helm(), timeoutMs: this.s.renderTimeoutMs, homes: helmHomes(this.s.cacheDir) });
  }

  private async pullChart(req: { repoURL: string; chart: string; version?: string }): Promise<PulledChart> {
    return this.charts.pull(req);
  }

  /** Units of a chart in this repository, rendered with helm. */
  private async localChartUnits(dir: string, ctx: Ctx, h: ChartSettings): Promise<Unit[]> {
    const chartYaml = parseYaml(await this.tree.read(dir ? `${dir}/Chart.yaml` : 'Chart.yaml')) as { name?: string; version?: string } | null;
    const name = chartYaml?.name ?? (basename(dir) || 'chart');
    return this.chartUnits(join(this.tree.root, dir), dir || '.', name, ctx, { ...h, releaseName: h.releaseName ?? name }, { path: dir || '.' });
  }

  private async chartUnits(chartDir: string, label: string, chartName: string, ctx: Ctx, h: ChartSettings, prov: Partial<Provenance>): Promise<Unit[]> {
    const input: HelmTemplateInput = {
      chart: chartDir,
      releaseName: h.releaseName ?? chartName,
      ...(h.namespace ? { namespace: h.namespace } : {}),
      valueFiles: (h.valueFiles ?? []).map((v) => v.abs),
      ...(h.values ? { values: h.values } : {}),
      set: h.set,
      setString: h.setString,
      setFile: h.setFile,
      skipCrds: h.skipCrds,
      capabilities: this.s.capabilities,
    };
    const helm = await this.helm();
    const { chart: _chart, ...rest } = input;
    const key = hashOf(
      'helm',
      helm,
      JSON.stringify(rest),
      await hashFolder(chartDir),
      await hashFiles([...(input.valueFiles ?? []), ...Object.values(input.setFile ?? {})]),
    );
    const { out, lookup } = await cached(key, async () => ({
      lookup: await chartUsesLookup(chartDir),
      out: await renderHelmRelease(input, { helm, timeoutMs: this.s.renderTimeoutMs, homes: helmHomes(this.s.cacheDir) }),
    }));
    if (lookup)
      this.notes.add(
        `${ctx.entry ? `${ctx.entry.kind} ${ctx.entry.name}` : label}: the chart calls lookup, which renders empty outside the cluster (as helm template and Argo CD render it)`,
      );
    const provenance: Provenance = {
      renderer: 'helm',
      ...prov,
      releaseName: input.releaseName,
      ...(h.valueFiles?.length ? { valueFiles: h.valueFiles.map((v) => v.label) } : {}),
      ...(ctx.entry ? { entryPoint: ctx.entry } : {}),
    };
    return splitHelmOutput(chartName, out).map((p) => ({
      file: `${label}/${p.source}`,
      text: p.text,
      provenance,
      matches: ctx.matches,
      namespace: h.namespace ?? ctx.namespace,
    }));
  }

  // ---- Argo CD

  private queueArgo(o: K8sObject, role: 'application' | 'applicationset', file: string): void {
    const key = `argo/${role}/${o.metadata?.namespace ?? 'argocd'}/${o.metadata?.name}`;
    this.sawGitOps = true;
    if (!this.once(key)) return;
    this.queue.push(() => (role === 'application' ? this.renderApplication(o, file) : this.expandApplicationSet(o, file)));
  }

  private async expandApplicationSet(set: K8sObject, file: string): Promise<void> {
    const spec = set.spec ?? {};
    const name = `${set.metadata?.namespace ?? 'argocd'}/${set.metadata?.name}`;
    const goTemplate = spec.goTemplate === true;
    const files = await this.tree.files();
    for (const gen of (Array.isArray(spec.generators) ? spec.generators : []) as Record<string, unknown>[]) {
      let params;
      try {
        params = await runGenerator(gen, {
          isThisRepo: (u) => this.tree.isThisRepo(u),
          files,
          read: (p) => this.tree.read(p),
          parse: (t) => parseYaml(t),
          cluster: this.s.cluster ?? {},
        });
      } catch (err) {
        this.unrendered(
          file,
          { kind: 'ApplicationSet', name: set.metadata?.name ?? '', namespace: set.metadata?.namespace, file },
          `ApplicationSet ${name}: ${(err as Error).message}`,
        );
        continue;
      }
      for (const p of params) {
        const app = instantiateTemplate(spec.template, p, goTemplate) as K8sObject;
        const obj: K8sObject = {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Application',
          metadata: { namespace: set.metadata?.namespace ?? 'argocd', ...(app.metadata ?? {}) },
          spec: app.spec,
        };
        this.queueArgo(obj, 'application', file);
      }
    }
  }

  private async renderApplication(app: K8sObject, file: string): Promise<void> {
    const name = app.metadata?.name ?? '';
    const ns = app.metadata?.namespace ?? 'argocd';
    const entry: EntryPoint = { kind: 'Application', name, namespace: ns, file };
    const dest = app.spec?.destination as { name?: string; server?: string; namespace?: string } | undefined;
    const matches = destinationMatches(dest, this.s.cluster ?? {});
    if (!matches)
      this.destinedElsewhere.add(
        typeof dest?.name === 'string' && dest.name ? dest.name : typeof dest?.server === 'string' && dest.server ? dest.server : 'no destination',
      );
    const ctx: Ctx = { entry, matches, namespace: dest?.namespace, owner: { argocdApp: name } };
    const sources = appSources(app);
    if (!sources.length && matches) this.unrendered(file, entry, `Application ${ns}/${name}: no source`, ctx.owner);
    const refs = new Map(sources.filter((s) => s.ref).map((s) => [s.ref!, s]));
    for (const s of sources) {
      if (s.ref && !s.path && !s.chart) continue;
      if (!matches && (s.chart || isOciURL(s.repoURL))) continue; // a chart from a Helm repository holds no child Applications worth pulling for another cluster
      try {
        for (const u of await this.appSourceUnits(s, refs, ctx, name)) this.accept(u);
      } catch (err) {
        if (matches) this.unrendered(file, entry, `Application ${ns}/${name}: ${(err as Error).message}`, ctx.owner);
      }
    }
  }

  /** Resolves an Argo CD value file: `$ref/path` through a ref source, else relative to the source path (`/x` from the repository root). */
  private async valueFile(raw: string, base: string, refs: Map<string, AppSource>, chartDir?: string): Promise<{ abs: string; label: string } | null> {
    const m = /^\$([^/]+)\/(.*)$/.exec(raw);
    let rel: string | null;
    if (m) {
      const ref = refs.get(m[1]!);
      if (!ref) throw new RenderError(`value file ${raw}: no source with ref '${m[1]}'`);
      if (!this.tree.isThisRepo(ref.repoURL)) throw new RenderError(`value file ${raw}: ref '${m[1]}' is ${ref.repoURL}, not the repository read`);
      rel = normaliseRepoPath(m[2]!);
    } else if (chartDir) {
      const { access } = await import('node:fs/promises');
      const abs = join(chartDir, raw);
      return access(abs).then(
        () => ({ abs, label: `${raw} (in the chart)` }),
        () => null,
      );
    } else {
      rel = normaliseRepoPath(raw.startsWith('/') ? raw : posix.join(base, raw));
    }
    if (rel === null) throw new RenderError(`value file ${raw} leaves the repository`);
    const files = await this.tree.files();
    if (!files.includes(rel)) return null;
    return { abs: join(this.tree.root, rel), label: rel };
  }

  private async appSourceUnits(s: AppSource, refs: Map<string, AppSource>, ctx: Ctx, appName: string): Promise<Unit[]> {
    const h = s.helm ?? {};
    const settings = async (base: string, chartDir?: string): Promise<ChartSettings> => {
      const valueFiles: { abs: string; label: string }[] = [];
      for (const raw of h.valueFiles ?? []) {
        const v = await this.valueFile(raw, base, refs, chartDir);
        if (v) valueFiles.push(v);
        else if (!h.ignoreMissingValueFiles) throw new RenderError(`value file ${raw} does not exist`);
      }
      const set: Record<string, string> = {};
      const setString: Record<string, string> = {};
      const setFile: Record<string, string> = {};
      for (const p of h.parameters ?? []) (p.forceString ? setString : set)[p.name] = p.value;
      for (const p of h.fileParameters ?? []) {
        const v = await this.valueFile(p.path, base, refs);
        if (!v) throw new RenderError(`file parameter ${p.name}: ${p.path} does not exist`);
        setFile[p.name] = v.abs;
      }
      // valuesObject wins over values (ApplicationSourceHelm.ValuesYAML, pkg/apis/application/v1alpha1/values.go).
      const values = h.valuesObject ? stringifyYaml(h.valuesObject) : h.values;
      return {
        valueFiles,
        ...(values ? { values } : {}),
        set,
        setString,
        setFile,
        releaseName: h.releaseName || appName,
        namespace: h.namespace || ctx.namespace,
        skipCrds: h.skipCrds,
      };
    };
    const remote = remoteChartOf(s);
    if (remote) {
      const pulled = await this.pullChart({ ...remote, version: s.targetRevision });
      return this.chartUnits(pulled.dir, `${remote.chart}-${pulled.version}`, remote.chart, ctx, await settings('', pulled.dir), {
        chart: { name: remote.chart, version: pulled.version, repo: pulled.repo, digest: `sha256:${pulled.digest}` },
      });
    }
    if (!this.tree.isThisRepo(s.repoURL))
      throw new RenderError(`source ${s.repoURL} is not the repository read (${this.tree.url ?? 'the folder has no git origin remote'})`);
    const path = normaliseRepoPath(s.path ?? '');
    if (path === null) throw new RenderError(`source path ${s.path} leaves the repository`);
    const files = await this.tree.list(path);
    if (!files.length) throw new RenderError(`source path ${path || '.'} does not exist at ${this.tree.commit?.slice(0, 12) ?? 'the commit read'}`);
    const top = new Set(files.filter((f) => posix.dirname(f) === (path || '.')).map((f) => posix.basename(f)));
    // Argo CD's AppType: a kustomization at the source path's root makes it kustomize, else Chart.yaml helm, else a directory (util/app/discovery).
    const kfile = KUSTOMIZATION_NAMES.find((n) => top.has(n));
    if (kfile) {
      const k = s.kustomize;
      const edits: KustomizeEdits | undefined = k && Object.keys(k).length ? k : undefined;
      return [await this.kustomizeUnit(path, path ? `${path}/${kfile}` : kfile, ctx, edits)];
    }
    if (top.has('Chart.yaml')) return this.localChartUnits(path, ctx, await settings(path));
    const d = s.directory ?? {};
    const units: Unit[] = [];
    for (const f of files) {
      const rel = path ? f.slice(path.length + 1) : f;
      if (!MANIFEST.test(f) || (!d.recurse && rel.includes('/'))) continue;
      if (d.include && !globMatch(d.include, rel)) continue;
      if (d.exclude && globMatch(d.exclude, rel)) continue;
      const text = await this.readOrGap(f);
      if (text !== null)
        units.push({
          file: f,
          text,
          matches: ctx.matches,
          namespace: ctx.namespace,
          provenance: { renderer: 'plain', path: f, ...(ctx.entry ? { entryPoint: ctx.entry } : {}) },
        });
    }
    return units;
  }

  // ---- Flux

  private queueFlux(o: K8sObject, file: string): void {
    const key = `flux/${o.kind}/${o.metadata?.namespace ?? 'flux-system'}/${o.metadata?.name}`;
    this.sawGitOps = true;
    if (!this.once(key)) return;
    this.fluxPending.push({ o, file });
  }

  private fluxSourceOf(o: K8sObject): K8sObject | undefined {
    const ref = sourceRefOf(o);
    if (!ref) return undefined;
    return this.fluxSources.get(`${ref.kind}/${ref.namespace ?? o.metadata?.namespace ?? 'flux-system'}/${ref.name}`);
  }

  private async renderFlux(o: K8sObject, file: string): Promise<void> {
    const entry = fluxEntryPoint(o, file);
    const owner = fluxOwner(o);
    const label = `${o.kind} ${entry.namespace}/${entry.name}`;
    const spec = o.spec ?? {};
    try {
      const from = (o.kind === 'HelmRelease' ? spec.valuesFrom : (spec.postBuild as { substituteFrom?: unknown } | undefined)?.substituteFrom) as
        { kind?: string; name?: string }[] | undefined;
      if (Array.isArray(from) && from.length) {
        throw new RenderError(
          `${o.kind === 'HelmRelease' ? 'valuesFrom' : 'postBuild.substituteFrom'} reads ${from.map((f) => `${f.kind} ${entry.namespace}/${f.name}`).join(', ')} from the cluster, which Git does not hold`,
        );
      }
      const source = this.fluxSourceOf(o);
      const targetNs = typeof spec.targetNamespace === 'string' ? spec.targetNamespace : undefined;
      if (o.kind === 'Kustomization') {
        const url = (source?.spec as { url?: string } | undefined)?.url;
        if (source?.kind !== 'GitRepository' || !this.tree.isThisRepo(url))
          throw new RenderError(`source ${describeSourceRef(o)} is ${url ?? 'not a GitRepository'}, not the repository read`);
        const path = normaliseRepoPath(typeof spec.path === 'string' ? spec.path : '');
        if (path === null) throw new RenderError(`spec.path ${String(spec.path)} leaves the repository`);
        if (!(await this.tree.list(path)).length) throw new RenderError(`spec.path ${path || '.'} does not exist`);
        if (this.readPaths.has(path)) return;
        this.readPaths.add(path);
        const substitute = (spec.postBuild as { substitute?: Record<string, string> } | undefined)?.substitute;
        const ctx: Ctx = { entry, matches: true, namespace: targetNs, owner };
        for (const u of await this.pathUnits(path, ctx))
          this.accept({ ...u, ...(targetNs ? { namespace: targetNs, force: true } : {}), ...(substitute ? { substitute } : {}) });
        return;
      }
      const release = fluxReleaseName(o);
      const ns = targetNs ?? entry.namespace!;
      const values = spec.values && typeof spec.values === 'object' ? stringifyYaml(spec.values) : undefined;
      const install = spec.install as { crds?: string } | undefined;
      const ctx: Ctx = { entry, matches: true, namespace: ns, owner };
      const h: ChartSettings = { releaseName: release, namespace: ns, ...(values ? { values } : {}), skipCrds: install?.crds === 'Skip' };
      const chartSpec = (spec.chart as { spec?: { chart?: string; version?: string; valuesFiles?: string[]; sourceRef?: unknown } } | undefined)?.spec;
      if (chartSpec?.chart) {
        if (source?.kind === 'GitRepository') {
          if (!this.tree.isThisRepo((source.spec as { url?: string }).url)) throw new RenderError(`source ${describeSourceRef(o)} is not the repository read`);
          const dir = normaliseRepoPath(chartSpec.chart);
          if (dir === null) throw new RenderError(`chart ${chartSpec.chart} leaves the repository`);
          const vf = await this.fluxValueFiles(chartSpec.valuesFiles, (f) => normaliseRepoPath(f));
          for (const u of await this.localChartUnits(dir, ctx, { ...h, valueFiles: vf })) this.accept(u);
          return;
        }
        if (source?.kind === 'HelmRepository') {
          const rs = source.spec as { url?: string; type?: string };
          if (!chartSpec.version && rs.type !== 'oci') {
            /* Flux defaults to '*' : the newest stable */
          }
          const pulled = await this.pullChart({ repoURL: rs.url ?? '', chart: chartSpec.chart, version: chartSpec.version ?? '*' });
          const vf = (chartSpec.valuesFiles ?? []).map((f) => ({ abs: join(pulled.dir, f), label: `${f} (in the chart)` }));
          for (const u of await this.chartUnits(
            pulled.dir,
            `${chartSpec.chart}-${pulled.version}`,
            chartSpec.chart,
            ctx,
            { ...h, valueFiles: vf },
            { chart: { name: chartSpec.chart, version: pulled.version, repo: pulled.repo, digest: `sha256:${pulled.digest}` } },
          ))
            this.accept(u);
          return;
        }
        throw new RenderError(`chart source ${describeSourceRef(o)} is not supported`);
      }
      if (spec.chartRef && source?.kind === 'OCIRepository') {
        const rs = source.spec as { url?: string; ref?: { tag?: string; semver?: string; digest?: string } };
        const url = (rs.url ?? '').replace(/\/+$/, '');
        // source-controller's precedence: digest, then semver, then tag (else 'latest'); a digest pin is not pulled by tag.
        if (rs.ref?.digest)
          throw new RenderError(
            `OCIRepository ${describeSourceRef(o)} pins digest ${rs.ref.digest}, which drift-auditor does not pull (pin a tag or semver range)`,
          );
        if (!/^oci:\/\/[^/]+\/.+/.test(url)) throw new RenderError(`OCIRepository ${describeSourceRef(o)}: url '${url}' is not oci://registry/path/chart`);
        const chart = url.slice(url.lastIndexOf('/') + 1);
        const pulled = await this.pullChart({ repoURL: url.slice(0, url.lastIndexOf('/')), chart, version: rs.ref?.semver ?? rs.ref?.tag });
        for (const u of await this.chartUnits(pulled.dir, `${chart}-${pulled.version}`, chart, ctx, h, {
          chart: { name: chart, version: pulled.version, repo: pulled.repo, digest: `sha256:${pulled.digest}` },
        }))
          this.accept(u);
        return;
      }
      throw new RenderError(
        `no chart: neither spec.chart.spec nor a chartRef to an OCIRepository ${spec.chartRef ? `(chartRef ${describeSourceRef(o)} is not declared in the repository)` : ''}`.trim(),
      );
    } catch (err) {
      this.unrendered(file, entry, `${label}: ${(err as Error).message}`, owner);
    }
  }

  private async fluxValueFiles(list: string[] | undefined, resolve: (f: string) => string | null): Promise<{ abs: string; label: string }[]> {
    const files = await this.tree.files();
    return (list ?? []).map((f) => {
      const rel = resolve(f);
      if (rel === null || !files.includes(rel)) throw new RenderError(`values file ${f} does not exist`);
      return { abs: join(this.tree.root, rel), label: rel };
    });
  }
}

interface ChartSettings {
  valueFiles?: { abs: string; label: string }[];
  values?: string;
  set?: Record<string, string>;
  setString?: Record<string, string>;
  setFile?: Record<string, string>;
  releaseName?: string;
  namespace?: string;
  skipCrds?: boolean;
}

const isOciURL = (u: string | undefined): boolean => /^oci:\/\//i.test(u ?? '');

/**
 * The chart an Argo CD source pulls, if any: `repoURL` + `chart` (a Helm repository, or an OCI registry when
 * `repoURL` has no scheme), or, since Argo CD 3.1, an `oci://registry/path/chart` repoURL whose artifact is a
 * Helm chart (`path` is then '.'; argo-cd docs/user-guide/oci.md).
 */
function remoteChartOf(s: AppSource): { repoURL: string; chart: string } | undefined {
  if (s.chart) return { repoURL: /^[a-z][a-z0-9+.-]*:\/\//i.test(s.repoURL ?? '') ? s.repoURL! : `oci://${s.repoURL}`, chart: s.chart };
  if (!isOciURL(s.repoURL)) return undefined;
  if (s.path && s.path !== '.' && s.path !== './')
    throw new RenderError(`OCI source ${s.repoURL}: path '${s.path}' inside an OCI artifact is not supported, only a Helm chart artifact (path '.')`);
  const url = s.repoURL!.replace(/\/+$/, '');
  if (!/^oci:\/\/[^/]+\/.+/.test(url)) throw new RenderError(`OCI source ${s.repoURL} is not oci://registry/path/chart`);
  const chart = url.slice(url.lastIndexOf('/') + 1);
  return { repoURL: url.slice(0, url.lastIndexOf('/')), chart };
}

function sourceRefOf(o: K8sObject): { kind: string; name: string; namespace?: string } | undefined {
  const spec = o.spec ?? {};
  const ref = (
    o.kind === 'HelmRelease' ? ((spec.chart as { spec?: { sourceRef?: unknown } } | undefined)?.spec?.sourceRef ?? spec.chartRef) : spec.sourceRef
  ) as { kind?: string; name?: string; namespace?: string } | undefined;
  return ref?.kind && ref.name ? { kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } : undefined;
}

function needsSource(o: K8sObject): boolean {
  return sourceRefOf(o) !== undefined;
}

function describeSourceRef(o: K8sObject): string {
  const r = sourceRefOf(o);
  return r ? `${r.kind} ${r.namespace ?? o.metadata?.namespace ?? 'flux-system'}/${r.name}` : '(none)';
}

function fluxOwner(o: K8sObject): OwnerMarks {
  const id = `${o.metadata?.namespace ?? 'flux-system'}/${o.metadata?.name}`;
  return o.kind === 'HelmRelease' ? { fluxHelmRelease: id, helmRelease: fluxReleaseName(o) } : { fluxKustomization: id };
}

/** Returns the text with namespaces defaulted (or forced) and Flux substitution applied, per object. */
function rewriteObjects(text: string, u: Unit): string {
  const docs = parseAllDocuments(text, KUBECTL_YAML);
  if (!Array.isArray(docs) || docs.some((d) => d.errors.length)) return text;
  let changed = false;
  const out = docs.map((doc) => {
    let d = doc;
    const o = d.toJS() as K8sObject | null;
    if (!o || typeof o !== 'object' || typeof o.kind !== 'string') return d.toString();
    if (u.substitute && !substitutionDisabled(o)) {
      const before = d.toString();
      const after = fluxSubstitute(before, u.substitute);
      if (after !== before) {
        changed = true;
        d = (parseAllDocuments(after, KUBECTL_YAML)[0] as typeof d) ?? d;
      }
    }
    if (u.namespace && !CLUSTER_SCOPED.has(o.kind) && !o.kind.endsWith('List') && (u.force || !o.metadata?.namespace)) {
      d.setIn(['metadata', 'namespace'], u.namespace);
      changed = true;
    }
    return d.toString();
  });
  return changed ? out.join('---\n') : text;
}

/** The kustomizations to render in a folder and the files they cover (a base referenced by another is rendered through it). */
export function planKustomize(kustomizations: { path: string; text: string }[]): { roots: string[]; covered(path: string): boolean } {
  const dirOf = (p: string) => (p.includes('/') ? posix.dirname(p) : '');
  const kdirs = new Map(kustomizations.map((f) => [dirOf(f.path), f.path]));
  const consumed = new Set<string>();
  for (const f of kustomizations) {
    let doc: unknown;
    try {
      doc = parseYaml(f.text);
    } catch {
      continue;
    }
    if (!doc || typeof doc !== 'object') continue;
    const d = doc as Record<string, unknown>;
    const refs = [d.resources, d.bases, d.components].flatMap((v) => (Array.isArray(v) ? v : [])).filter((v): v is string => typeof v === 'string');
    for (const r of refs) {
      if (/^[a-z][a-z0-9+.-]*:\/\//i.test(r) || /^(github\.com|git@)/.test(r)) continue; // remote bases
      const resolved = posix.normalize(posix.join(dirOf(f.path) || '.', r)).replace(/\/+$/, '');
      if (resolved.startsWith('..')) continue; // outside the folder read: rendered from the full tree anyway
      consumed.add(resolved === '.' ? '' : resolved);
    }
  }
  const dirs = [...kdirs.keys()];
  const under = (p: string, dir: string) => dir === '' || p === dir || p.startsWith(`${dir}/`);
  const roots = dirs
    .filter((d) => !consumed.has(d))
    .sort()
    .map((d) => kdirs.get(d)!);
  const coveringDirs = [...dirs, ...consumed];
  return { roots, covered: (p) => coveringDirs.some((d) => under(p, d)) };
}
