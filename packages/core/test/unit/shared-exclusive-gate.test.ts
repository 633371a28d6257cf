import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SharedExclusiveGate, type GateMode, type GateRelease } from '../../src/util/shared-exclusive-gate.js';
import { hasOwnEnv } from '../../src/backends/docker/session/call-admission.js';

const never = new AbortController().signal;

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** A request whose admission is observable without awaiting it. */
function request(gate: SharedExclusiveGate, mode: GateMode, signal = never, onWait?: () => void) {
  const state: { release?: GateRelease; error?: unknown } = {};
  const entered = gate.enter(mode, signal, onWait).then(
    (release) => (state.release = release),
    (error: unknown) => (state.error = error),
  );
  return { state, entered };
}

describe('SharedExclusiveGate', () => {
  it('admits any number of sharers together, and an exclusive holder alone', async () => {
    const gate = new SharedExclusiveGate();
    const a = request(gate, 'shared');
    const b = request(gate, 'shared');
    await settle();
    expect(a.state.release && b.state.release).toBeTruthy();
    const x = request(gate, 'exclusive');
    await settle();
    expect(x.state.release).toBeUndefined();
    a.state.release!();
    await settle();
    expect(x.state.release).toBeUndefined(); // b still holds it
    b.state.release!();
    await settle();
    expect(x.state.release).toBeDefined();
    const c = request(gate, 'shared');
    await settle();
    expect(c.state.release).toBeUndefined(); // the exclusive holder is alone
    x.state.release!();
    await settle();
    expect(c.state.release).toBeDefined();
  });

  it('is fair: a sharer arriving after a waiting exclusive request queues behind it (no starvation)', async () => {
    const gate = new SharedExclusiveGate();
    const first = request(gate, 'shared');
    await settle();
    const x = request(gate, 'exclusive');
    const late = [request(gate, 'shared'), request(gate, 'shared')];
    await settle();
    expect(late.map((r) => r.state.release)).toEqual([undefined, undefined]);
    expect(gate.waiting).toBe(3);
    first.state.release!();
    await settle();
    expect(x.state.release).toBeDefined();
    expect(late.map((r) => r.state.release)).toEqual([undefined, undefined]);
    x.state.release!();
    await settle();
    // Consecutive sharers at the head go in together.
    expect(late.every((r) => r.state.release)).toBe(true);
  });

  it('is fair the other way: sharers queued before a second exclusive request go first', async () => {
    const gate = new SharedExclusiveGate();
    const order: string[] = [];
    const x1 = await gate.enter('exclusive', never);
    const entries = (['s1', 'x2', 's2'] as const).map((name) =>
      gate.enter(name.startsWith('x') ? 'exclusive' : 'shared', never).then((release) => (order.push(name), release)),
    );
    x1();
    const s1 = await entries[0]!;
    await settle();
    expect(order).toEqual(['s1']); // x2 waits for s1; s2 waits behind x2
    s1();
    const x2 = await entries[1]!;
    await settle();
    expect(order).toEqual(['s1', 'x2']);
    x2();
    await entries[2];
    expect(order).toEqual(['s1', 'x2', 's2']);
  });

  it('cancel while waiting: rejects at once with the reason, never admitted; those behind move on', async () => {
    const gate = new SharedExclusiveGate();
    const holder = await gate.enter('shared', never);
    const controller = new AbortController();
    const x = request(gate, 'exclusive', controller.signal);
    const behind = request(gate, 'shared');
    await settle();
    expect(behind.state.release).toBeUndefined();
    const reason = new Error('canceled by the caller');
    controller.abort(reason);
    await settle();
    expect(x.state.error).toBe(reason);
    expect(x.state.release).toBeUndefined();
    // The canceled exclusive request no longer holds back the sharer queued behind it.
    expect(behind.state.release).toBeDefined();
    expect(gate.waiting).toBe(0);
    holder();
    behind.state.release!();
    // And the gate is free: nothing was taken for the canceled request.
    expect(gate.wouldAdmit('exclusive')).toBe(true);
  });

  it('an aborted signal is refused before queuing; an abort after admission changes nothing', async () => {
    const gate = new SharedExclusiveGate();
    const aborted = AbortSignal.abort(new Error('too late'));
    await expect(gate.enter('shared', aborted)).rejects.toThrow('too late');
    const controller = new AbortController();
    const release = await gate.enter('exclusive', controller.signal);
    controller.abort();
    expect(gate.wouldAdmit('shared')).toBe(false); // still held: the holder releases
    release();
    release(); // twice: no effect
    expect(gate.wouldAdmit('exclusive')).toBe(true);
    const a = await gate.enter('shared', never);
    release(); // a stale release must not free a's hold
    expect(gate.wouldAdmit('exclusive')).toBe(false);
    a();
  });

  it('tells a request that it waits, and only then', async () => {
    const gate = new SharedExclusiveGate();
    let waited = 0;
    const a = await gate.enter('shared', never, () => waited++);
    expect(waited).toBe(0);
    const x = gate.enter('exclusive', never, () => waited++);
    expect(waited).toBe(1);
    a();
    (await x)();
  });

  it('property: never an exclusive holder with anyone else, admissions in arrival order, all admitted', async () => {
    type Step = { kind: 'enter'; mode: GateMode; cancel: boolean } | { kind: 'release'; pick: number } | { kind: 'cancel'; pick: number };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('enter' as const), mode: fc.constantFrom<GateMode>('shared', 'exclusive'), cancel: fc.boolean() }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps: Step[]) => {
        const gate = new SharedExclusiveGate();
        const holders = new Map<number, { mode: GateMode; release: GateRelease }>();
        const pending: Array<{ id: number; controller: AbortController }> = [];
        const admitted: number[] = [];
        const canceled = new Set<number>();
        const check = () => {
          const modes = [...holders.values()].map((h) => h.mode);
          if (modes.includes('exclusive')) expect(modes).toHaveLength(1);
        };
        let next = 0;
        for (const s of [...steps, ...Array.from({ length: 80 }, (_, i) => ({ kind: 'release' as const, pick: i }))]) {
          if (s.kind === 'enter') {
            const id = next++;
            const controller = new AbortController();
            pending.push({ id, controller });
            gate.enter(s.mode, controller.signal).then(
              (release) => {
                holders.set(id, { mode: s.mode, release });
                admitted.push(id);
                pending.splice(
                  pending.findIndex((p) => p.id === id),
                  1,
                );
                check();
              },
              () => {
                canceled.add(id);
                pending.splice(
                  pending.findIndex((p) => p.id === id),
                  1,
                );
              },
            );
          } else if (s.kind === 'release' && holders.size > 0) {
            const ids = [...holders.keys()];
            const id = ids[s.pick % ids.length]!;
            holders.get(id)!.release();
            holders.delete(id);
          } else if (s.kind === 'cancel' && pending.length > 0) {
            pending[s.pick % pending.length]!.controller.abort();
          }
          await settle();
        }
        // Everything not canceled was admitted, in the order it arrived.
        expect(admitted).toEqual([...admitted].sort((a, b) => a - b));
        expect(admitted.length + canceled.size).toBe(next);
        expect(gate.waiting).toBe(0);
      }),
      { numRuns: 200, seed: 23 },
    );
  });
});

describe('which session calls run alone (call-admission.ts)', () => {
  it("a call runs alone when its env holds anything the session's own env does not", () => {
    const sessionEnv = { REF: '/ref/hg38.fa' };
    expect(hasOwnEnv(undefined, sessionEnv)).toBe(false);
    expect(hasOwnEnv({}, sessionEnv)).toBe(false);
    expect(hasOwnEnv({ REF: '/ref/hg38.fa' }, sessionEnv)).toBe(false); // the session's, given again
    expect(hasOwnEnv({ REF: '/ref/other.fa' }, sessionEnv)).toBe(true);
    expect(hasOwnEnv({ REF: '/ref/hg38.fa', TOKEN: 'x' }, sessionEnv)).toBe(true);
    expect(hasOwnEnv({ TOKEN: '' }, {})).toBe(true);
  });
});
