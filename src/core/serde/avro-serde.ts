import { SchemaRegistry, SchemaType, COMPATIBILITY } from '@kafkajs/confluent-schema-registry';
import avsc from 'avsc';
import { SerdeError } from '../errors.js';
import type { OutputRecord } from '../kafka/records.js';
import type { TopicId, TopicNames } from '../kafka/topics.js';
import { topicIds } from '../kafka/topics.js';
import { marketFeaturesOfSelection } from './market-features.js';
import {
  loadSchema,
  topicSchema,
  valueSubject,
  type RecordSchema,
  type SchemaName,
  type TopicValues,
} from './schemas.js';

/**
 * Value types a topic carried before its current one, and how a record of one reads as today's.
 * The registry accepts today's schema over such a type (an alias and defaults make it BACKWARD),
 * but plain Avro resolution would keep only the shared fields; these read the record whole.
 */
const earlierValues: Partial<
  Record<TopicId, { fullName: string; schema: SchemaName; upgrade: (old: never) => unknown }>
> = {
  featuresMarket: {
    fullName: 'oddsflow.v1.SelectionFeatures',
    schema: 'SelectionFeatures',
    upgrade: marketFeaturesOfSelection,
  },
};

export interface RegistrySettings {
  url: string;
  auth: { username: string; password: string } | undefined;
}

/** Confluent wire format: magic byte 0, then the schema id as a big-endian int32. */
export const WIRE_MAGIC_BYTE = 0;

export function wireSchemaId(message: Buffer): number | undefined {
  if (message.length < 5 || message[0] !== WIRE_MAGIC_BYTE) return undefined;
  return message.readInt32BE(1);
}

/** Reads what `writer` wrote as `reader`'s type. */
function resolvedReader(reader: avsc.Type, writer: avsc.Type): (payload: Buffer) => unknown {
  // Equal schemas still differ in options (https://github.com/mtth/avsc/issues/362): read with ours.
  if (reader.equals(writer)) return (payload) => reader.fromBuffer(payload) as unknown;
  const resolver = reader.createResolver(writer);
  return (payload) => reader.fromBuffer(payload, resolver) as unknown;
}

function statusOf(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The registry client reports a connection that failed as an answer with status 400 (mappersmith's
 * client errors), so the message tells it from a real 400.
 */
const networkFailure =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|socket|fetch failed|timeout|network/i;

/**
 * A registry failure as a project error. The registry refusing (401/403: credentials changed;
 * 404: a schema id unknown after a rebuild) is an infrastructure fault like an outage: the caller
 * holds and retries, it never dead-letters records for it. Only an incompatible schema (409) and
 * a schema the registry finds invalid (other 4xx) are the caller's own fault.
 */
function registryError(action: string, err: unknown): SerdeError {
  const status = statusOf(err);
  const message = err instanceof Error ? err.message : String(err);
  if (networkFailure.test(message)) return registryUnavailable(action, err);
  if (status === 409 || /incompatible|compatib/i.test(message)) {
    return new SerdeError(
      'SCHEMA_INCOMPATIBLE',
      `${action}: the registry rejected the schema as incompatible: ${message}`,
      { cause: err },
    );
  }
  if (status === 401 || status === 403 || status === 404) return registryRefused(action, status, err);
  if (status !== undefined && status < 500 && status !== 408 && status !== 429) {
    return new SerdeError('SERDE_ENCODE_FAILED', `${action}: registry answered ${status}: ${message}`, {
      cause: err,
    });
  }
  return registryUnavailable(action, err);
}

function registryUnavailable(action: string, err: unknown): SerdeError {
  const message = err instanceof Error ? err.message : String(err);
  return new SerdeError('SCHEMA_REGISTRY_UNAVAILABLE', `${action}: schema registry unavailable: ${message}`, {
    cause: err,
  });
}

function registryRefused(action: string, status: number, err: unknown): SerdeError {
  const why =
    status === 404
      ? 'not found (was the registry rebuilt without its schemas?)'
      : 'credentials refused (check SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD)';
  return new SerdeError('SCHEMA_REGISTRY_REFUSED', `${action}: registry answered ${status}: ${why}`, {
    cause: err,
  });
}

/**
 * Avro (de)serialisation of every topic through a Confluent-compatible registry. The value
 * schema of each topic is registered on first use (re-registering an identical schema returns
 * the existing id), so producers always write with the schema this build was compiled against.
 */
export class AvroSerde {
  readonly registry: SchemaRegistry;
  private readonly ids = new Map<TopicId, Promise<number>>();
  /** The ids once registered: encoding then needs no wait. */
  private readonly knownIds = new Map<TopicId, number>();
  /** This build's type of each topic: what its records are read as and written with. */
  private readonly types = new Map<TopicId, avsc.Type>();
  /**
   * Where every record is encoded before it is copied out, grown when one does not fit. The
   * registry client's `encode` wrote each record twice when it was over avsc's 1 KiB buffer (most
   * of ours are) and then copied it again behind the header.
   */
  private scratch = Buffer.allocUnsafe(64 * 1024);
  /** By topic and writer schema id: the registry client compiles both schemas on every call otherwise. */
  private readonly decoders = new Map<TopicId, Map<number, (payload: Buffer) => unknown>>();

  constructor(
    private readonly settings: RegistrySettings,
    private readonly topics: TopicNames,
  ) {
    this.registry = new SchemaRegistry({
      host: settings.url,
      ...(settings.auth ? { auth: settings.auth } : {}),
      clientId: 'oddsflow',
      retry: { retries: 3, initialRetryTimeInSecs: 0.2, maxRetryTimeInSecs: 3 },
    });
  }

  /**
   * Sets BACKWARD compatibility on `<topic>-value` and registers the schema (this build's, unless
   * another is given, e.g. to check a change before release); returns its id.
   */
  async register(topic: TopicId, schema: RecordSchema = topicSchema(topic)): Promise<number> {
    const subject = valueSubject(this.topics[topic]);
    try {
      await this.setCompatibility(subject, 'BACKWARD');
      const { id } = await this.registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: COMPATIBILITY.BACKWARD },
      );
      return id;
    } catch (err) {
      if (err instanceof SerdeError) throw err;
      throw registryError(`register ${subject}`, err);
    }
  }

  async registerAll(): Promise<Map<TopicId, number>> {
    const ids = new Map<TopicId, number>();
    for (const topic of topicIds) ids.set(topic, await this.schemaId(topic));
    return ids;
  }

  /** The registry id of this build's schema for `topic`, registering it once per process. */
  schemaId(topic: TopicId): Promise<number> {
    let id = this.ids.get(topic);
    if (!id) {
      id = this.register(topic);
      // A failed registration (registry down) must be retried by the next call, not cached.
      id.then(
        (known) => this.knownIds.set(topic, known),
        () => this.ids.delete(topic),
      );
      this.ids.set(topic, id);
    }
    return id;
  }

  encode<T extends TopicId>(topic: T, value: TopicValues[T]): Promise<Buffer> {
    return this.encodeValue(topic, value);
  }

  /** The same for an output record, whose topic and value TypeScript cannot correlate by itself. */
  encodeRecord(record: OutputRecord): Promise<Buffer> {
    return this.encodeValue(record.topic, record.value);
  }

  /**
   * `encodeRecord` without waiting: undefined until the topic's schema is registered by this
   * process. The processors encode nearly every output this way, without a promise of its own.
   */
  encodeRecordIfKnown(record: OutputRecord): Buffer | undefined {
    const id = this.knownIds.get(record.topic);
    return id === undefined ? undefined : this.encodeWith(record.topic, id, record.value);
  }

  private async encodeValue(topic: TopicId, value: unknown): Promise<Buffer> {
    const id = this.knownIds.get(topic) ?? (await this.schemaId(topic));
    return this.encodeWith(topic, id, value);
  }

  /**
   * The Confluent wire format of `value` with the registered schema `id`: the bytes the registry
   * client's `encode` makes (the same schema compiled by the same avsc), written once into the
   * scratch buffer and copied out once with the header in place.
   */
  private encodeWith(topic: TopicId, id: number, value: unknown): Buffer {
    const type = this.typeOf(topic);
    try {
      for (;;) {
        const end = type.encode(value, this.scratch, 5);
        if (end >= 0) {
          const out = Buffer.allocUnsafe(end);
          this.scratch.copy(out, 5, 5, end);
          out[0] = WIRE_MAGIC_BYTE;
          out.writeInt32BE(id, 1);
          return out;
        }
        // A negative end is the bytes missing.
        this.scratch = Buffer.allocUnsafe(2 * (this.scratch.length - end));
      }
    } catch (err) {
      const paths: string[][] = [];
      type.isValid(value, { errorHook: (path) => paths.push(path) });
      const where = paths.length ? ` at ${paths.map((p) => p.join('.')).join(', ')}` : '';
      throw new SerdeError(
        'SERDE_ENCODE_FAILED',
        `encode ${this.topics[topic]}: value does not match ${topicSchema(topic).name}${where}`,
        { cause: err },
      );
    }
  }

  private typeOf(topic: TopicId): avsc.Type {
    let type = this.types.get(topic);
    if (!type) {
      // As the client compiles a schema without references: avsc, no options.
      type = avsc.Type.forSchema(topicSchema(topic));
      this.types.set(topic, type);
    }
    return type;
  }

  /**
   * Decodes with the writer's schema from the registry, resolved to this build's schema of the
   * topic, so records written by an older (compatible) producer read as today's type.
   */
  async decode<T extends TopicId>(topic: T, message: Buffer): Promise<TopicValues[T]> {
    return (
      this.decodeIfKnown(topic, message) ??
      this.read(topic, await this.decoder(topic, wireSchemaId(message)!), message)
    );
  }

  /**
   * `decode` without waiting: undefined while the writer's schema has not been fetched yet. The
   * consumer loops take nearly every record this way, without a promise of its own.
   */
  decodeIfKnown<T extends TopicId>(topic: T, message: Buffer): TopicValues[T] | undefined {
    const id = wireSchemaId(message);
    if (id === undefined) {
      throw new SerdeError(
        'SERDE_DECODE_FAILED',
        `decode ${this.topics[topic]}: not in Confluent wire format (no magic byte 0 and schema id)`,
      );
    }
    const decoder = this.decoders.get(topic)?.get(id);
    return decoder && this.read(topic, decoder, message);
  }

  private read<T extends TopicId>(
    topic: T,
    decoder: (payload: Buffer) => unknown,
    message: Buffer,
  ): TopicValues[T] {
    try {
      return decoder(message.subarray(5)) as TopicValues[T];
    } catch (err) {
      throw new SerdeError('SERDE_DECODE_FAILED', `decode ${this.topics[topic]}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /**
   * What `registry.decode(message, { AVRO: { readerSchema } })` does, with the reader type compiled
   * once per topic and the writer-to-reader resolver once per writer schema: the client builds
   * both on every call, which took a third of a processor's CPU.
   * Whatever stops the writer schema from being fetched is the registry's fault, never the
   * record's (retriable, so callers hold); a writer schema that cannot be read as this topic's
   * is the record's (it was not written for this topic).
   */
  private async decoder(topic: TopicId, id: number): Promise<(payload: Buffer) => unknown> {
    const action = `decode ${this.topics[topic]}: schema id ${id}`;
    let writer: avsc.Type;
    try {
      // For an Avro schema the client answers with the avsc Type it compiled from it.
      writer = (await this.registry.getSchema(id)) as unknown as avsc.Type;
    } catch (err) {
      const status = statusOf(err);
      throw (status === 401 || status === 403 || status === 404) && !networkFailure.test(String(err))
        ? registryRefused(action, status, err)
        : registryUnavailable(action, err);
    }
    const earlier = earlierValues[topic];
    const isEarlier = earlier !== undefined && writer.name === earlier.fullName;
    let decode: (payload: Buffer) => unknown;
    try {
      if (isEarlier) {
        const read = resolvedReader(avsc.Type.forSchema(loadSchema(earlier.schema)), writer);
        decode = (payload) => earlier.upgrade(read(payload) as never);
      } else {
        decode = resolvedReader(this.typeOf(topic), writer);
      }
    } catch (err) {
      throw new SerdeError(
        'SERDE_DECODE_FAILED',
        `${action}: not readable as ${topicSchema(topic).name}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
    let byId = this.decoders.get(topic);
    if (!byId) this.decoders.set(topic, (byId = new Map<number, (payload: Buffer) => unknown>()));
    byId.set(id, decode);
    return decode;
  }

  private async setCompatibility(subject: string, level: 'BACKWARD'): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/vnd.schemaregistry.v1+json' };
    if (this.settings.auth) {
      headers.authorization = `Basic ${Buffer.from(`${this.settings.auth.username}:${this.settings.auth.password}`).toString('base64')}`;
    }
    const response = await fetch(
      `${this.settings.url.replace(/\/$/, '')}/config/${encodeURIComponent(subject)}`,
      {
        method: 'PUT',
        headers,
        body: JSON.stringify({ compatibility: level }),
        signal: AbortSignal.timeout(5000),
      },
    );
    if (!response.ok) {
      throw registryError(
        `set ${level} on ${subject}`,
        Object.assign(new Error(await response.text()), { status: response.status }),
      );
    }
  }
}
