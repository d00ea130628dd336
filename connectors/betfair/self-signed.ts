import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface SelfSignedCertificate {
  key: string;
  cert: string;
  /** Where the certificate is written, for clients configured with a CA file. */
  certFile: string;
  /** The temporary directory holding both files; the caller removes it. */
  dir: string;
}

/**
 * A throwaway certificate for localhost and 127.0.0.1 made with the `openssl` CLI; undefined
 * when openssl is not installed, so that callers can fall back to plain TCP.
 */
export async function createSelfSignedCertificate(): Promise<SelfSignedCertificate | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'oddsflow-betfair-sim-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8'), certFile, dir };
}
