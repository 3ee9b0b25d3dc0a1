// Rule files: rules/<category>/<name>.yaml declares one rule (id, the check that implements it,
// title, default severity, description, remediation, parameters). Parsing is pure and strict: the
// check must exist and emit this rule, and the parameters must fit the check's schema, so a bad
// rule fails when rules load (in CI), never halfway through an audit.
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { checkNamed } from './checks/index.js';
import { PolicyError } from './errors.js';
import type { Finding, ReportRule, RuleDefinition } from './types.js';

/**
 * Every rule id there is, one per file in rules/ (test/rules/catalog.test.ts keeps the two equal).
 * Checks may emit only these: a misspelt id in a check does not compile.
 */
export const RULE_IDS = [
  'audit/incomplete',
  'change/coverage-gained',
  'change/coverage-lost',
  'change/image',
  'change/required-coverage-lost',
  'change/rollout-risk',
  'change/snapshot-stale',
  'coverage/duplicate',
  'coverage/kept',
  'coverage/misscheduled',
  'coverage/missing',
  'coverage/required-missing',
  'coverage/unready',
  'image/digest-split',
  'image/drift',
  'image/outdated-pod',
  'manifest/invalid',
  'manifest/unrendered',
  'policy/waiver-expired',
  'practice/mutable-image-tag',
  'practice/no-priority-class',
  'practice/no-resource-limits',
  'practice/on-delete-strategy',
  'practice/selector-mismatch',
  'resource/missing',
  'resource/unmanaged',
  'rollout/stuck',
  'spec/drift',
] as const;

/** A rule id of the catalog. */
export type RuleId = (typeof RULE_IDS)[number];

/** Returns the path of a rule's file in the repository, the link reports give for it. */
export function ruleDocPath(id: string): string {
  return `rules/${id}.yaml`;
}

/** Returns the report's `rules` section: each rule that has a finding, sorted by id, with what to do about it. */
export function reportRules(findings: readonly Finding[], rules: readonly RuleDefinition[]): ReportRule[] {
  const ids = new Set(findings.map((f) => f.rule));
  return rules
    .filter((r) => ids.has(r.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((r) => ({ id: r.id, title: r.title, severity: r.severity, remediation: r.remediation.trim(), docs: ruleDocPath(r.id) }));
}

/** The schema of one rule file; unknown keys are rejected. */
export const RuleFile = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must look like "<category>/<name>" in lowercase kebab-case'),
    check: z.string().min(1),
    title: z.string().min(1),
    severity: z.enum(['critical', 'warning', 'info']),
    description: z.string().min(1),
    remediation: z.string().min(1),
    enabled: z.boolean().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Returns the rule id a rule file's path implies: its last two path segments without extension. */
export function ruleIdFromPath(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .replace(/\.ya?ml$/, '')
    .split('/')
    .filter(Boolean);
  return parts.slice(-2).join('/');
}

/** Returns the 1-based line of the YAML node at `path` (or of the key named by `key` in that map), if any. */
export function lineOf(doc: Document, lc: LineCounter, path: (string | number)[], key?: string): number | undefined {
  let node: unknown = path.length ? doc.getIn(path, true) : doc.contents;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
    node = pair?.key ?? node;
  } else if (node === undefined && path.length) {
    // The field is absent: point at its parent.
    return lineOf(doc, lc, path.slice(0, -1));
  }
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}

/** Formats zod issues as "line N: field: message" parts, using the YAML document for line numbers. */
export function describeIssues(issues: z.ZodIssue[], doc: Document, lc: LineCounter): string {
  return issues
    .map((i) => {
      const key = i.code === 'unrecognized_keys' ? i.keys[0] : undefined;
      const line = lineOf(doc, lc, i.path, key);
      const field = [...i.path, ...(key !== undefined ? [key] : [])].join('.') || '(document)';
      const message = i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
      return `${line !== undefined ? `line ${line}: ` : ''}${field}: ${message}`;
    })
    .join('; ');
}

/** Returns the rule defined by one rule file; throws PolicyError naming file, line and field. */
export function parseRuleFile(path: string, text: string): RuleDefinition {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const line = lc.linePos(e.pos[0]).line;
    throw new PolicyError(`failed to parse rule file ${path}: line ${line}: ${e.message.split('\n')[0]}`, { cause: e });
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  const parsed = RuleFile.superRefine((r, ctx) => {
    const check = checkNamed(r.check);
    if (!check) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['check'], message: `no check named '${r.check}' (checks live in functions/core/checks/)` });
    } else if (!(check.rules as readonly string[]).includes(r.id)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['check'], message: `check '${r.check}' emits ${check.rules.join(', ')}, not ${r.id}` });
    } else if (r.parameters !== undefined) {
      const issues = parameterIssues(r.id, check.parameters, r.parameters);
      for (const issue of issues) ctx.addIssue({ ...issue, path: ['parameters', ...issue.path] });
    }
  }).safeParse(value);
  if (!parsed.success) throw new PolicyError(`failed to load rule file ${path}: ${describeIssues(parsed.error.issues, doc, lc)}`);
  const expected = ruleIdFromPath(path);
  if (parsed.data.id !== expected) {
    throw new PolicyError(`failed to load rule file ${path}: line ${lineOf(doc, lc, ['id'])}: id: '${parsed.data.id}' must equal the file path '${expected}'`);
  }
  const schema = checkNamed(parsed.data.check)!.parameters;
  // The check's schema fills in its defaults: a loaded rule carries every parameter its check reads.
  return { ...parsed.data, ...(schema ? { parameters: schema.parse(parsed.data.parameters ?? {}) as Record<string, unknown> } : {}) };
}

/** Returns the problems with `parameters` for rule `id` under a check's schema (none: it takes no parameters). */
export function parameterIssues(id: string, schema: z.ZodTypeAny | undefined, parameters: unknown): z.ZodIssue[] {
  if (!schema) return [{ code: z.ZodIssueCode.custom, path: [], message: `${id} takes no parameters` }];
  return schema.safeParse(parameters).error?.issues ?? [];
}
