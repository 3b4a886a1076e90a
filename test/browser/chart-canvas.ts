/**
 * @module test/browser/chart-canvas
 * Reads what a uPlot chart really painted: pixels of one series colour on its
 * canvas, relative to the plot area, so a test can tell a drawn line from an
 * empty frame without trusting the component's own attributes.
 */
import type { Locator, Page } from 'playwright-core';

export interface Ink {
  /** Canvas pixels close to the colour. */
  pixels: number;
  /** x of the highest such pixel, as a fraction of the plot area's width (NaN when none). */
  topX: number;
  /** x of the lowest such pixel, likewise. */
  bottomX: number;
}

/** Pixels of `hex` (e.g. `#2563eb`) on the chart's canvas. */
export async function inkOf(chart: Locator, hex: string): Promise<Ink> {
  const rgb = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  // biome-ignore lint/suspicious/noExplicitAny: the Node tsconfig has no DOM types; this runs in the page.
  return chart.evaluate((figure: any, [r, g, b]: number[]) => {
    const canvas = figure.querySelector('.uplot canvas');
    const over = figure.querySelector('.u-over');
    if (!canvas || !over) return { pixels: 0, topX: Number.NaN, bottomX: Number.NaN };
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const scale = width / canvas.getBoundingClientRect().width;
    const plot = over.getBoundingClientRect();
    const left = (plot.left - canvas.getBoundingClientRect().left) * scale;
    const plotW = plot.width * scale;
    let pixels = 0;
    let top = [height, 0];
    let bottom = [-1, 0];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) > 60) continue;
        if (data[i + 3] < 200) continue;
        pixels++;
        if (y < top[0]) top = [y, x];
        if (y > bottom[0]) bottom = [y, x];
      }
    }
    const rel = (x: number) => (x - left) / plotW;
    return {
      pixels,
      topX: pixels ? rel(top[1]) : Number.NaN,
      bottomX: pixels ? rel(bottom[1]) : Number.NaN,
    };
  }, rgb);
}

/**
 * Milliseconds the page's main thread takes to answer: a timer round trip
 * (a busy main thread delays it). Resolves in the page.
 */
export async function mainThreadLatency(page: Page): Promise<number> {
  return page.evaluate<number>(
    'new Promise((done) => { const t = performance.now(); setTimeout(() => done(performance.now() - t), 0); })',
  );
}

/** A fixed SQL answer of `rows` rows for `page.route`. */
export function sqlAnswer(columns: { name: string; type: string }[], rows: unknown[][]): string {
  return JSON.stringify({
    columns,
    rows,
    rowCount: rows.length,
    stats: { ms: 42.123456, shards: 8, chunksScanned: 3, chunksSkipped: 0, rowsRead: rows.length },
  });
}
