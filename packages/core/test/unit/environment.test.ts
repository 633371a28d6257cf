import { afterEach, describe, expect, it } from 'vitest';
import { reaperEnabled, selfContainerOverride, signalHandlersEnabled, transferSwitch } from '../../src/util/environment.js';

const SWITCHES = ['TOOLDOCK_TRANSFER', 'TOOLDOCK_REAPER', 'TOOLDOCK_SELF_CONTAINER', 'TOOLDOCK_SIGNAL_HANDLERS'];

describe('environment switches', () => {
  afterEach(() => {
    for (const name of SWITCHES) delete process.env[name];
  });

  it('are read at each call, so setting one after import takes effect', () => {
    expect([transferSwitch(), reaperEnabled(), selfContainerOverride(), signalHandlersEnabled()]).toEqual([undefined, true, undefined, true]);
    Object.assign(process.env, { TOOLDOCK_TRANSFER: 'copy', TOOLDOCK_REAPER: '0', TOOLDOCK_SELF_CONTAINER: 'abc123', TOOLDOCK_SIGNAL_HANDLERS: '0' });
    expect([transferSwitch(), reaperEnabled(), selfContainerOverride(), signalHandlersEnabled()]).toEqual(['copy', false, 'abc123', false]);
  });

  it('TOOLDOCK_TRANSFER knows copy and mount; anything else leaves it to detection', () => {
    process.env.TOOLDOCK_TRANSFER = 'mount';
    expect(transferSwitch()).toBe('mount');
    process.env.TOOLDOCK_TRANSFER = 'COPY';
    expect(transferSwitch()).toBeUndefined();
  });

  it('an empty TOOLDOCK_SELF_CONTAINER names no container', () => {
    process.env.TOOLDOCK_SELF_CONTAINER = '';
    expect(selfContainerOverride()).toBeUndefined();
  });
});
