import { signalHandlersEnabled } from '../util/environment.js';
import { removeLivePartials } from '../lifecycle/output-sink.js';
import { activeRuns, markExiting } from './active-runs.js';
import { removeLiveContainers } from './remove-live-containers.js';

const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

/**
 * On SIGINT/SIGTERM/SIGHUP, removes this process's live containers, then lets the signal do
 * what it would have done: if ours is the only listener, the process dies of that signal (exit
 * 130/143, as without us) — after removing the partial files of `{ file }` sinks, which the
 * canceled runs may not get to; if the program listens too (a notebook kernel, a CLI), it
 * decides, and the canceled runs remove their own.
 * Installed once, when the first container is created.
 */
export function ensureSignalHandlers(): void {
  if (installed || !signalHandlersEnabled()) return;
  installed = true;
  for (const signal of signals) {
    const handler = () => {
      const othersListen = process.listenerCount(signal) > 1;
      if (!othersListen) markExiting();
      for (const run of activeRuns) run.abort(new Error(`interrupted by ${signal}`));
      void removeLiveContainers().finally(() => {
        if (othersListen) return;
        removeLivePartials();
        process.removeListener(signal, handler);
        process.kill(process.pid, signal);
      });
    };
    process.on(signal, handler);
  }
}
