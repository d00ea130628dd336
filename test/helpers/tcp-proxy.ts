import net from 'node:net';
import { afterAll } from 'vitest';

export interface TcpProxy {
  readonly port: number;
  /** Closes the listening socket and every connection: new connections are refused (ECONNREFUSED). */
  refuse(): Promise<void>;
  /** Accepts connections and resets them at once, and resets the open ones. */
  reset(): void;
  /** Resets a connection as soon as the client sends a chunk matching `when`, before forwarding it. */
  dropWhen(when: ((chunk: Buffer) => boolean) | null): void;
  /**
   * Keeps every connection open but forwards nothing more either way, and accepts new ones the
   * same: a server that stopped answering without closing anything (a hung host, a black hole).
   */
  stall(): void;
  /** Forwards again, on the same port; connections stalled meanwhile are reset, as a peer that gave up. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP forwarder in front of a real server, whose connections can be refused, reset or cut at a
 * chosen moment: an outage on demand without mocking any client. Closed after the test file.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const stalled = new Set<net.Socket>();
  let mode: 'forward' | 'reset' | 'stall' = 'forward';
  let dropPredicate: ((chunk: Buffer) => boolean) | null = null;

  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => {
      sockets.delete(socket);
      stalled.delete(socket);
    });
    socket.on('error', () => undefined);
  };
  const resetAll = (): void => {
    for (const socket of sockets) socket.resetAndDestroy();
  };

  const server = net.createServer((client) => {
    track(client);
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'stall') {
      stalled.add(client);
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      if (stalled.has(client)) return;
      if (dropPredicate?.(chunk)) {
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!stalled.has(client)) client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));

  const port = await listen(0);
  const proxy: TcpProxy = {
    port,
    async refuse() {
      const closed = stopListening();
      resetAll();
      await closed;
    },
    reset() {
      mode = 'reset';
      resetAll();
    },
    dropWhen(when) {
      dropPredicate = when;
    },
    stall() {
      mode = 'stall';
      for (const socket of sockets) stalled.add(socket);
    },
    async restore() {
      mode = 'forward';
      dropPredicate = null;
      for (const socket of stalled) socket.resetAndDestroy();
      stalled.clear();
      if (!server.listening) await listen(port);
    },
    async close() {
      const closed = stopListening();
      resetAll();
      await closed;
    },
  };
  afterAll(() => proxy.close());
  return proxy;
}
