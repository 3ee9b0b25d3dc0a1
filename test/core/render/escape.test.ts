import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, jsonForScript, markdownCode, visibleControls } from '../../../functions/core/render/escape.js';

describe('jsonForScript()', () => {
  it.each([['</script><script>alert(1)</script>'], ['<!-- x -->'], ['a & b > c'], ['line\u2028separator\u2029paragraph']])(
    'escapes %j so it cannot end the script element and parses back',
    (s) => {
      const out = jsonForScript({ s });

      expect(out).not.toMatch(/[<>&\u2028\u2029]/);
      expect(JSON.parse(out)).toEqual({ s: visibleControls(s) });
    },
  );

  it('shows bidi overrides in keys and values, and hashes secrets', () => {
    const out = JSON.parse(jsonForScript({ ['n\u202E1']: ['a\u2066b', 'export TOKEN=t0psecret'] })) as Record<string, string[]>;

    expect(Object.keys(out)).toEqual(['n<U+202E>1']);
    expect(out['n<U+202E>1']![0]).toBe('a<U+2066>b');
    expect(out['n<U+202E>1']![1]).toMatch(/^export TOKEN=sha256:[0-9a-f]{16}$/);
  });
});

const BIDI_AND_CONTROLS = [
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200E',
  '\u200F',
  '\u0000',
  '\u0007',
  '\u001B',
  '\u007F',
  '\u009B',
];

describe('visibleControls()', () => {
  it.each(BIDI_AND_CONTROLS)('shows U+%s as text', (c) => {
    const out = visibleControls(`a${c}b`);

    expect(out).toBe(`a<U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}>b`);
  });

  it('keeps tabs, line breaks and ordinary Unicode', () => {
    expect(visibleControls('a\tb\nc\r\nd é 日本 🙂')).toBe('a\tb\nc\r\nd é 日本 🙂');
  });
});

describe.each([
  ['escapeMarkdown()', escapeMarkdown],
  ['escapeHtml()', escapeHtml],
  ['markdownCode()', markdownCode],
])('%s', (_name, escape) => {
  it.each(BIDI_AND_CONTROLS)('leaves no raw U+%s', (c) => {
    const out = escape(`evil${c}txt.exe`);

    expect(out.includes(c)).toBe(false);
    expect(out).toMatch(/U.*[0-9A-F]{4}/);
  });

  it('hashes a password in a URL', () => {
    const out = escape('postgres://admin:hunter2@db/app');

    expect(out).not.toContain('hunter2');
    expect(out).toMatch(/sha256/);
  });
});
