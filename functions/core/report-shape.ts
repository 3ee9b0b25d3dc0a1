// The shape of a stored report (schemaVersion 1, docs/report.schema.json) as the programs that read one
// back rely on it: notify, `reports`, the evidence packs. A report is read from a file or a bucket that
// someone else may have written, so every field those programs touch is checked before any is used, and
// the first wrong one is named (`coverage[0] must be an object, not number 1`). Fields a newer auditor
// adds pass through unchecked. Pure.
import { z } from 'zod';
import { formatPath, type ShapeProblem } from './object-shape.js';
import type { Report } from './types.js';

const count = z.number().int().nonnegative();
const severity = z.enum(['critical', 'warning', 'info']);
const gap = z.object({ source: z.string(), message: z.string() }).passthrough();
const finding = z
  .object({
    rule: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must be a rule id such as coverage/missing'),
    severity,
    namespace: z.string(),
    daemonSet: z.string(),
    node: z.string().nullable(),
    message: z.string(),
    container: z.string().optional(),
    path: z.string().optional(),
    file: z.string().optional(),
    line: z.number().int().positive().optional(),
    changedBy: z.object({ manager: z.string(), operation: z.string(), time: z.string().optional() }).passthrough().optional(),
    waiver: z.object({ reason: z.string(), owner: z.string(), expires: z.string(), gitFollowsCluster: z.boolean().optional() }).passthrough().optional(),
  })
  .passthrough();
const podState = z.enum(['running', 'unready', 'missing', 'misscheduled', 'kept', 'not-eligible']);
const coverage = z
  .object({
    namespace: z.string(),
    name: z.string(),
    inGit: z.boolean(),
    inCluster: z.boolean(),
    eligible: count,
    covered: count,
    upToDate: count,
    ready: count,
    misscheduled: count,
    reported: z
      .object({ desired: z.number().int(), current: z.number().int(), ready: z.number().int(), upToDate: z.number().int(), misscheduled: z.number().int() })
      .passthrough()
      .nullable(),
    nodes: z.record(podState),
  })
  .passthrough();
const reportSchema = z
  .object({
    schemaVersion: z.literal(1),
    cluster: z.string().min(1),
    generatedAt: z.string().datetime({ offset: true }),
    auditorVersion: z.string(),
    inputs: z
      .object({
        snapshot: z
          .object({
            kind: z.enum(['dump', 'live']),
            files: z.array(z.object({ path: z.string(), sha256: z.string() }).passthrough()).optional(),
            sha256: z.string().optional(),
            namespaces: z.array(z.string()).optional(),
            notes: z.array(z.string()).optional(),
          })
          .passthrough(),
        desired: z.object({ kind: z.string(), location: z.string() }).passthrough(),
        policy: z.object({ file: z.string().optional(), sha256: z.string().optional() }).passthrough().optional(),
      })
      .passthrough(),
    complete: z.boolean(),
    gaps: z.array(gap),
    summary: z
      .object({
        nodes: count,
        daemonSets: count,
        findings: count,
        bySeverity: z.object({ critical: count, warning: count, info: count }).passthrough(),
        waived: count,
      })
      .passthrough(),
    nodes: z.array(
      z
        .object({
          name: z.string(),
          ready: z.boolean(),
          unschedulable: z.boolean(),
          taints: z.array(z.string()),
          zone: z.string().optional(),
          nodeGroup: z.string().optional(),
          arch: z.string().optional(),
        })
        .passthrough(),
    ),
    coverage: z.array(coverage),
    findings: z.array(finding),
    waived: z.array(finding),
  })
  .passthrough();

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

const WANT: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
  integer: 'an integer',
};

/** Returns the value at `path` in `root` (for saying what was found there). */
function at(root: unknown, path: (string | number)[]): unknown {
  let v = root;
  for (const k of path) v = v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined;
  return v;
}

/**
 * Returns the first field of a parsed report that is missing or of the wrong kind (`summary must be an
 * object, not null`), or undefined when the report has the shape its readers rely on; then also checks that
 * a report saying `complete: true` records no gap (fail closed: such a report would let notify close issues).
 */
export function reportShapeProblem(value: unknown): ShapeProblem | undefined {
  const r = reportSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = issue.path;
    const found = at(value, path);
    if (issue.code === 'invalid_type') {
      return { path, message: found === undefined ? 'is missing' : `must be ${WANT[issue.expected] ?? issue.expected}, not ${typeName(found)}` };
    }
    if (issue.code === 'invalid_literal') return { path, message: `must be ${JSON.stringify(issue.expected)}, not ${typeName(found)}` };
    if (issue.code === 'invalid_enum_value') return { path, message: `must be one of ${issue.options.join(', ')}, not ${typeName(found)}` };
    if (issue.code === 'invalid_string' && issue.validation === 'datetime') return { path, message: `must be an RFC 3339 time, not ${typeName(found)}` };
    return {
      path,
      message: `${issue.message.replace(/^String must contain at least 1 character\(s\)$/, 'must not be empty').replace(/^Number must be (.*)$/, 'must be $1')}, not ${typeName(found)}`,
    };
  }
  const report = r.data as unknown as Report;
  if (report.complete && (report.gaps.length > 0 || report.findings.some((f) => f.rule === 'audit/incomplete'))) {
    return { path: ['complete'], message: 'must be false: the report records gaps (what could not be read), so it is not complete' };
  }
  return undefined;
}

/** Returns a ShapeProblem as one line: `field coverage[0] must be an object, not number 1`. */
export function formatReportProblem(p: ShapeProblem): string {
  return `field ${p.path.length ? formatPath(p.path) : '(root)'} ${p.message}`;
}
