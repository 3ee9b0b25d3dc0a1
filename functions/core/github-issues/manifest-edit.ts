// Edits a DaemonSet manifest in place: sets container image scalars and nothing else, so comments,
// key order, quoting and layout survive (a PR that rewrites a whole file is not reviewable).
// With the `yaml` Document API: parse all documents, set the image scalars, and print with the
// first set of options under which the unmodified file prints byte for byte; the result is then
// checked to differ from the input only on the image lines. If no option set round-trips the file
// (unusual indentation), the scalars' source ranges are spliced instead, which is exact by construction.
import { isMap, isScalar, isSeq, parseAllDocuments, Scalar, type Document, type ToStringOptions } from 'yaml';
import { InputError } from '../errors.js';

export interface ImageEdit {
  container: string;
  image: string;
}

export interface ImageChange {
  container: string;
  from: string;
  to: string;
  /** 1-based line of the image in the file. */
  line: number;
}

export interface ManifestEditResult {
  text: string;
  /** Containers whose image changed (already-equal images are not listed). */
  changed: ImageChange[];
  /** How the text was produced. */
  method: 'document' | 'splice' | 'unchanged';
}

const CANDIDATES: ToStringOptions[] = [false, true].flatMap((indentSeq) =>
  [false, true].map((flowCollectionPadding) => ({ lineWidth: 0, minContentWidth: 0, indentSeq, flowCollectionPadding })),
);

function lineOf(text: string, offset: number): number {
  let n = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) n += 1;
  return n;
}

function render(docs: Document.Parsed[], opts: ToStringOptions): string {
  return docs.map((d) => d.toString(opts)).join('');
}

function findDaemonSet(docs: Document.Parsed[], file: string, namespace: string, name: string): Document.Parsed {
  const matches = docs.filter((d) => d.get('kind') === 'DaemonSet' && d.getIn(['metadata', 'name']) === name);
  // A manifest without metadata.namespace lands in the namespace it is applied to (kustomize, -n).
  const exact = matches.filter((d) => (d.getIn(['metadata', 'namespace']) ?? null) === namespace);
  const loose = matches.filter((d) => d.getIn(['metadata', 'namespace']) === undefined);
  const doc = exact[0] ?? (loose.length === 1 ? loose[0] : undefined);
  if (!doc) throw new InputError(`failed to edit ${file}: no DaemonSet ${namespace}/${name} in it`);
  return doc;
}

function imageScalars(doc: Document.Parsed, file: string): Map<string, Scalar> {
  const out = new Map<string, Scalar>();
  for (const key of ['initContainers', 'containers']) {
    const seq = doc.getIn(['spec', 'template', 'spec', key], true);
    if (!isSeq(seq)) continue;
    for (const item of seq.items) {
      if (!isMap(item)) continue;
      const name = item.get('name');
      const image = item.get('image', true);
      if (typeof name !== 'string') continue;
      if (!isScalar(image) || typeof image.value !== 'string') throw new InputError(`failed to edit ${file}: container ${name} has no plain image value`);
      out.set(name, image);
    }
  }
  return out;
}

/** Returns `image` written in the same quoting style as the scalar it replaces. */
function scalarSource(node: Scalar, image: string): string {
  switch (node.type) {
    case Scalar.QUOTE_DOUBLE:
      return JSON.stringify(image);
    case Scalar.QUOTE_SINGLE:
      return `'${image.replace(/'/g, "''")}'`;
    default:
      if (!/^[A-Za-z0-9][\w./:@+-]*$/.test(image)) throw new InputError(`failed to edit image: ${JSON.stringify(image)} is not a plain image reference`);
      return image;
  }
}

function onlyLinesDiffer(before: string, after: string, lines: Set<number>): boolean {
  const a = before.split('\n');
  const b = after.split('\n');
  return a.length === b.length && a.every((l, i) => l === b[i] || lines.has(i + 1));
}

/** Returns the manifest text with the given containers' images set, everything else byte-identical. */
export function editDaemonSetImages(text: string, file: string, target: { namespace: string; name: string }, edits: readonly ImageEdit[]): ManifestEditResult {
  const docs = parseAllDocuments(text, { keepSourceTokens: false });
  if (!Array.isArray(docs)) throw new InputError(`failed to edit ${file}: no YAML documents`);
  const bad = docs.find((d) => d.errors.length > 0);
  if (bad) throw new InputError(`failed to edit ${file}: ${bad.errors[0]!.message}`);
  const doc = findDaemonSet(docs, file, target.namespace, target.name);
  const scalars = imageScalars(doc, file);

  const changed: (ImageChange & { node: Scalar })[] = [];
  for (const e of edits) {
    const node = scalars.get(e.container);
    if (!node) throw new InputError(`failed to edit ${file}: DaemonSet ${target.namespace}/${target.name} has no container ${e.container}`);
    const from = node.value as string;
    if (from === e.image) continue;
    changed.push({ container: e.container, from, to: e.image, line: lineOf(text, node.range![0]), node });
  }
  const result = (t: string, method: ManifestEditResult['method']): ManifestEditResult => ({
    text: t,
    method,
    changed: changed.map(({ node: _n, ...c }) => c),
  });
  if (changed.length === 0) return result(text, 'unchanged');

  const lines = new Set(changed.map((c) => c.line));
  const opts = CANDIDATES.find((o) => render(docs, o) === text);
  if (opts) {
    for (const c of changed) c.node.value = c.to;
    const out = render(docs, opts);
    if (onlyLinesDiffer(text, out, lines)) return result(out, 'document');
  }
  // Splice from the end so earlier offsets stay valid.
  let out = text;
  for (const c of [...changed].sort((a, b) => b.node.range![0] - a.node.range![0])) {
    const [start, end] = c.node.range!;
    out = out.slice(0, start) + scalarSource(c.node, c.to) + out.slice(end);
  }
  return result(out, 'splice');
}
