// Kustomizations rendered with the real `kubectl kustomize` (kustomize v5.7.1 inside kubectl 1.35).
// Two things kubectl cannot do here are done before it runs, on a writable copy of the tree:
// - `helmCharts:` — kustomize 5.7.1's --enable-helm fails with helm 4 ("unknown shorthand flag: 'c'",
//   fixed in kustomize 5.8.1), so each chart is rendered by helm itself and the kustomization is
//   rewritten to list that output as a resource, as the inflator would have produced it;
// - Argo CD's `spec.source.kustomize` overrides (images, namePrefix, nameSuffix, commonLabels,
//   commonAnnotations, patches), which Argo CD applies with `kustomize edit` on the app's own
//   kustomization before building (reposerver/repository: kustomize.Build in util/kustomize/kustomize.go).
import { access, readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parseDocument, type Document } from 'yaml';
import { runTool } from './exec.js';
import type { Capabilities } from './helm.js';

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Returns the kustomization file name in `dir` (absolute), or null. */
export async function findKustomizationFile(dir: string): Promise<string | null> {
  for (const n of KUSTOMIZATION_NAMES) {
    if (
      await access(join(dir, n)).then(
        () => true,
        () => false,
      )
    )
      return n;
  }
  return null;
}

/** Returns the YAML `kubectl kustomize DIR` prints; rejects with RenderError (kustomize's message). */
export function renderKustomization(kubectl: string, dir: string, timeoutMs?: number): Promise<string> {
  return runTool(kubectl, ['kustomize', dir], { timeoutMs });
}

/** Argo CD's `spec.source.kustomize` overrides. */
export interface KustomizeEdits {
  images?: string[];
  namePrefix?: string;
  nameSuffix?: string;
  namespace?: string;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  patches?: unknown[];
}

/** Returns a kustomize `images:` entry for an Argo CD image override (`[name=]newName[:tag][@digest]`, as `kustomize edit set image`). */
export function parseImageOverride(spec: string): { name: string; newName?: string; newTag?: string; digest?: string } {
  const eq = spec.indexOf('=');
  const name0 = eq >= 0 ? spec.slice(0, eq) : undefined;
  let rest = eq >= 0 ? spec.slice(eq + 1) : spec;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const name = name0 ?? rest;
  return { name, ...(name0 !== undefined && rest !== name0 ? { newName: rest } : {}), ...(tag ? { newTag: tag } : {}), ...(digest ? { digest } : {}) };
}

/** Returns the kustomization text with Argo CD's overrides applied as `kustomize edit` would: set replaces, labels merge. */
export function applyKustomizeEdits(text: string, edits: KustomizeEdits): string {
  const doc = parseDocument(text);
  const obj = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (edits.images?.length) {
    const images = (Array.isArray(obj.images) ? obj.images : []) as { name: string }[];
    for (const spec of edits.images) {
      const img = parseImageOverride(spec);
      const i = images.findIndex((x) => x?.name === img.name);
      if (i >= 0) images[i] = img;
      else images.push(img);
    }
    obj.images = images;
  }
  if (edits.namePrefix !== undefined) obj.namePrefix = edits.namePrefix;
  if (edits.nameSuffix !== undefined) obj.nameSuffix = edits.nameSuffix;
  if (edits.namespace) obj.namespace = edits.namespace;
  if (edits.commonLabels) obj.commonLabels = { ...((obj.commonLabels as object) ?? {}), ...edits.commonLabels };
  if (edits.commonAnnotations) obj.commonAnnotations = { ...((obj.commonAnnotations as object) ?? {}), ...edits.commonAnnotations };
  if (edits.patches?.length) obj.patches = [...(Array.isArray(obj.patches) ? obj.patches : []), ...edits.patches];
  return stringify(doc, obj);
}

function stringify(doc: Document, obj: unknown): string {
  doc.contents = doc.createNode(obj) as typeof doc.contents;
  return doc.toString();
}

/** One `helmCharts:` entry of a kustomization (kustomize's HelmChart type). */
export interface KustomizeHelmChart {
  name: string;
  repo?: string;
  version?: string;
  releaseName?: string;
  namespace?: string;
  valuesFile?: string;
  valuesInline?: Record<string, unknown>;
  additionalValuesFiles?: string[];
  includeCRDs?: boolean;
  skipTests?: boolean;
  apiVersions?: string[];
  kubeVersion?: string;
}

/** Renders one helmCharts entry: given the chart folder and absolute value files; returns helm's YAML. */
export type InflateChart = (chart: KustomizeHelmChart, kustomizationDir: string, capabilities?: Capabilities) => Promise<string>;

/**
 * Rewrites, in a writable tree, the kustomization in `dir` and every local base it reaches so that each
 * `helmCharts:` entry becomes a resource file holding helm's output. Returns the charts inflated.
 */
export async function inflateHelmCharts(dir: string, inflate: InflateChart, seen = new Set<string>()): Promise<KustomizeHelmChart[]> {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const name = await findKustomizationFile(dir);
  if (!name) return [];
  const file = join(dir, name);
  const doc = parseDocument(await readFile(file, 'utf8'));
  const obj = (doc.toJS() ?? {}) as Record<string, unknown>;
  const inflated: KustomizeHelmChart[] = [];
  for (const ref of [obj.resources, obj.bases, obj.components].flatMap((v) => (Array.isArray(v) ? v : []))) {
    if (typeof ref !== 'string' || /^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^(github\.com|git@)/.test(ref)) continue;
    inflated.push(...(await inflateHelmCharts(posix.join(dir, ref), inflate, seen)));
  }
  const charts = Array.isArray(obj.helmCharts) ? (obj.helmCharts as KustomizeHelmChart[]) : [];
  if (!charts.length) return inflated;
  const resources = Array.isArray(obj.resources) ? (obj.resources as unknown[]) : [];
  for (let i = 0; i < charts.length; i++) {
    const out = `.drift-auditor-helm-${i}.yaml`;
    await writeFile(join(dir, out), await inflate(charts[i]!, dir));
    resources.push(out);
  }
  delete obj.helmCharts;
  delete obj.helmGlobals;
  obj.resources = resources;
  await writeFile(file, stringify(doc, obj));
  return [...inflated, ...charts];
}

/** Returns true when the kustomization text declares `helmCharts:`. */
export function declaresHelmCharts(text: string): boolean {
  return /^helmCharts\s*:/m.test(text);
}
