import { z } from 'zod';
import { streamBackoffSchema } from '../runtime/backoff-config.js';
import { componentLogger } from '../../src/core/logger.js';
import { createHandOver } from '../runtime/hand-over.js';
import type { Connector, ConnectorDeps, ConnectorModule } from '../contract.js';
import { WsJsonClient } from './client.js';
import { wsJsonDemoSimulator } from './demo-simulator.js';
import { fieldMappingSchema } from './field-mapping.js';
import { parseFrame } from './parse.js';
import { wsJsonRecordingFormat } from './recording.js';
import { wsJsonSettings } from './settings.js';

export const wsJsonConfigSchema = z
  .strictObject({
    /** The `provider` of the records; name each feed when several run side by side. */
    provider: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes')
      .default('ws-json'),
    url: z.url({ protocol: /^wss?$/, error: 'a ws:// or wss:// URL' }),
    /** Handshake headers (tokens); never logged. */
    headers: z.record(z.string(), z.string()).default({}),
    subscribe: z.array(z.json()).default([]),
    mapping: fieldMappingSchema,
    pingIntervalMs: z.int().positive().default(15_000),
    deadPeerTimeoutMs: z.int().positive().default(45_000),
    handshakeTimeoutMs: z.int().positive().default(10_000),
    maxPayload: z
      .int()
      .positive()
      .default(1024 * 1024),
    maxQueuedFrames: z.int().positive().default(1_000),
    /** Bytes of received frames waiting to be handled before the socket is paused. */
    maxQueuedBytes: z
      .int()
      .positive()
      .default(16 * 1024 * 1024),
    backoff: streamBackoffSchema,
  })
  .refine((c) => c.deadPeerTimeoutMs > c.pingIntervalMs, {
    path: ['deadPeerTimeoutMs'],
    message:
      'must be longer than pingIntervalMs, or a live peer is declared dead before it can answer a ping',
  });

export type WsJsonConfig = z.output<typeof wsJsonConfigSchema>;
export type WsJsonConfigInput = z.input<typeof wsJsonConfigSchema>;

export function createWsJsonConnector(config: WsJsonConfig, deps: ConnectorDeps): Connector {
  const { provider, mapping } = config;
  const log = componentLogger(deps.logger, 'connector', provider);
  const { metrics, publisher } = deps;
  const stopping = new AbortController();

  const { deadLetter, publishOrDeadLetter } = createHandOver({
    provider,
    log,
    metrics,
    backoff: config.backoff,
    signal: stopping.signal,
    publisher,
  });

  const onFrame = async (frame: Buffer, receivedAt: number): Promise<void> => {
    const outcome = parseFrame(frame, mapping, { provider, receivedAt });
    if (outcome.kind === 'ignored') {
      metrics.connectorMessages.inc({ provider, outcome: 'ignored' });
      return;
    }
    if (outcome.kind === 'failure') {
      metrics.connectorMessages.inc({ provider, outcome: 'malformed' });
      const { reasonCode, errors } = outcome.failure;
      log.warn(
        { reasonCode, errors: errors.slice(0, 10), issues: errors.length },
        `malformed frame dead-lettered: ${reasonCode}`,
      );
      await deadLetter(outcome.failure);
      return;
    }
    metrics.connectorMessages.inc({ provider, outcome: 'ok' });
    const handed = await publishOrDeadLetter({
      kind: 'book',
      count: outcome.books.length,
      send: () => publisher.publishBooks(outcome.books),
      payload: () => frame,
    });
    if (!handed) log.warn('stopped before the books of a frame were published');
  };

  const client = new WsJsonClient(
    {
      provider,
      url: config.url,
      headers: config.headers,
      subscribe: config.subscribe,
      pingIntervalMs: config.pingIntervalMs,
      deadPeerTimeoutMs: config.deadPeerTimeoutMs,
      handshakeTimeoutMs: config.handshakeTimeoutMs,
      maxPayload: config.maxPayload,
      backoff: config.backoff,
      maxQueuedFrames: config.maxQueuedFrames,
      maxQueuedBytes: config.maxQueuedBytes,
    },
    { logger: log, metrics, breakers: deps.breakers, now: () => deps.clock.now(), status: deps.status },
    onFrame,
  );

  return {
    name: provider,
    start() {
      client.start();
      return Promise.resolve();
    },
    async stop() {
      stopping.abort();
      await client.stop();
    },
  };
}

export const wsJsonConnector: ConnectorModule<
  typeof wsJsonConfigSchema,
  typeof wsJsonSettings,
  typeof wsJsonDemoSimulator
> = {
  name: 'ws-json',
  configSchema: wsJsonConfigSchema,
  settings: wsJsonSettings,
  recordingFormat: wsJsonRecordingFormat,
  otherFormats: [],
  simulator: wsJsonDemoSimulator,
  create: createWsJsonConnector,
};
