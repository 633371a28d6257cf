import type { Readable } from 'node:stream';
import { connect } from '@tooldock/core';

/** Container start/die events for one label, as the daemon reports them. */
export async function watchContainers(label: string) {
  const stream = (await connect().docker.getEvents({
    filters: { type: ['container'], event: ['start', 'die'], label: [label] },
  })) as unknown as Readable;
  const events: Array<{ action: 'start' | 'die'; id: string; timeNano: number }> = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines) {
      if (!line.trim()) continue;
      const e = JSON.parse(line) as { Action: 'start' | 'die'; id: string; timeNano: number };
      events.push({ action: e.Action, id: e.id, timeNano: e.timeNano });
    }
  });
  return {
    events,
    started: () => events.filter((e) => e.action === 'start').length,
    /** Most containers running at the same time. */
    maxRunning: () => {
      let running = 0;
      let max = 0;
      for (const e of events) {
        running += e.action === 'start' ? 1 : -1;
        max = Math.max(max, running);
      }
      return max;
    },
    stop: () => stream.destroy(),
  };
}
