// The terminal progress line of a live read: `\r`-updated, at most 10 times a second, ended on `done`.
import type { ReadProgress } from './read-cluster.js';

/** Returns an onProgress callback that writes `\rread N objects in P pages, Xs` to `write`. */
export function progressPrinter(write: (s: string) => void, intervalMs = 100): (p: ReadProgress) => void {
  let last = 0;
  let shown = false;
  return (p) => {
    if (p.done) {
      if (shown) write(`\r${line(p)}\n`);
      return;
    }
    if (p.elapsedMs - last < intervalMs && shown) return;
    last = p.elapsedMs;
    shown = true;
    write(`\r${line(p)}`);
  };
}

function line(p: ReadProgress): string {
  return `read ${p.objects.toLocaleString('en-US')} objects in ${p.pages} pages, ${(p.elapsedMs / 1000).toFixed(1)}s`;
}
