import { describe, expect, it } from 'vitest';
import { redactSecretArgs } from '../../functions/core/redact.js';

const token = (v: string) => `<${v.length}>`;

describe('redactSecretArgs()', () => {
  it.each<[string, unknown[], unknown[]]>([
    ['--flag=value', ['--db-password=hunter2', '--port=5432'], ['--db-password=<7>', '--port=5432']],
    ['a flag followed by its value', ['--token', 'abc', '--verbose'], ['--token', '<3>', '--verbose']],
    ['a single-dash flag', ['-api_key=k'], ['-api_key=<1>']],
    ['case-insensitively', ['--AWS-SECRET-ACCESS-KEY=s'], ['--AWS-SECRET-ACCESS-KEY=<1>']],
    ['an empty value', ['--password='], ['--password=<0>']],
    ['nothing when the next item is another flag', ['--token', '--verbose'], ['--token', '--verbose']],
    ['nothing in harmless flags and plain words', ['--log-level=debug', 'password'], ['--log-level=debug', 'password']],
    ['non-strings untouched', [1, null, '--secret=x'], [1, null, '--secret=<1>']],
  ])('redacts %s', (_case, args, expected) => {
    expect(redactSecretArgs(args, token)).toEqual(expected);
  });

  it('does not change its input', () => {
    const args = ['--password=x'];

    redactSecretArgs(args, token);

    expect(args).toEqual(['--password=x']);
  });
});
