// The action's main file: runs the pr-check action (github-action.ts) with the runner's environment.
import { runAction } from './github-action.js';

process.exitCode = await runAction(process.env, { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s), isTTY: false });
