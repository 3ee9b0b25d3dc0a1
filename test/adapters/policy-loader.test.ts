import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../functions/adapters/policy-loader.js';
import { loadRules } from '../../functions/adapters/rules-loader.js';
import { PolicyError } from '../../functions/core/errors.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/policy/', import.meta.url));

describe('loadPolicy()', () => {
  it('loads the shipped default policy when no file is given', async () => {
    const catalog = await loadRules();

    const policy = await loadPolicy(undefined, catalog);

    expect(policy.rules.map((r) => r.id)).toEqual(catalog.map((r) => r.id));
    expect(policy.rules.filter((r) => r.enabled === false)).toEqual([]);
    expect(policy.thresholds).toEqual({ unreadyGraceSeconds: 300, rolloutStuckSeconds: 1800 });
  });

  it('loads a policy file against the catalog', async () => {
    const policy = await loadPolicy(join(FIXTURES, 'full.yaml'), await loadRules());

    expect(policy.waivers.map((w) => w.expires)).toEqual(['2027-01-31']);
  });

  it('throws a PolicyError with exit code 2 naming the file and line', async () => {
    const file = join(FIXTURES, 'bad-date.yaml');

    const err: unknown = await loadPolicy(file, await loadRules()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(PolicyError);
    expect((err as PolicyError).exitCode).toEqual(2);
    expect((err as Error).message).toMatch(new RegExp(`^failed to load policy ${file}: line 9: waivers\\.0\\.expires: `));
  });

  it('loads default-policy.yaml from the rules folder it is given (a Lambda bundle)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    writeFileSync(join(dir, 'default-policy.yaml'), 'apiVersion: drift-auditor.io/v1\nkind: Policy\nthresholds: { rolloutStuckSeconds: 60 }\n');

    const policy = await loadPolicy(undefined, await loadRules(), { rulesDir: dir });

    expect(policy.thresholds.rolloutStuckSeconds).toEqual(60);
  });

  it('throws a PolicyError for a missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    writeFileSync(join(dir, 'other.yaml'), '');

    await expect(loadPolicy(join(dir, 'nope.yaml'), [])).rejects.toThrow(`failed to read policy ${join(dir, 'nope.yaml')}: no such file`);
  });

  it.each([
    [
      'a YAML alias bomb',
      `a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`,
      'YAML alias bomb: too many alias expansions; refusing to read it',
    ],
    ['an empty file', '\n  \n', 'the file is empty'],
  ])('throws a PolicyError naming the file for %s', async (_case, text, why) => {
    const file = join(mkdtempSync(join(tmpdir(), 'policy-')), 'policy.yaml');
    writeFileSync(file, text);

    const err: unknown = await loadPolicy(file, await loadRules()).catch((e: unknown) => e);

    expect([err instanceof PolicyError, (err as Error).message]).toEqual([true, `failed to load policy ${file}: ${why}`]);
  });
});
