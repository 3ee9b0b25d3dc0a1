// npm's `prepare`: builds the CLI bundle (scripts/build-cli.ts) for `npm pack`, `npm publish` and installs
// from a git URL, where npm runs it in its own clone of the repository with the dev dependencies installed.
// `npm ci` in a clone runs it too, for nothing: the clone runs the TypeScript source (bin/drift-auditor.mjs),
// so there it is skipped. Only there: a git dependency prepared during a consumer's `npm ci` runs in npm's
// temporary clone, not in the folder npm was started in (INIT_CWD), and still builds.
import { execFileSync } from 'node:child_process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const inOwnCi = process.env.npm_command === 'ci' && process.env.INIT_CWD === process.cwd();
if (!inOwnCi) {
  execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('build-cli.ts', import.meta.url))], { cwd: root, stdio: 'inherit' });
}
