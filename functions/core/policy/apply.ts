// Applies the user's policy to raw findings: severity overrides, then waivers (expired waivers stop
// hiding findings and are reported as policy/waiver-expired).
import type { Finding, Policy } from '../types.js';

/** Returns the findings that remain and those that a live waiver hides. */
export function applyPolicy(findings: Finding[], _policy: Policy, _at: Date): { findings: Finding[]; waived: Finding[] } {
  // Placeholder until the policy module lands: nothing is overridden or waived.
  return { findings, waived: [] };
}
