import { randomUUID } from 'node:crypto';
import type { FanOutProgress, ProgressListener } from '@tooldock/core';
import { displayBundle } from './display.js';
import { detectKernel } from './kernel.js';
import { progressBundle } from './render.js';

/** A `runMany` progress handler that also knows how to draw its final state. */
export type LiveProgress = ProgressListener & {
  /** Draws the latest state now and resolves when it is displayed. */
  flush(): Promise<void>;
};

/**
 * An `onProgress` handler that keeps one HTML table up to date in place (Deno's Jupyter kernel
 * via a display id, tslab via a display id too), at most 5 redraws a second, with a final redraw
 * when the fan-out ends. While tasks run it also redraws once a second on its own, so the clock
 * moves when the tools print nothing. Outside a kernel it prints one summary line per second at most.
 *
 * @example
 * ```ts
 * const progress = liveProgress('alignment');
 * await runMany(tasks, { onProgress: progress });
 * await progress.flush();
 * ```
 */
export function liveProgress(title = 'tooldock', options: { maxRows?: number } = {}): LiveProgress {
  const inKernel = detectKernel() !== 'plain';
  const id = `tooldock-${randomUUID()}`;
  let latest: FanOutProgress | undefined;
  let shown = false;
  let lastDraw = 0;
  let timer: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let drawing: Promise<void> = Promise.resolve();
  const interval = inKernel ? 200 : 1000;

  const draw = (): Promise<void> => {
    if (!latest) return drawing;
    const bundle = progressBundle(latest, title, options.maxRows);
    lastDraw = Date.now();
    drawing = drawing.then(async () => {
      // One display, redrawn in place; outside a kernel one summary line per draw.
      if (inKernel) await displayBundle(bundle, id, shown);
      else console.log(bundle['text/plain'].split('\n')[0]);
      shown = true;
    });
    return drawing;
  };

  const stopTicking = () => {
    clearInterval(ticker);
    ticker = undefined;
  };
  const listener = ((progress: FanOutProgress) => {
    latest = progress;
    if (progress.finished) {
      clearTimeout(timer);
      timer = undefined;
      stopTicking();
      void draw();
      return;
    }
    // The clock: a redraw each second between events (silent tools), only in a kernel.
    if (inKernel)
      ticker ??= setInterval(() => {
        if (Date.now() - lastDraw >= 900) void draw();
      }, 1000);
    const wait = interval - (Date.now() - lastDraw);
    if (wait <= 0) void draw();
    else timer ??= setTimeout(() => ((timer = undefined), void draw()), wait);
  }) as LiveProgress;
  listener.flush = async () => {
    clearTimeout(timer);
    timer = undefined;
    if (latest?.finished) stopTicking();
    await draw();
  };
  return listener;
}
