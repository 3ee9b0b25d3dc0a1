// Reading the coverage matrix back from the page: where the page says a node x DaemonSet cell is drawn
// (window.driftReport.locate) and the colour actually painted there.
import type { Page } from 'playwright-core';

export interface Located {
  group: string;
  x: number;
  y: number;
}

/** Returns where the page says a cell is, and the colour painted there; null when the cell is not drawn. */
export async function cellAt(page: Page, node: string, ds: string): Promise<(Located & { rgb: number[] }) | null> {
  return page.evaluate(
    ([n, d]) => {
      const w = window as unknown as { driftReport: { locate(n: string, d: string): Located | null } };
      const at = w.driftReport.locate(n!, d!);
      if (!at) return null;
      const canvas = [...document.querySelectorAll<HTMLCanvasElement>('#matrix canvas')].find((c) => c.dataset.group === at.group)!;
      const dpr = window.devicePixelRatio || 1;
      const px = canvas.getContext('2d')!.getImageData(Math.floor(at.x * dpr), Math.floor(at.y * dpr), 1, 1).data;
      return { ...at, rgb: [px[0]!, px[1]!, px[2]!] };
    },
    [node, ds],
  );
}

/** Returns `#rrggbb` as [r, g, b]. */
export function rgb(hex: string): number[] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}
