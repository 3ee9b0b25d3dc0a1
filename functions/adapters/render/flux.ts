// Flux semantics the renderer reproduces, as pure functions over objects: which objects are Flux's,
// release names, and postBuild variable substitution.
import type { EntryPoint } from '../../core/types.js';

/** A Kubernetes object as read from YAML. */
export type K8sObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
};

export const FLUX_SOURCE_KINDS = new Set(['GitRepository', 'HelmRepository', 'OCIRepository', 'HelmChart', 'Bucket']);

/** Returns 'kustomization' | 'helmrelease' | 'source' for a Flux object, else null. */
export function fluxRole(o: K8sObject): 'kustomization' | 'helmrelease' | 'source' | null {
  const group = (o.apiVersion ?? '').split('/')[0];
  if (group === 'kustomize.toolkit.fluxcd.io' && o.kind === 'Kustomization') return 'kustomization';
  if (group === 'helm.toolkit.fluxcd.io' && o.kind === 'HelmRelease') return 'helmrelease';
  if (group === 'source.toolkit.fluxcd.io' && FLUX_SOURCE_KINDS.has(o.kind ?? '')) return 'source';
  return null;
}

/**
 * Returns a HelmRelease's release name as helm-controller computes it: `spec.releaseName`, else
 * `<targetNamespace>-<name>` when a targetNamespace is set, else `<name>` (fluxcd/helm-controller
 * api/v2 HelmRelease.GetReleaseName; names longer than 53 characters are shortened with a hash there,
 * which is not reproduced: such a release is named as is).
 */
export function fluxReleaseName(hr: K8sObject): string {
  const spec = hr.spec ?? {};
  if (typeof spec.releaseName === 'string' && spec.releaseName) return spec.releaseName;
  const name = hr.metadata?.name ?? '';
  if (typeof spec.targetNamespace === 'string' && spec.targetNamespace) return `${spec.targetNamespace}-${name}`;
  return name;
}

/** Returns `{ kind, namespace, name }` of a Flux object, the namespace defaulting to flux-system. */
export function fluxEntryPoint(o: K8sObject, file: string): EntryPoint {
  return {
    kind: o.kind === 'HelmRelease' ? 'HelmRelease' : 'Kustomization',
    name: o.metadata?.name ?? '',
    namespace: o.metadata?.namespace ?? 'flux-system',
    file,
  };
}

/**
 * Returns `text` with Flux's postBuild substitution applied (fluxcd/pkg envsubst, strict mode off):
 * `${VAR}` is replaced by its value (empty when unset), `${VAR:=default}` and `${VAR:-default}` by the
 * value or the default, `$${VAR}` is an escape for a literal `${VAR}`, and a bare `$VAR` is left alone.
 */
export function fluxSubstitute(text: string, vars: Record<string, string>): string {
  return text.replace(
    /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[=-])((?:[^{}]|\{[^{}]*\})*))?\}/g,
    (whole, escape: string, name: string, op: string | undefined, def: string | undefined) => {
      if (escape) return whole.slice(1);
      const v = vars[name];
      if (op === undefined) return v ?? '';
      const useDefault = op.startsWith(':') ? !v : v === undefined;
      return useDefault ? (def ?? '') : v!;
    },
  );
}

/** True when the object opts out of substitution (`kustomize.toolkit.fluxcd.io/substitute: disabled`). */
export function substitutionDisabled(o: K8sObject): boolean {
  const key = 'kustomize.toolkit.fluxcd.io/substitute';
  return o.metadata?.annotations?.[key] === 'disabled' || o.metadata?.labels?.[key] === 'disabled';
}
