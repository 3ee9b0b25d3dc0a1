// Pull requests where Git should follow the cluster: `image/drift` findings waived with
// `gitFollowsCluster` (an image hot-fixed in the cluster on purpose) become one PR per (cluster,
// DaemonSet) that writes the cluster's image into the manifest. Pure: subjects, branch, body, and
// the decision create / update / respect-closed from the PRs already on GitHub for that branch.
import { escapeMarkdown } from '../render/escape.js';
import type { Finding, Report, Waiver } from '../types.js';
import { plainTitle, reportLink } from './body.js';
import { formatPullMarker, parsePullMarker } from './marker.js';
import { sha256Hex } from './sha256.js';

export interface PullSubject {
  cluster: string;
  namespace: string;
  name: string;
  /** `namespace/name`. */
  daemonSet: string;
  /** Manifest file (repository-relative) from the findings. */
  file: string;
  /** The images Git should get, one per container, sorted by container. */
  images: { container: string; from: string; to: string }[];
  waiver: Pick<Waiver, 'reason' | 'owner' | 'expires'>;
  /** Nodes running the DaemonSet's pods (coverage `covered`), and eligible nodes. */
  nodes: { covered: number; eligible: number } | null;
  branch: string;
  /** sha256 of the sorted `container=image` targets (a closed PR for the same targets is respected). */
  imagesHash: string;
}

export interface SkippedPull {
  daemonSet: string;
  reason: string;
}

/** A PR as listed from GitHub for the subject's branch. */
export interface ExistingPull {
  number: number;
  state: 'open' | 'closed';
  merged: boolean;
  body: string;
  html_url?: string;
}

export type PullDecision = { kind: 'create' } | { kind: 'update'; number: number } | { kind: 'none'; number: number; reason: string };

/** Returns a git-ref-safe slug: lowercase `[a-z0-9._-]`, no `..`, no leading/trailing dot or dash. */
function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/\.{2,}/g, '.')
      .replace(/^[.-]+|[.-]+$/g, '')
      .slice(0, 60) || 'x'
  );
}

/** Returns the branch for a subject: `drift-auditor/<cluster>/<namespace>-<name>`. */
export function pullBranch(cluster: string, namespace: string, name: string): string {
  return `drift-auditor/${slug(cluster)}/${slug(namespace)}-${slug(name)}`;
}

function followsCluster(f: Finding): boolean {
  return f.rule === 'image/drift' && f.waiver?.gitFollowsCluster === true;
}

/** Returns the PR subjects of a report, and the findings that qualify but cannot make a PR (and why). */
export function selectPullSubjects(report: Report): { subjects: PullSubject[]; skipped: SkippedPull[] } {
  const groups = new Map<string, Finding[]>();
  for (const f of [...report.waived, ...report.findings].filter(followsCluster)) {
    const ds = `${f.namespace}/${f.daemonSet}`;
    groups.set(ds, [...(groups.get(ds) ?? []), f]);
  }
  const subjects: PullSubject[] = [];
  const skipped: SkippedPull[] = [];
  for (const ds of [...groups.keys()].sort()) {
    const fs = groups.get(ds)!;
    const file = fs.find((f) => f.file)?.file;
    const usable = fs.filter((f) => f.container && typeof f.actual === 'string' && f.actual !== '');
    if (!file) {
      skipped.push({ daemonSet: ds, reason: 'the findings name no manifest file' });
      continue;
    }
    if (usable.length === 0) {
      skipped.push({ daemonSet: ds, reason: 'no container with a cluster image (a container exists on one side only)' });
      continue;
    }
    const byContainer = new Map(
      usable.map((f) => [f.container!, { container: f.container!, from: typeof f.expected === 'string' ? f.expected : '', to: f.actual as string }]),
    );
    const images = [...byContainer.values()].sort((a, b) => (a.container < b.container ? -1 : 1));
    const first = fs[0]!;
    const cov = report.coverage.find((c) => c.namespace === first.namespace && c.name === first.daemonSet);
    subjects.push({
      cluster: report.cluster,
      namespace: first.namespace,
      name: first.daemonSet,
      daemonSet: ds,
      file,
      images,
      waiver: { reason: first.waiver!.reason, owner: first.waiver!.owner, expires: first.waiver!.expires },
      nodes: cov ? { covered: cov.covered, eligible: cov.eligible } : null,
      branch: pullBranch(report.cluster, first.namespace, first.daemonSet),
      imagesHash: sha256Hex(images.map((i) => `${i.container}=${i.to}`).join('\n')),
    });
  }
  return { subjects, skipped };
}

/**
 * Returns what to do given the PRs on the subject's branch: update the open one; respect a merged or
 * closed one for the same target images (never reopen or recreate it); otherwise create.
 */
export function decidePull(subject: PullSubject, pulls: readonly ExistingPull[]): PullDecision {
  const ours = pulls.filter((p) => {
    const m = parsePullMarker(p.body);
    return m && m.cluster === subject.cluster && m.daemonSet === subject.daemonSet;
  });
  const open = ours.filter((p) => p.state === 'open').sort((a, b) => a.number - b.number)[0];
  if (open) return { kind: 'update', number: open.number };
  const done = ours.find((p) => parsePullMarker(p.body)!.images === subject.imagesHash);
  if (done) return { kind: 'none', number: done.number, reason: done.merged ? 'merged for these images' : 'closed for these images: respected' };
  return { kind: 'create' };
}

/** Returns the PR title. */
export function pullTitle(subject: PullSubject): string {
  return plainTitle(`Follow the cluster: ${subject.daemonSet} image${subject.images.length > 1 ? 's' : ''} on ${subject.cluster}`);
}

function digestOf(image: string): string | null {
  return /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1] ?? null;
}

/** Returns the PR body: marker, the evidence (cluster, nodes, images, digests, waiver) and the link. */
export function pullBody(subject: PullSubject, report: Report, opts: { reportUrl?: string; commit?: string } = {}): string {
  const esc = escapeMarkdown;
  const rows = subject.images.map(
    (i) => `| ${esc(i.container)} | ${i.from ? esc(i.from) : '—'} | ${esc(i.to)} | ${digestOf(i.to) ? esc(digestOf(i.to)) : 'not pinned (tag)'} |`,
  );
  const nodes = subject.nodes
    ? `${subject.nodes.covered} of ${subject.nodes.eligible} eligible nodes run the DaemonSet's pods`
    : 'node count not in the report';
  const link = reportLink(opts.reportUrl);
  return [
    formatPullMarker({ cluster: subject.cluster, daemonSet: subject.daemonSet, images: subject.imagesHash }),
    `### Git follows the cluster for DaemonSet ${esc(subject.daemonSet)}`,
    '',
    `The live DaemonSet in cluster **${esc(subject.cluster)}** runs images that differ from Git, and the policy says Git should follow the cluster here (a waiver with \`gitFollowsCluster\`). This PR writes the cluster's images into ${esc(subject.file)}, changing only the image lines.`,
    '',
    '| Container | Git | Cluster | Digest |',
    '|---|---|---|---|',
    ...rows,
    '',
    `- Evidence: the audit of ${esc(report.generatedAt)}${report.complete ? '' : ' (incomplete)'}; ${nodes}.`,
    `- Waiver: ${esc(subject.waiver.reason)} (owner ${esc(subject.waiver.owner)}, expires ${esc(subject.waiver.expires)}).`,
    ...(opts.commit ? [`- Manifests read at commit ${esc(opts.commit)}.`] : []),
    ...(link ? ['', link] : []),
    '',
    '<sub>drift-auditor updates this PR when the cluster changes again; a merged or closed PR for the same images is never reopened or recreated.</sub>',
  ].join('\n');
}
