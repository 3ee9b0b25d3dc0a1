import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../functions/cli/main.js';
import { nearest } from '../../functions/core/nearest.js';

function captureIO(): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), env: {}, isTTY: false };
}

describe('drift-auditor', () => {
  it('suggests the nearest command for a typo and exits 2', async () => {
    const io = captureIO();

    const code = await main(['audti'], io);

    expect(code).toBe(2);
    expect(io.err.join('')).toMatch(/^drift-auditor: unknown command 'audti' \(did you mean 'audit'\?\)/);
  });

  it('suggests the nearest option for a misspelt flag', async () => {
    const io = captureIO();

    const code = await main(['audit', '--snapshot', 'examples/cluster', '--maniffests', 'examples/gitops'], io);

    expect(code).toBe(2);
    expect(io.err.join('')).toMatch(/Unknown option '--maniffests'.*did you mean '--manifests'\?/);
  });

  it('lists --version in its usage and prints the version', async () => {
    const help = captureIO();
    const ver = captureIO();

    await main(['--help'], help);
    const code = await main(['--version'], ver);

    expect(help.out.join('')).toContain('--version');
    expect(code).toBe(0);
    expect(ver.out.join('')).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

describe('nearest()', () => {
  it.each([
    ['snapshto', ['audit', 'snapshot', 'reports'], 'snapshot'],
    ['report', ['audit', 'snapshot', 'reports'], 'reports'],
    ['zzzzzz', ['audit', 'snapshot', 'reports'], null],
  ])('maps %s to %s', (word, candidates, expected) => {
    expect(nearest(word, candidates)).toBe(expected);
  });
});
