import http from 'node:http';

/**
 * The floor: the fewest engine API calls that run a container to completion, in plain HTTP on
 * the socket with a keep-alive agent — create, wait (registered before start), start, delete.
 */
export class RawEngine {
  private readonly agent = new http.Agent({ keepAlive: true });
  constructor(private readonly socketPath = '/var/run/docker.sock') {}

  private request(method: string, path: string, body?: unknown): Promise<{ status: number; response: http.IncomingMessage }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = http.request(
        {
          socketPath: this.socketPath,
          agent: this.agent,
          method,
          path,
          headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {},
        },
        (response) => resolve({ status: response.statusCode ?? 0, response }),
      );
      req.on('error', reject);
      req.end(data);
    });
  }

  private async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const { status, response } = await this.request(method, path, body);
    let text = '';
    for await (const chunk of response) text += chunk;
    if (status >= 400) throw new Error(`${method} ${path}: ${status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  async run(image: string, cmd: string[], networkMode: string): Promise<number> {
    const { Id } = (await this.json('POST', '/containers/create', {
      Image: image,
      Cmd: cmd,
      HostConfig: { NetworkMode: networkMode },
    })) as { Id: string };
    const wait = await this.request('POST', `/containers/${Id}/wait?condition=next-exit`);
    await this.json('POST', `/containers/${Id}/start`);
    let text = '';
    for await (const chunk of wait.response) text += chunk;
    await this.json('DELETE', `/containers/${Id}?force=1`);
    return (JSON.parse(text) as { StatusCode: number }).StatusCode;
  }
}
