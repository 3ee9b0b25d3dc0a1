// The one wiring of an audit run, shared by the CLI (functions/cli/) and the Lambda handlers (functions/handlers/):
//   inputs (inputs.ts, live.ts) -> runAudit (here) -> renderArtifacts (artifacts.ts) -> storeRun (store.ts) -> notifiers (notify.ts).
// Callers choose where the inputs come from and where the results go; nothing here is wired a second time.
import { audit } from '../core/audit.js';
import type { DesiredState, Policy, Report, Snapshot } from '../core/types.js';
import { sha256Hex } from '../adapters/sha256.js';
import { serializeSnapshot } from '../adapters/kubernetes/snapshot-file.js';

/** Everything one audit needs, read (inputs.ts, live.ts). */
export interface AuditInputs {
  snapshot: Snapshot;
  desired: DesiredState;
  policy: Policy;
  /** The policy file as the report names it (absent: the default policy). */
  policySource?: { file?: string; sha256?: string };
  at: Date;
  auditorVersion: string;
}

/**
 * The snapshot to keep as evidence: `none`, `redacted` (the snapshot, projected and redacted when it was read,
 * gzipped here as a live read writes it), or bytes already in that form (the Lambda's staged snapshot).
 */
export type EvidenceChoice = 'none' | 'redacted' | { bytes: Buffer };

export interface AuditRun {
  report: Report;
  /** The gzipped, redacted snapshot the report names by sha256 (`inputs.snapshot.sha256`). */
  evidence?: Buffer;
}

/**
 * Returns the report of one audit and, when asked, its evidence snapshot. The evidence is made first and its
 * sha256 handed to the core, so the report names the snapshot it was computed from: nothing edits it afterwards.
 */
export function runAudit(inputs: AuditInputs, evidence: EvidenceChoice = 'none'): AuditRun {
  const bytes = evidence === 'none' ? undefined : evidence === 'redacted' ? serializeSnapshot(inputs.snapshot) : evidence.bytes;
  const snapshot = bytes ? { ...inputs.snapshot, source: { ...inputs.snapshot.source, sha256: sha256Hex(bytes) } } : inputs.snapshot;
  const report = audit(snapshot, inputs.desired, inputs.policy, inputs.at, {
    auditorVersion: inputs.auditorVersion,
    policySource: inputs.policySource,
    hash: sha256Hex,
  });
  return bytes ? { report, evidence: bytes } : { report };
}
