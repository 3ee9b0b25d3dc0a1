// Applies the user's policy to raw findings: severity overrides, then waivers (expired waivers stop
// hiding findings and are reported as policy/waiver-expired).
import type { Finding, Policy, Severity, Waiver } from '../types.js';
import { matchesGlob, parseExpiry, UNWAIVABLE_RULES } from './parse.js';

/** The rule an expired waiver that still matches findings is reported under. */
export const WAIVER_EXPIRED_RULE = 'policy/waiver-expired';

/** Returns whether a waiver covers a finding (rule, `namespace/name` glob, node glob), ignoring its expiry. */
export function waiverMatches(w: Pick<Waiver, 'rule' | 'daemonSet' | 'node'>, f: Finding): boolean {
  if (UNWAIVABLE_RULES.includes(f.rule)) return false;
  if (!matchesGlob(w.rule, f.rule)) return false;
  if (!matchesGlob(w.daemonSet, `${f.namespace}/${f.daemonSet}`)) return false;
  if (w.node !== undefined && (f.node === null || !matchesGlob(w.node, f.node))) return false;
  return true;
}

/** Returns the severity the policy gives a finding: the last matching override (rule-level ones come first), else its own. */
export function severityFor(f: Finding, policy: Policy): Severity {
  if (UNWAIVABLE_RULES.includes(f.rule)) return f.severity;
  let s = f.severity;
  for (const o of policy.severityOverrides) {
    if (!matchesGlob(o.rule, f.rule)) continue;
    if (o.daemonSet !== undefined && !matchesGlob(o.daemonSet, `${f.namespace}/${f.daemonSet}`)) continue;
    s = o.severity;
  }
  return s;
}

/** Returns the findings that remain and those that a live waiver hides. */
export function applyPolicy(findings: Finding[], policy: Policy, at: Date): { findings: Finding[]; waived: Finding[] } {
  const disabled = new Set(policy.rules.filter((r) => r.enabled === false).map((r) => r.id));
  const waivers = policy.waivers.map((w) => {
    const until = parseExpiry(w.expires);
    // An unparseable expiry (a hand-built Policy) counts as expired: fail closed, never hide.
    return { w, live: until !== null && at.getTime() < until.getTime() };
  });
  const kept: Finding[] = [];
  const waived: Finding[] = [];
  // Expired waivers that matched something, per DaemonSet, in first-match order.
  const expired = new Map<Waiver, Map<string, { namespace: string; daemonSet: string; count: number }>>();

  for (const raw of findings) {
    if (disabled.has(raw.rule) && !UNWAIVABLE_RULES.includes(raw.rule)) continue;
    const f: Finding = { ...raw, severity: severityFor(raw, policy) };
    const live = waivers.find((x) => x.live && waiverMatches(x.w, f));
    if (live) {
      const { reason, owner, expires, gitFollowsCluster } = live.w;
      waived.push({ ...f, waiver: { reason, owner, expires, ...(gitFollowsCluster ? { gitFollowsCluster } : {}) } });
      continue;
    }
    kept.push(f);
    for (const x of waivers) {
      if (x.live || !waiverMatches(x.w, f)) continue;
      const byDs = expired.get(x.w) ?? new Map();
      expired.set(x.w, byDs);
      const key = `${f.namespace}/${f.daemonSet}`;
      const e = byDs.get(key) ?? { namespace: f.namespace, daemonSet: f.daemonSet, count: 0 };
      e.count++;
      byDs.set(key, e);
    }
  }

  const expiredRule = policy.rules.find((r) => r.id === WAIVER_EXPIRED_RULE);
  if (expiredRule && expiredRule.enabled !== false) {
    for (const [w, byDs] of expired) {
      for (const e of byDs.values()) {
        const f: Finding = {
          rule: WAIVER_EXPIRED_RULE,
          severity: expiredRule.severity,
          namespace: e.namespace,
          daemonSet: e.daemonSet,
          node: null,
          message:
            `the waiver for ${w.rule} on ${w.daemonSet}${w.node !== undefined ? ` (nodes ${w.node})` : ''} owned by ${w.owner} expired on ${w.expires}; ` +
            `it no longer hides ${e.count} finding${e.count === 1 ? '' : 's'} (reason given: ${w.reason})`,
          // The waiver as written, so a reader can find and renew or delete it.
          expected: { rule: w.rule, daemonSet: w.daemonSet, ...(w.node !== undefined ? { node: w.node } : {}), owner: w.owner, expires: w.expires },
          actual: { unhiddenFindings: e.count },
        };
        kept.push({ ...f, severity: severityFor(f, policy) });
      }
    }
  }
  return { findings: kept, waived };
}
