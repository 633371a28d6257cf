/** Lifecycle and progress events of one run, delivered to `options.onEvent`. */
export type ToolEvent =
  | { type: 'image:present'; image: string; imageId: string }
  | { type: 'image:pull'; image: string; status: string; id?: string; current?: number; total?: number }
  | { type: 'image:pulled'; image: string; imageId: string }
  | { type: 'container:created'; containerId: string }
  | { type: 'container:started'; containerId: string; startedAt: Date }
  | { type: 'container:exited'; containerId: string; exitCode: number; durationMs: number }
  | { type: 'container:removed'; containerId: string };

export type EventListener = (event: ToolEvent) => void;

/** Calls the user's listener without letting its exceptions break the run. */
export function safeEmitter(listener: EventListener | undefined): EventListener {
  if (!listener) return () => {};
  return (event) => {
    try {
      listener(event);
    } catch (error) {
      process.emitWarning(`tooldock: onEvent listener threw: ${String(error)}`);
    }
  };
}
