// findings.csv for auditors' spreadsheets: RFC 4180 (CRLF, quoted fields, doubled quotes), one row
// per finding (active first, worst first, then waived), and no formula injection: a cell that a
// spreadsheet would evaluate (=, +, -, @ at the start, also after spaces, or a leading tab, CR or LF)
// gets a leading apostrophe. Cells are redacted and show bidi and control characters as `<U+XXXX>`.
import type { Finding, Report } from '../types.js';
import { displayValue, sortFindings } from './common.js';
import { plainText } from './escape.js';

const COLUMNS = [
  'status',
  'severity',
  'rule',
  'namespace',
  'daemonSet',
  'node',
  'container',
  'message',
  'expected',
  'actual',
  'path',
  'file',
  'line',
  'waiverReason',
  'waiverOwner',
  'waiverExpires',
] as const;

/** Returns the report's findings (and waived findings) as RFC 4180 CSV with a header row. */
export function renderCsv(report: Report): string {
  const rows = [...sortFindings(report.findings).map((f) => row('active', f)), ...sortFindings(report.waived).map((f) => row('waived', f))];
  return [[...COLUMNS], ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function row(status: 'active' | 'waived', f: Finding): string[] {
  return [
    status,
    f.severity,
    f.rule,
    f.namespace,
    f.daemonSet,
    f.node ?? '',
    f.container ?? '',
    f.message,
    displayValue(f.expected),
    displayValue(f.actual),
    f.path ?? '',
    f.file ?? '',
    f.line === undefined ? '' : String(f.line),
    f.waiver?.reason ?? '',
    f.waiver?.owner ?? '',
    f.waiver?.expires ?? '',
  ];
}

/** Returns one CSV field: formula-neutralised, then quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  const text = plainText(value);
  // Spreadsheets trim leading whitespace (spaces, no-break spaces, tabs, line breaks) before they look for a formula.
  const safe = /^[\s\u00a0]*[=+\-@]|^[\t\r\n]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
