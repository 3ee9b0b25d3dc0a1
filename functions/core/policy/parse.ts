// The policy file (`--rules FILE`): what the user requires (coverage), waives, overrides and which
// namespaces are in scope. Parsing is pure and strict: unknown keys, wrong types, bad dates, invalid
// selectors and unknown rule ids fail with a PolicyError naming the file, line and field.
import { LineCounter, parseDocument } from 'yaml';
import { nearest as nearestWord } from '../nearest.js';
import { z } from 'zod';
import { PolicyError } from '../errors.js';
import { checkNamed } from '../checks/index.js';
import { describeIssues, parameterIssues } from '../rules.js';
import { labelKeyError, labelValueError } from '../scheduling/labels.js';
import { matchesGlob } from './glob.js';
import type { Policy, RuleDefinition, SeverityOverride } from '../types.js';

/** Rules whose findings cannot be disabled, overridden or waived: an incomplete audit is never hidden. */
export const UNWAIVABLE_RULES: readonly string[] = ['audit/incomplete'];

/** The default thresholds when a policy names none. */
export const DEFAULT_THRESHOLDS: Policy['thresholds'] = { unreadyGraceSeconds: 300, rolloutStuckSeconds: 1800 };

const Severity = z.enum(['critical', 'warning', 'info']);
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** `namespace/name` where either part may use `*` globs. */
const DS_PATTERN = /^[a-z0-9*]([-a-z0-9.*]*[a-z0-9*])?\/[a-z0-9*]([-a-z0-9.*]*[a-z0-9*])?$/;
const DS_KEY = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Returns the instant an ISO date (`YYYY-MM-DD`, midnight UTC) or RFC 3339 timestamp names, or null when it is not a real date. */
export function parseExpiry(s: string): Date | null {
  const m = DATE_ONLY.exec(s) ?? RFC3339.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Reject 2027-02-30 and friends: Date would silently roll them over.
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60)) return null;
  const t = new Date(m[4] === undefined ? `${s}T00:00:00Z` : s);
  return Number.isNaN(t.getTime()) ? null : t;
}

const labelKey = z.string().superRefine((k, ctx) => {
  const e = labelKeyError(k);
  if (e) ctx.addIssue({ code: z.ZodIssueCode.custom, message: e });
});
const labelValue = z.string().superRefine((v, ctx) => {
  const e = labelValueError(v);
  if (e) ctx.addIssue({ code: z.ZodIssueCode.custom, message: e });
});

const NodeSelector = z
  .object({
    matchLabels: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
    matchExpressions: z
      .array(
        z
          .object({
            key: labelKey,
            operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], {
              errorMap: () => ({ message: 'operator must be one of In, NotIn, Exists, DoesNotExist' }),
            }),
            values: z.array(labelValue).optional(),
          })
          .strict()
          .superRefine((e, ctx) => {
            const n = e.values?.length ?? 0;
            if ((e.operator === 'In' || e.operator === 'NotIn') && n === 0)
              ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['values'], message: `'${e.operator}' needs at least one value` });
            if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && n > 0)
              ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['values'], message: `'${e.operator}' takes no values` });
          }),
      )
      .optional(),
  })
  .strict()
  .superRefine((sel, ctx) => {
    for (const [k, v] of Object.entries(sel.matchLabels ?? {})) {
      const e = labelKeyError(k) ?? labelValueError(v);
      if (e) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['matchLabels', k], message: e });
    }
  });

const expiry = z.union([z.string(), z.date()]).transform((v, ctx) => {
  // A YAML 1.1 timestamp may arrive as a Date; keep the ISO text either way.
  const s = v instanceof Date ? v.toISOString() : v;
  if (parseExpiry(s) === null) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: `'${s}' is not a date: use YYYY-MM-DD or an RFC 3339 timestamp` });
    return z.NEVER;
  }
  return s;
});

/** The schema of a policy file; unknown keys are rejected everywhere. */
export const PolicyFile = z
  .object({
    apiVersion: z.literal('drift-auditor.io/v1'),
    kind: z.literal('Policy'),
    namespaces: z.array(z.string().regex(DNS1123_LABEL, 'must be a namespace name (RFC 1123 label)')).nullish(),
    rules: z
      .record(
        z.string(),
        z
          .object({
            enabled: z.boolean().optional(),
            severity: Severity.optional(),
            parameters: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .nullish(),
    severityOverrides: z
      .array(
        z
          .object({
            rule: z.string(),
            daemonSet: z.string().regex(DS_PATTERN, 'must be namespace/name (globs * allowed)').optional(),
            severity: Severity,
          })
          .strict(),
      )
      .nullish(),
    requiredCoverage: z
      .array(
        z
          .object({
            name: z.string().min(1).optional(),
            nodeSelector: NodeSelector,
            taints: z
              .array(
                z
                  .object({
                    key: labelKey,
                    value: z.string().optional(),
                    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
                  })
                  .strict(),
              )
              .optional(),
            daemonSets: z.array(z.string().regex(DS_KEY, 'must be namespace/name')).min(1),
          })
          .strict(),
      )
      .nullish(),
    waivers: z
      .array(
        z
          .object({
            rule: z.string(),
            daemonSet: z.string().regex(DS_PATTERN, 'must be namespace/name (globs * allowed)'),
            node: z.string().min(1).optional(),
            reason: z.string().min(1),
            owner: z.string().min(1),
            expires: expiry,
            gitFollowsCluster: z.boolean().optional(),
          })
          .strict(),
      )
      .nullish(),
    thresholds: z
      .object({
        unreadyGraceSeconds: z.number().int().nonnegative().optional(),
        rolloutStuckSeconds: z.number().int().nonnegative().optional(),
      })
      .strict()
      .nullish(),
  })
  .strict();

export { matchesGlob } from './glob.js';

/** Returns the validated policy; throws PolicyError naming file, line and field. `catalog` is the rule catalog from rules/. */
export function parsePolicy(text: string, file: string, catalog: RuleDefinition[]): Policy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new PolicyError(`failed to load policy ${file}: line ${lc.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`, { cause: e });
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 }) ?? {};
  const ids = new Set(catalog.map((r) => r.id));
  const ruleRef = (pattern: string): string | null => {
    if (pattern.includes('*')) return catalog.some((r) => matchesGlob(pattern, r.id)) ? null : `'${pattern}' matches no rule`;
    return ids.has(pattern) ? null : `unknown rule '${pattern}'${nearest(pattern, [...ids])}`;
  };
  const Checked = PolicyFile.superRefine((p, ctx) => {
    for (const [id, r] of Object.entries(p.rules ?? {})) {
      const e = ids.has(id) ? null : `unknown rule '${id}'${nearest(id, [...ids])}`;
      if (e) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['rules', id], message: e });
      else if (UNWAIVABLE_RULES.includes(id) && (r.enabled === false || r.severity !== undefined)) {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['rules', id],
          message: `${id} cannot be disabled or re-rated (an incomplete audit is never hidden)`,
        });
      } else if (r.parameters !== undefined) {
        // The check the rule names declares its parameters (functions/core/checks/): the same schema the rule file is checked against.
        const check = checkNamed(catalog.find((c) => c.id === id)?.check ?? id);
        for (const issue of parameterIssues(id, check?.parameters, r.parameters)) ctx.addIssue({ ...issue, path: ['rules', id, 'parameters', ...issue.path] });
      }
    }
    (p.severityOverrides ?? []).forEach((o, i) => {
      const e = ruleRef(o.rule) ?? (UNWAIVABLE_RULES.some((u) => matchesGlob(o.rule, u)) ? `${o.rule} cannot be re-rated` : null);
      if (e) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['severityOverrides', i, 'rule'], message: e });
    });
    const scope = p.namespaces ?? [];
    (p.requiredCoverage ?? []).forEach((c, i) =>
      c.daemonSets.forEach((key, j) => {
        const ns = key.split('/')[0]!;
        if (scope.length && !scope.includes(ns)) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['requiredCoverage', i, 'daemonSets', j],
            message: `namespace '${ns}' is not in namespaces (${scope.join(', ')}), so ${key} would never be audited`,
          });
        }
      }),
    );
    (p.waivers ?? []).forEach((w, i) => {
      const e = ruleRef(w.rule) ?? (UNWAIVABLE_RULES.some((u) => matchesGlob(w.rule, u)) ? `${w.rule} cannot be waived` : null);
      if (e) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['waivers', i, 'rule'], message: e });
    });
  });
  const parsed = Checked.safeParse(value);
  if (!parsed.success) throw new PolicyError(`failed to load policy ${file}: ${describeIssues(parsed.error.issues, doc, lc)}`);
  const p = parsed.data;

  const ruleSettings = p.rules ?? {};
  const rules: RuleDefinition[] = catalog.map((r) => {
    const s = ruleSettings[r.id];
    if (!s) return r;
    return {
      ...r,
      ...(s.enabled !== undefined ? { enabled: s.enabled } : {}),
      ...(s.severity ? { severity: s.severity } : {}),
      ...(s.parameters ? { parameters: { ...r.parameters, ...s.parameters } } : {}),
    };
  });
  // Rule-level severities first, so DaemonSet-specific overrides (later) win.
  const ruleLevel: SeverityOverride[] = Object.entries(ruleSettings)
    .filter(([, s]) => s.severity)
    .map(([rule, s]) => ({ rule, severity: s.severity! }));
  return {
    rules,
    namespaces: [...new Set(p.namespaces ?? [])].sort(),
    requiredCoverage: (p.requiredCoverage ?? []).map((c) => ({
      ...(c.name ? { name: c.name } : {}),
      nodeSelector: {
        ...(c.nodeSelector.matchLabels ? { matchLabels: c.nodeSelector.matchLabels } : {}),
        ...(c.nodeSelector.matchExpressions ? { matchExpressions: c.nodeSelector.matchExpressions } : {}),
      },
      ...(c.taints ? { taints: c.taints } : {}),
      daemonSets: c.daemonSets,
    })),
    severityOverrides: [...ruleLevel, ...(p.severityOverrides ?? [])],
    waivers: p.waivers ?? [],
    thresholds: { ...DEFAULT_THRESHOLDS, ...stripUndefined(p.thresholds ?? {}) },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Returns " (did you mean 'x'?)" for the closest id within edit distance 3, else "". */
function nearest(id: string, ids: string[]): string {
  const best = nearestWord(id, ids, 3);
  return best ? ` (did you mean '${best}'?)` : '';
}
