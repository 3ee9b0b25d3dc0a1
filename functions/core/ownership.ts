// Which live DaemonSets an unrendered entry point owns, from the marks the GitOps controllers leave on
// the objects they apply: Argo CD's tracking annotation (`<app>:<group>/<kind>:<namespace>/<name>`,
// argo-cd util/argo/resource_tracking.go) or instance label, Flux's kustomize-controller and
// helm-controller name/namespace labels, and Helm's release-name annotation. Such a DaemonSet cannot be
// judged against Git: it is never clean and never resource/unmanaged.
import type { K8sDaemonSet } from './k8s-types.js';
import type { ManifestProblem, OwnerMarks } from './types.js';

/** True when the live DaemonSet carries any of the owner's marks. */
export function ownedBy(ds: K8sDaemonSet, owner: OwnerMarks): boolean {
  const labels = ds.metadata.labels ?? {};
  const annotations = ds.metadata.annotations ?? {};
  if (owner.argocdApp) {
    const tracking = annotations['argocd.argoproj.io/tracking-id'] ?? '';
    const app = tracking.slice(0, tracking.indexOf(':'));
    // Applications outside Argo CD's namespace are tracked as `<namespace>_<name>`.
    if (app === owner.argocdApp || app.endsWith(`_${owner.argocdApp}`) || labels['app.kubernetes.io/instance'] === owner.argocdApp) return true;
  }
  const flux = (group: string, id: string | undefined) => {
    if (!id) return false;
    const [ns, name] = id.split('/');
    return labels[`${group}/name`] === name && labels[`${group}/namespace`] === ns;
  };
  if (flux('kustomize.toolkit.fluxcd.io', owner.fluxKustomization) || flux('helm.toolkit.fluxcd.io', owner.fluxHelmRelease)) return true;
  return !!owner.helmRelease && annotations['meta.helm.sh/release-name'] === owner.helmRelease;
}

/** Returns, per live DaemonSet key (`namespace/name`), the unrendered problems whose entry point owns it. */
export function unrenderedOwners(problems: ManifestProblem[], live: K8sDaemonSet[]): Map<string, ManifestProblem[]> {
  const out = new Map<string, ManifestProblem[]>();
  const owning = problems.filter((p) => p.rule === 'manifest/unrendered' && p.owner);
  if (!owning.length) return out;
  for (const ds of live) {
    const hits = owning.filter((p) => ownedBy(ds, p.owner!));
    if (hits.length) out.set(`${ds.metadata.namespace ?? 'default'}/${ds.metadata.name}`, hits);
  }
  return out;
}
