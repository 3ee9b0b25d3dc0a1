// What every consumer of findings shares: one order (the report's, which every renderer and notifier
// keeps) and one wording of an audit's gaps (the report's audit/incomplete finding, the CLI's and the
// Lambda's failure messages).
import type { Finding, Gap, Policy } from './types.js';
import { SEVERITIES } from './types.js';

/** Orders findings by severity, namespace, DaemonSet, rule, node, container, then message. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareStrings(a.namespace, b.namespace) ||
    compareStrings(a.daemonSet, b.daemonSet) ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.node ?? '', b.node ?? '') ||
    compareStrings(a.container ?? '', b.container ?? '') ||
    compareStrings(a.message, b.message)
  );
}

/** Orders strings by UTF-16 code units, as `sort()` does, independent of the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Returns the gaps as one line: `source: message; source: message`. */
export function describeGaps(gaps: readonly Gap[]): string {
  return gaps.map((g) => `${g.source}: ${g.message}`).join('; ');
}

/** The rule every incomplete audit or check carries; it bypasses enabling and waivers (fail closed). */
export const INCOMPLETE_RULE = 'audit/incomplete';

/**
 * Returns the `audit/incomplete` finding for `gaps` (fail closed: it bypasses enabling and waivers), worded by
 * the caller: `what` could not read everything, `consequence` says what that means for the findings.
 */
export function incompleteFinding(gaps: Gap[], policy: Policy, wording: { what: string; consequence: string; expected: string }): Finding {
  const rule = policy.rules.find((r) => r.id === INCOMPLETE_RULE);
  return {
    rule: INCOMPLETE_RULE,
    severity: rule?.severity ?? 'critical',
    namespace: '',
    daemonSet: '',
    node: null,
    message: `${wording.what} (${gaps.length} gap${gaps.length === 1 ? '' : 's'}): ${describeGaps(gaps)}; ${wording.consequence}`,
    expected: wording.expected,
    actual: gaps,
  };
}
