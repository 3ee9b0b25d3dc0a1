// Running the real renderers (helm, kubectl kustomize) as child processes: a bounded time, a bounded
// output, an environment with nothing of the caller's but PATH, and the tool's own last error lines
// as the message when it fails.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';

/** Raised when a renderer cannot produce its output; the message is the tool's own. */
export class RenderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RenderError';
  }
}

export interface RunOptions {
  cwd?: string;
  timeoutMs?: number;
  /** Extra environment (HELM_* homes); PATH and HOME are always set. */
  env?: Record<string, string>;
}

/** Runs `command args` and returns its stdout; rejects with RenderError carrying the tool's last error lines. */
export function runTool(command: string, args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      {
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 256 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...opts.env },
      },
      (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const timedOut = (err as { killed?: boolean }).killed;
        const text = timedOut ? `timed out after ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s` : stderr || err.message;
        reject(
          new RenderError(
            text
              .trim()
              .split('\n')
              .filter((l) => l.trim())
              .slice(-3)
              .join(' ')
              .replace(/\s+/g, ' ')
              .replace(/ Use --debug flag to render out invalid YAML$/, ''),
            { cause: err },
          ),
        );
      },
    );
  });
}
