import type { IncomingMessage } from 'node:http';
import type Docker from 'dockerode';

export interface ExitStatus {
  StatusCode: number;
  Error?: { Message?: string } | null;
}

/**
 * Registers a wait for the container's next exit and resolves once the daemon confirmed it
 * (it flushes the response headers when the waiter is in place). Only then is it safe to start:
 * a wait sent after start can miss a fast exit and hang forever.
 * The returned promise settles with the exit status.
 */
export function registerWait(docker: Docker, containerId: string): Promise<{ exited: Promise<ExitStatus> }> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/containers/${containerId}/wait?`,
        method: 'POST',
        options: { condition: 'next-exit' },
        isStream: true,
        statusCodes: { 200: true, 400: 'bad parameter', 404: 'no such container', 500: 'server error' },
      },
      (error: unknown, response: unknown) => {
        if (error) return reject(error);
        resolve({ exited: readStatus(response as IncomingMessage) });
      },
    );
  });
}

function readStatus(response: IncomingMessage): Promise<ExitStatus> {
  return new Promise((resolve, reject) => {
    let body = '';
    response.setEncoding('utf8');
    response.on('data', (c: string) => (body += c));
    response.on('error', reject);
    response.on('end', () => {
      try {
        resolve(JSON.parse(body) as ExitStatus);
      } catch {
        reject(new Error(`the daemon ended the wait without an exit status (${JSON.stringify(body.slice(0, 200))}); did it restart?`));
      }
    });
    response.on('close', () => {
      if (!response.complete) reject(new Error('the connection to the daemon closed while waiting for the tool to exit (did the daemon stop?)'));
    });
  });
}
