// Rule files: rules/<category>/<name>.yaml declares one rule (id, title, default severity,
// description, remediation, parameters). Parsing is pure and strict, so a bad rule fails when
// rules load (in CI), never halfway through an audit.
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { PolicyError } from './errors.js';
import type { RuleDefinition } from './types.js';

/** The schema of one rule file; unknown keys are rejected. */
export const RuleFile = z.object({
  id: z.string().regex(/^[a-z0-9-]+\/[a-z0-9-]+$/, 'must look like "<category>/<name>" in lowercase kebab-case'),
  title: z.string().min(1),
  severity: z.enum(['critical', 'warning', 'info']),
  description: z.string().min(1),
  remediation: z.string().min(1),
  enabled: z.boolean().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
}).strict();

/** Returns the rule id a rule file's path implies: its last two path segments without extension. */
export function ruleIdFromPath(path: string): string {
  const parts = path.replace(/\\/g, '/').replace(/\.ya?ml$/, '').split('/').filter(Boolean);
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
  return issues.map((i) => {
    const key = i.code === 'unrecognized_keys' ? i.keys[0] : undefined;
    const line = lineOf(doc, lc, i.path, key);
    const field = [...i.path, ...(key !== undefined ? [key] : [])].join('.') || '(document)';
    const message = i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}` : i.message;
    return `${line !== undefined ? `line ${line}: ` : ''}${field}: ${message}`;
  }).join('; ');
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
  const parsed = RuleFile.safeParse(value);
  if (!parsed.success) throw new PolicyError(`failed to load rule file ${path}: ${describeIssues(parsed.error.issues, doc, lc)}`);
  const expected = ruleIdFromPath(path);
  if (parsed.data.id !== expected) {
    throw new PolicyError(`failed to load rule file ${path}: line ${lineOf(doc, lc, ['id'])}: id: '${parsed.data.id}' must equal the file path '${expected}'`);
  }
  return parsed.data;
}
