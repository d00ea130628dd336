import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

export interface HttpProxy {
  /** The target URL as seen through the proxy (same path). */
  readonly url: string;
  /** Requests seen, by method and path, newest last. */
  readonly requests: string[];
  /**
   * From now on, requests for which `when` holds are answered `status` by the proxy itself (a
   * registry refusing credentials, or not knowing a schema id); null forwards everything again.
   */
  answer(status: number | null, when?: (method: string, path: string) => boolean): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : Buffer.concat(chunks);
}

/**
 * An HTTP forwarder in front of a real server (the schema registry), which can start answering
 * an error of its own for chosen requests: a fault on demand without mocking any client. Closed
 * after the test file.
 */
export async function startHttpProxy(target: string): Promise<HttpProxy> {
  const upstream = new URL(target);
  let failure: { status: number; when: (method: string, path: string) => boolean } | null = null;
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    requests.push(`${method} ${path}`);
    if (failure?.when(method, path)) {
      res.writeHead(failure.status, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify({ error_code: failure.status, message: `proxy answers ${failure.status}` }));
      return;
    }
    void (async () => {
      try {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(
            (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
          ),
        );
        const payload = await body(req);
        const answer = await fetch(`${upstream.origin}${path}`, {
          method,
          headers,
          ...(payload === undefined ? {} : { body: payload }),
        });
        const forwarded: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'content-encoding')
            forwarded[name] = value;
        });
        res.writeHead(answer.status, forwarded);
        res.end(Buffer.from(await answer.arrayBuffer()));
      } catch {
        res.writeHead(502).end();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxy: HttpProxy = {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/$/, '')}`,
    requests,
    answer(status, when = () => true) {
      failure = status === null ? null : { status, when };
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  afterAll(() => proxy.close());
  return proxy;
}
