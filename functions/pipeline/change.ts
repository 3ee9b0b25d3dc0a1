// The one wiring of a pull-request check, for `drift-auditor pr-check` and the GitHub Action that runs it:
//   snapshot (inputs.ts: dumps, s3:// objects, or a store's latest run) -> base and head (inputs.ts, both through
//   the audit's desired-state reader) -> policy (inputs.ts) -> compareChange (the pure core, core/change)
//   -> publishChangeCheck (a check run on the head commit plus one upserted PR comment).
import { changeAnnotations, changeCommentMarker, compareChange, renderChangeMarkdown, type ChangeReport } from '../core/change/index.js';
import { severityCounts } from '../core/render/common.js';
import { publishPullRequestCheck, type PublishOptions } from '../adapters/github-checks.js';
import { readDesired, readPolicy, readSnapshot, readStoredSnapshot, type ClusterHints, type PolicyInput, type SnapshotInput } from './inputs.js';

/** Everything a pull-request check reads, and where from. */
export interface ChangeCheckInput {
  snapshot: SnapshotInput;
  /** The manifests before and after the change: folders or `github:OWNER/REPO[@REF][:PATH]` specs. */
  base: string;
  head: string;
  policy: PolicyInput;
  at: Date;
  auditorVersion: string;
  /** Settings for the readers (GITHUB_TOKEN, GITHUB_API_URL, the renderers' tool paths). */
  env: NodeJS.ProcessEnv;
  /** The audited cluster's API server URL and labels, for Argo CD destinations and ApplicationSet cluster generators. */
  cluster?: ClusterHints;
  /** Called with the run id when the snapshot comes from an evidence store, as soon as it is read. */
  onStoredSnapshot?: (runId: string) => void;
}

/** Returns the check of what the change from base to head does to the snapshot's nodes. */
export async function runChangeCheck(input: ChangeCheckInput): Promise<ChangeReport> {
  let snapshot;
  if (input.snapshot.kind === 'stored') {
    const stored = await readStoredSnapshot(input.snapshot);
    input.onStoredSnapshot?.(stored.runId);
    snapshot = stored.snapshot;
  } else {
    snapshot = await readSnapshot(input.snapshot);
  }
  // Both sides through the audit's reader: plain files, Kustomize, Helm (rendered for the snapshot's cluster).
  const base = await readDesired({ kind: 'manifests', spec: input.base }, { env: input.env, snapshot, cluster: input.cluster });
  const head = await readDesired({ kind: 'manifests', spec: input.head }, { env: input.env, snapshot, cluster: input.cluster });
  const { policy, policySource } = await readPolicy(input.policy);
  return compareChange(snapshot, base, head, policy, input.at, { auditorVersion: input.auditorVersion, ...(policySource ? { policySource } : {}) });
}

/** Settings tests inject (GitHub throttling and retries off); production passes none. */
export type PublishOverrides = Pick<PublishOptions, 'throttle' | 'retries'>;

/**
 * Publishes the check run on the pull request's head commit (annotations on the head's manifest lines, failed
 * unless `passed`) and upserts the one PR comment; returns what it did, for the caller's message.
 */
export function publishChangeCheck(
  report: ChangeReport,
  passed: boolean,
  env: NodeJS.ProcessEnv,
  overrides: PublishOverrides = {},
): ReturnType<typeof publishPullRequestCheck> {
  const body = renderChangeMarkdown(report);
  return publishPullRequestCheck({
    env,
    ...overrides,
    check: {
      name: `drift-auditor pr-check (${report.cluster})`,
      conclusion: passed ? 'success' : 'failure',
      title: !report.complete
        ? 'INCOMPLETE: could not read or render everything'
        : `${report.summary.lost} lost, ${report.summary.gained} gained node placements (${severityCounts(report.summary.bySeverity)})`,
      summary: body,
      // The desired-state reader names files by their repository path, which is what annotations need.
      annotations: changeAnnotations(report),
    },
    comment: { marker: changeCommentMarker(report.cluster), body },
  });
}
