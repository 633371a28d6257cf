import { cpus, totalmem, release } from 'node:os';
import { connect } from '@tooldock/core';

/** What the figures were measured on. */
export async function machine(): Promise<Record<string, unknown>> {
  const version = await connect().version();
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 1024 ** 3),
    kernel: release(),
    node: process.version,
    engine: `${version.Version} (API ${version.ApiVersion})`,
    date: new Date().toISOString(),
  };
}
