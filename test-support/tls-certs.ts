import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
export interface TlsCerts {
  /** The server's side: `--tlscacert`, `--tlscert`, `--tlskey` for dockerd. */
  server: { ca: string; cert: string; key: string };
  /** The client's `DOCKER_CERT_PATH`: ca.pem, cert.pem, key.pem (as the docker CLI expects). */
  clientDir: string;
  /** The client key's bytes, to look for where they must not be. */
  clientKey: Buffer;
}

export function makeTlsCerts(): TlsCerts {
  const dir = tempDir('tls');
  const clientDir = tempDir('tls-client');
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=tooldock test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${who}-key.pem`, '-out', `${who}.csr`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${who}.ext`,
      '-out',
      `${who}-cert.pem`,
    );
  }
  writeFileSync(join(clientDir, 'ca.pem'), readFileSync(join(dir, 'ca.pem')));
  writeFileSync(join(clientDir, 'cert.pem'), readFileSync(join(dir, 'client-cert.pem')));
  writeFileSync(join(clientDir, 'key.pem'), readFileSync(join(dir, 'client-key.pem')), { mode: 0o600 });
  return {
    server: { ca: join(dir, 'ca.pem'), cert: join(dir, 'server-cert.pem'), key: join(dir, 'server-key.pem') },
    clientDir,
    clientKey: readFileSync(join(dir, 'client-key.pem')),
  };
}
