import { describe, expect, it } from 'vitest';
import { jsonForScript } from '../../../functions/core/render/escape.js';

describe('jsonForScript()', () => {
  it.each([
    ['</script><script>alert(1)</script>'],
    ['<!-- x -->'],
    ['a & b > c'],
    ['line\u2028separator\u2029paragraph'],
  ])('escapes %j so it cannot end the script element and parses back', (s) => {
    const out = jsonForScript({ s });

    expect(out).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(out)).toEqual({ s });
  });
});
