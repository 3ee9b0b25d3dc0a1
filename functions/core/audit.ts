// The pure core: audit(snapshot, desired, policy, at) -> report. No I/O, no clock, no env.
// A reader can follow one run from here: eligibility per (node, DaemonSet), pod ownership,
// the checks of every enabled rule, then policy (severity overrides, waivers), then the report.
import type { DesiredState, Policy, Report, Snapshot } from './types.js';

export interface AuditOptions {
  auditorVersion?: string;
  policySource?: { file?: string; sha256?: string };
}

/** Returns the audit report for one cluster snapshot against the desired state and policy. */
export function audit(_snapshot: Snapshot, _desired: DesiredState, _policy: Policy, _at: Date, _options: AuditOptions = {}): Report {
  throw new Error('not implemented yet');
}
