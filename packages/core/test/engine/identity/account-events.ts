import { connect } from '@tooldock/core';

/**
 * The daemon's own record of archive calls on the containers carrying `label` (`key=value`)
 * between `since` and now: `archive-path` is a GET archive, `extract-to-dir` a PUT archive.
 */
export async function archiveCalls(label: string, since: number): Promise<Map<string, string[]>> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const stream = await connect().docker.getEvents({ since, until, filters: { type: ['container'], label: [label] } } as never);
  let text = '';
  for await (const chunk of stream as unknown as AsyncIterable<Buffer>) text += chunk.toString();
  const calls = new Map<string, string[]>();
  for (const line of text.split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as { id: string; Action: string };
    if (!['archive-path', 'extract-to-dir', 'create'].includes(event.Action)) continue;
    calls.set(event.id, [...(calls.get(event.id) ?? []), event.Action]);
  }
  return calls;
}

/** Whole seconds, as the events API counts them (a second early: its clock is the same machine's). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000) - 1;
}
