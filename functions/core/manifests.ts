// Desired state from Git: manifest files (multi-document YAML, JSON, `kind: List`) parsed into apps/v1
// DaemonSets with file and line, the namespaces Git manages, and problems as values. One bad document
// never stops the others: it becomes a manifest/invalid problem and parsing goes on.
import { isCollection, LineCounter, parseAllDocuments, visit, type Document } from 'yaml';
import { KUBECTL_YAML, MAX_ALIAS_COUNT, MAX_DOCUMENT_DEPTH, yamlErrorText } from './kubectl-yaml.js';
import { formatPath, objectShapeProblem, valueProblem } from './object-shape.js';
import { jsonErrorLine, lineAtOffset } from './text-position.js';
import type { K8sDaemonSet } from './k8s-types.js';
import type { DesiredDaemonSet, DesiredSource, DesiredState, Gap, ManifestProblem } from './types.js';

/** What one manifest file contributes to the desired state. */
export { KUBECTL_YAML, MAX_ALIAS_COUNT } from './kubectl-yaml.js';

export interface ManifestFileResult {
  daemonSets: DesiredDaemonSet[];
  /** Namespaces of namespaced objects with an explicit namespace, names of Namespace objects, and DaemonSets' namespaces. */
  namespaces: string[];
  problems: ManifestProblem[];
}

const TEMPLATE = /\{\{-?\s*[^}]*\}\}/;
/** A Helm expression inside a string that parsed as YAML (quoted `"{{ .Values.image }}"`); other `{{` in strings are legitimate config. */
const HELM_EXPRESSION = /\{\{-?\s*(\.Values|\.Release|\.Chart|\.Capabilities|\$\.|include\s|template\s|tpl\s|toYaml\s|if\s|end\s*-?\}\}|range\s|with\s)/;

/** Returns the DaemonSets, managed namespaces and problems of one manifest file (path as it should be reported). */
export function parseManifestFile(file: string, text: string): ManifestFileResult {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark (Windows editors): JSON.parse rejects it
  const out: ManifestFileResult = { daemonSets: [], namespaces: [], problems: [] };
  const problem = (line: number | undefined, message: string): void => {
    out.problems.push({ rule: 'manifest/invalid', file, ...(line !== undefined ? { line } : {}), message });
  };
  if (/\.json$/i.test(file)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      const template = TEMPLATE.exec(text);
      problem(
        template ? lineAtOffset(text, template.index) : jsonErrorLine(text, err),
        template ? templateMessage() : `invalid JSON: ${(err as Error).message}`,
      );
      return out;
    }
    const deep = valueProblem(value, MAX_DOCUMENT_DEPTH);
    if (deep) {
      problem(1, `${formatPath(deep.path)} ${deep.message}`);
      return out;
    }
    collectObject(file, value, 1, 0, out, problem, () => undefined);
    return finish(out);
  }
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false, ...KUBECTL_YAML });
  if (!Array.isArray(docs)) return out;
  docs.forEach((doc, index) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const line = lc.linePos(start).line;
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const source = text.slice(doc.range[0], doc.range[2]);
      const template = TEMPLATE.exec(source);
      // The line of the first {{ … }}: where the file stops being YAML.
      if (template) problem(lc.linePos(doc.range[0] + template.index).line, templateMessage());
      else
        problem(
          line,
          `invalid YAML: ${yamlErrorText(e.message).replace(/ at line \d+, column \d+:?$/, '')} (line ${lc.linePos(e.pos[0]).line}, column ${lc.linePos(e.pos[0]).col})`,
        );
      return;
    }
    const key = collectionKey(doc);
    if (key !== undefined) {
      // `{{ .Values.x }}: y` parses as a map whose key is a map: a template, or no Kubernetes object.
      const template = TEMPLATE.exec(text.slice(doc.range[0], doc.range[2]));
      if (template) problem(lc.linePos(doc.range[0] + template.index).line, templateMessage());
      else problem(lc.linePos(key).line, 'invalid YAML: a mapping key is itself a list or mapping, which no Kubernetes object has');
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      const bomb = /excessive alias count/i.test((err as Error).message);
      problem(
        line,
        bomb ? `YAML alias bomb: the document expands more than ${MAX_ALIAS_COUNT} aliases; refusing to read it` : `invalid YAML: ${(err as Error).message}`,
      );
      return;
    }
    collectObject(file, value, line, index, out, problem, lineLocator(doc, lc));
  });
  return finish(out);
}

type Locate = (path: (string | number)[]) => number | undefined;

/** Returns a function giving the line of the deepest node of `path` that exists in the document. */
function lineLocator(doc: Document, lc: LineCounter): Locate {
  return (path) => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lc.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** Returns the offset of the first mapping key that is a collection (`{{ x }}: y`, `? [a]`), if any. */
function collectionKey(doc: Document.Parsed): number | undefined {
  let at: number | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isCollection(pair.key)) {
        at = pair.key.range?.[0] ?? doc.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return at;
}

function templateMessage(): string {
  return 'unrendered Helm/Go template ({{ … }}): commit the rendered output (helm template …) or keep templates out of the manifests folder';
}

function finish(out: ManifestFileResult): ManifestFileResult {
  out.namespaces = [...new Set(out.namespaces)].sort();
  return out;
}

function collectObject(
  file: string,
  value: unknown,
  line: number,
  documentIndex: number,
  out: ManifestFileResult,
  problem: (line: number | undefined, message: string) => void,
  locate: Locate,
): void {
  if (value === null || value === undefined) return;
  if (!isObject(value)) {
    problem(line, `not a Kubernetes object (found ${Array.isArray(value) ? 'a list' : typeof value})`);
    return;
  }
  const kind = value.kind;
  if (typeof kind !== 'string') return; // Helm values, kustomize patches and other non-objects: not ours to judge.
  if (Array.isArray(value.items) && kind.endsWith('List')) {
    (value.items as unknown[]).forEach((item, i) =>
      collectObject(file, item, locate(['items', i]) ?? line, documentIndex, out, problem, (path) => locate(['items', i, ...path])),
    );
    return;
  }
  const meta = isObject(value.metadata) ? value.metadata : undefined;
  if (kind === 'Namespace' && typeof meta?.name === 'string') out.namespaces.push(meta.name);
  else if (typeof meta?.namespace === 'string' && meta.namespace) out.namespaces.push(meta.namespace);
  if (kind !== 'DaemonSet' || value.apiVersion !== 'apps/v1') return;
  const name = typeof meta?.name === 'string' && meta.name ? meta.name : undefined;
  const label = `DaemonSet ${name ?? '(unnamed)'}`;
  const namespace = typeof meta?.namespace === 'string' && meta.namespace ? meta.namespace : 'default';
  if (name) {
    // Name the DaemonSet on its problems, so the audit knows Git does declare it (not resource/unmanaged).
    const plain = problem;
    problem = (l, message) => {
      plain(l, message);
      out.problems[out.problems.length - 1]!.daemonSet = `${namespace}/${name}`;
    };
  }
  const spec = isObject(value.spec) ? value.spec : undefined;
  const missing = !name
    ? 'metadata.name'
    : !spec
      ? 'spec'
      : !isObject(spec.selector)
        ? 'spec.selector'
        : !isObject(spec.template)
          ? 'spec.template'
          : !isObject(spec.template.spec) || !Array.isArray(spec.template.spec.containers)
            ? 'spec.template.spec.containers'
            : undefined;
  if (missing) {
    problem(line, `${label}: missing ${missing}`);
    return;
  }
  // Before anything recurses into it: a DaemonSet nested thousands of levels deep would overflow the stack.
  const deep = valueProblem(value);
  if (deep) {
    problem(locate(deep.path) ?? line, `${label}: ${formatPath(deep.path)} ${deep.message}`);
    return;
  }
  const templated = findTemplate(value, '');
  if (templated) {
    problem(line, `${label}: ${templated} holds an unrendered Helm template expression ({{ … }}): commit the rendered output (helm template …)`);
    return;
  }
  const bad = objectShapeProblem('DaemonSet', value);
  if (bad) {
    problem(locate(bad.path) ?? line, `${label}: ${formatPath(bad.path)} ${bad.message}`);
    return;
  }
  out.namespaces.push(namespace);
  const manifest = { ...value, metadata: { ...meta, namespace } } as unknown as K8sDaemonSet;
  out.daemonSets.push({ manifest, file, line, documentIndex });
}

/** Returns the path of the first string that holds a Helm template expression, if any. */
function findTemplate(v: unknown, path: string): string | undefined {
  if (typeof v === 'string') return HELM_EXPRESSION.test(v) ? path || '(value)' : undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = findTemplate(v[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const hit = findTemplate(x, path ? `${path}.${k}` : k);
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * Returns the desired state of a set of parsed files (in the order given). A DaemonSet declared twice
 * is a manifest/invalid problem at its second place; the first declaration is audited.
 */
export function desiredStateFromFiles(source: DesiredSource, results: ManifestFileResult[], gaps: Gap[] = []): DesiredState {
  const byKey = new Map<string, DesiredDaemonSet>();
  const problems: ManifestProblem[] = [];
  const namespaces = new Set<string>();
  for (const r of results) {
    for (const ns of r.namespaces) namespaces.add(ns);
    problems.push(...r.problems);
    for (const d of r.daemonSets) {
      const key = `${d.manifest.metadata.namespace}/${d.manifest.metadata.name}`;
      const first = byKey.get(key);
      if (first) {
        problems.push({
          rule: 'manifest/invalid',
          file: d.file,
          line: d.line,
          message: `DaemonSet ${key} is declared again (first at ${first.file}:${first.line}); only the first declaration is audited`,
        });
      } else {
        byKey.set(key, d);
      }
    }
  }
  // An unrendered kustomization hides every DaemonSet it would produce: Git was not read completely,
  // so the audit must not pass as clean (fail closed). A single unparseable file stays a finding.
  const unread: Gap[] = problems.filter((p) => p.rule === 'manifest/unrendered').map((p) => ({ source: `git:${p.file}`, message: p.message }));
  return { source, daemonSets: [...byKey.values()], managedNamespaces: [...namespaces].sort(), problems, gaps: [...gaps, ...unread] };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
