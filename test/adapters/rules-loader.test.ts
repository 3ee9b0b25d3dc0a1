import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultRulesDir, loadRules } from '../../functions/adapters/rules-loader.js';
import { InputError, PolicyError } from '../../functions/core/errors.js';

const rule = (id: string): string => `id: ${id}\ncheck: ${id}\ntitle: t\nseverity: info\ndescription: d\nremediation: r\n`;

describe('loadRules()', () => {
  it('loads every rule of the repository, each id equal to its path', async () => {
    const rules = await loadRules();

    expect(rules.map((r) => r.id)).toEqual(
      expect.arrayContaining([
        'audit/incomplete',
        'coverage/duplicate',
        'coverage/kept',
        'coverage/misscheduled',
        'coverage/missing',
        'coverage/unready',
        'image/digest-split',
        'image/drift',
        'image/outdated-pod',
        'manifest/invalid',
        'manifest/unrendered',
        'resource/missing',
        'resource/unmanaged',
      ]),
    );
    expect(rules.map((r) => r.id)).toEqual([...rules.map((r) => r.id)].sort());
  });

  it('skips top-level files and reads nested ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    await mkdir(join(dir, 'image'));
    await mkdir(join(dir, 'coverage'));
    await writeFile(join(dir, 'default-policy.yaml'), 'namespaces: []\n');
    await writeFile(join(dir, 'image', 'drift.yaml'), rule('image/drift'));
    await writeFile(join(dir, 'coverage', 'missing.yml'), rule('coverage/missing'));

    const rules = await loadRules(dir);

    expect(rules.map((r) => r.id)).toEqual(['coverage/missing', 'image/drift']);
  });

  it('throws PolicyError for a bad rule file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rules-'));
    await mkdir(join(dir, 'coverage'));
    await writeFile(join(dir, 'coverage', 'missing.yaml'), rule('coverage/kept'));

    await expect(loadRules(dir)).rejects.toThrow(PolicyError);
  });

  it('treats an empty folder setting as the default', async () => {
    expect((await loadRules('')).length).toEqual((await loadRules()).length);
  });

  it('throws InputError for a missing folder', async () => {
    await expect(loadRules('/nonexistent/rules')).rejects.toThrow(InputError);
  });
});

describe('defaultRulesDir()', () => {
  it('prefers DRIFT_AUDITOR_RULES_DIR', () => {
    expect(defaultRulesDir({ DRIFT_AUDITOR_RULES_DIR: '/opt/rules' })).toEqual('/opt/rules');
  });
});
