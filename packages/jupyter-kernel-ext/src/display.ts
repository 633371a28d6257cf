import { denoJupyter, detectKernel, letDenoSend } from './kernel.js';
import { tslabDisplay, tslabModule } from './tslab-kernel.js';
import type { MimeBundle } from './render.js';

/**
 * Sends a bundle to the notebook — every MIME type in one message, so a console or a text export
 * has the plain form beside the HTML — or prints its text outside a kernel. With `displayId`,
 * `update` redraws that display in place. Resolves once the message is on its way.
 */
export async function displayBundle(bundle: MimeBundle, displayId?: string, update = false): Promise<void> {
  const jupyter = denoJupyter();
  if (jupyter) {
    await jupyter.display(bundle, { raw: true, ...(displayId ? { display_id: displayId, update } : {}) });
    await letDenoSend();
    return;
  }
  if (detectKernel() === 'tslab') {
    if (tslabDisplay(bundle, displayId, update)) return;
    // An unknown tslab version: its public API, which sends one MIME type per message.
    const html = bundle['text/html'];
    if (html && tslabModule()) return tslabModule()!.display.html(html);
  }
  console.log(bundle['text/plain']);
}
