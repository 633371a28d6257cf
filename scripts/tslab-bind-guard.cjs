// Preloaded into tslab kernels (kernelspec env NODE_OPTIONS=--require …). jupyter_client picks
// free ports for a kernel and releases them before the kernel binds them, so another process can
// take one in between (jupyter/jupyter_client#276). Deno's kernel then exits and Jupyter restarts
// it on new ports; tslab logs "UnhandledPromiseRejection: Address already in use" and keeps
// running, never answering, and the page waits forever. Exit instead, so Jupyter restarts it too.
'use strict';
const { readFileSync } = require('node:fs');

const at = process.argv.indexOf('--config-path');
if (at > 0) {
  let addresses = [];
  try {
    const c = JSON.parse(readFileSync(process.argv[at + 1], 'utf8'));
    addresses = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'].map((port) => `${c.transport}://${c.ip}:${c[port]}`);
  } catch {
    // no readable connection file: tslab reports that itself
  }
  process.on('unhandledRejection', (reason) => {
    if (reason && reason.code === 'EADDRINUSE' && addresses.includes(reason.address)) {
      process.stderr.write(`tslab could not bind ${reason.address} (in use): exiting, so that Jupyter restarts the kernel on new ports\n`);
      process.exit(1);
    }
  });
}
