import { describe, expect, it } from 'vitest';
import { csvField, renderCsv } from '../../../functions/core/render/csv.js';
import { finding, reportOf } from '../../support/report-builder.js';

/** A strict RFC 4180 parser, to read the output back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [],
    field = '',
    i = 0,
    quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
      continue;
    }
    if (c === ',') {
      row.push(field);
      field = '';
      i++;
      continue;
    }
    if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
      continue;
    }
    if (c === '\r' || c === '\n' || c === '"') throw new Error(`bare ${JSON.stringify(c)} at ${i}`);
    field += c;
    i++;
  }
  if (field !== '' || row.length) throw new Error('missing final CRLF');
  return rows;
}

describe('csvField()', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', '"\'\rcmd"'],
    ['a=b', 'a=b'],
    ['\n=1+2', '"\'\n=1+2"'],
    ['  =1+2', "'  =1+2"],
    ['\u00a0@SUM(A1)', "'\u00a0@SUM(A1)"],
    [' -2', "' -2"],
    ['\t+1', "'\t+1"],
    ['node \u202Egnp.exe', 'node <U+202E>gnp.exe'],
    ['bell\u0007', 'bell<U+0007>'],
  ])('turns %j into %j', (input, expected) => {
    expect(csvField(input)).toEqual(expected);
  });

  it('hashes a secret a cell would carry', () => {
    expect(csvField('mysql -p hunter2')).toMatch(/^mysql -p sha256:[0-9a-f]{16}$/);
  });
});

describe('renderCsv()', () => {
  it('writes a header and one row per finding, worst first, then waived ones', () => {
    const report = reportOf({
      findings: [
        finding('logging/fluentd', 'n1', { rule: 'coverage/unready', severity: 'warning', message: 'not Ready, "CrashLoopBackOff"' }),
        finding('kube-system/aws-node', 'n2', { expected: { image: 'a:1' }, actual: 'a:2' }),
      ],
      waived: [finding('kube-system/kured', 'n3', { waiver: { reason: 'reboot window', owner: 'sre', expires: '2026-07-01' } })],
    });

    const rows = parseCsv(renderCsv(report));

    expect(rows[0]).toEqual([
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
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[4]])).toEqual([
      ['active', 'critical', 'aws-node'],
      ['active', 'warning', 'fluentd'],
      ['waived', 'critical', 'kured'],
    ]);
    expect(rows[1]![8]).toEqual('{"image":"a:1"}');
    expect(rows[2]![7]).toEqual('not Ready, "CrashLoopBackOff"');
    expect(rows[3]!.slice(13)).toEqual(['reboot window', 'sre', '2026-07-01']);
  });

  it('neutralises formulas planted in cluster strings', () => {
    const report = reportOf({ findings: [finding('kube-system/aws-node', '=cmd|"/c calc"!A1', { message: '@SUM(1+1)' })] });

    const row = parseCsv(renderCsv(report))[1]!;

    expect(row[5]).toEqual('\'=cmd|"/c calc"!A1');
    expect(row[7]).toEqual("'@SUM(1+1)");
  });
});
