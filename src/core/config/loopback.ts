import { isIP } from 'node:net';

/**
 * Whether `host` names this machine's loopback interface (localhost, 127.0.0.0/8, ::1): the only
 * place where plaintext credentials (SASL PLAIN without TLS, a Betfair stream without TLS) and
 * unauthenticated services may go, since nothing else is on the path.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1';
  return false;
}

/** The host of a `host:port` (an IPv6 host in brackets keeps its colons). */
export function hostOf(hostPort: string): string {
  return hostPort.replace(/:\d+$/, '');
}
