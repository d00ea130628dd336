/**
 * The pieces of the PostgreSQL frontend/backend protocol the wire server needs
 * (https://www.postgresql.org/docs/current/protocol-message-formats.html).
 */

/** Request codes of the untyped first messages of a connection. */
export const SSL_REQUEST = 80877103;
export const GSSENC_REQUEST = 80877104;
export const CANCEL_REQUEST = 80877102;
export const PROTOCOL_3 = 196608;

/** One whole frontend message: its type byte ('' for the untyped startup-phase ones) and its bytes. */
export interface FrontendMessage {
  type: string;
  bytes: Buffer;
}

/**
 * Splits a byte stream into whole protocol messages. In the startup phase a message is an int32
 * length that counts itself and its body; after the StartupMessage, a type byte, then an int32
 * length that counts itself but not the type byte.
 */
export class MessageFramer {
  /** Received bytes not yet returned; joined only when a whole message is there (a large Bind
   * arrives in many socket reads, and joining on every read would copy it over and over). */
  private parts: Buffer[] = [];
  private buffered = 0;
  private typed = false;

  /** Adds bytes; returns the messages now complete, in order (none while one is still partial). */
  push(chunk: Buffer): FrontendMessage[] {
    this.parts.push(chunk);
    this.buffered += chunk.length;
    const needed = this.nextLength();
    if (needed === undefined || this.buffered < needed) return [];
    const buffer = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const messages: FrontendMessage[] = [];
    let offset = 0;
    for (;;) {
      const headerBytes = this.typed ? 5 : 4;
      if (buffer.length - offset < headerBytes) break;
      const length = this.typed ? buffer.readInt32BE(offset + 1) + 1 : buffer.readInt32BE(offset);
      if (length < headerBytes) throw new ProtocolViolation(`message length ${length} is below its header`);
      if (buffer.length - offset < length) break;
      const bytes = buffer.subarray(offset, offset + length);
      messages.push({ type: this.typed ? String.fromCharCode(bytes[0]!) : '', bytes });
      offset += length;
      // Only a StartupMessage ends the untyped phase; an SSL or GSS request is followed by another untyped one.
      if (!this.typed && length >= 8 && bytes.readInt32BE(4) === PROTOCOL_3) this.typed = true;
    }
    const rest = buffer.subarray(offset);
    this.parts = rest.length > 0 ? [rest] : [];
    this.buffered = rest.length;
    return messages;
  }

  /** The length of the first buffered message, once its header is there. */
  private nextLength(): number | undefined {
    const headerBytes = this.typed ? 5 : 4;
    if (this.buffered < headerBytes) return undefined;
    let head = this.parts[0]!;
    for (let i = 1; head.length < headerBytes; i++) head = Buffer.concat([head, this.parts[i]!]);
    return this.typed ? head.readInt32BE(1) + 1 : head.readInt32BE(0);
  }
}

export class ProtocolViolation extends Error {
  override name = 'ProtocolViolation';
}

function typed(type: string, body: Buffer): Buffer {
  const message = Buffer.alloc(5 + body.length);
  message.write(type, 0, 'latin1');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}

export const cstring = (text: string): Buffer => Buffer.from(`${text}\0`, 'utf8');

export const authenticationOk = (): Buffer => typed('R', Buffer.from([0, 0, 0, 0]));

export function backendKeyData(processId: number, secretKey: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeInt32BE(processId, 0);
  body.writeInt32BE(secretKey, 4);
  return typed('K', body);
}

export const readyForQuery = (status: 'I' | 'T' | 'E'): Buffer => typed('Z', Buffer.from(status, 'latin1'));

export const sync = (): Buffer => typed('S', Buffer.alloc(0));
export const simpleQuery = (sql: string): Buffer => typed('Q', cstring(sql));
export const closeStatement = (name: string): Buffer =>
  typed('C', Buffer.concat([Buffer.from('S'), cstring(name)]));

/** An ErrorResponse; FATAL tells the client the server is closing the connection. */
export function errorResponse(severity: 'ERROR' | 'FATAL', sqlstate: string, message: string): Buffer {
  return postgresErrorResponse({ severity, code: sqlstate, message });
}

export const commandComplete = (tag: string): Buffer => typed('C', cstring(tag));

/**
 * A CopyInResponse: the client may now send CopyData until CopyDone or CopyFail. Overall format
 * 0 text (CSV too) or 1 binary, then the column count and each column's format.
 */
export function copyInResponse(binary: boolean, columns: number): Buffer {
  const body = Buffer.alloc(3 + 2 * columns);
  body.writeInt8(binary ? 1 : 0, 0);
  body.writeInt16BE(columns, 1);
  for (let i = 0; i < columns; i++) body.writeInt16BE(binary ? 1 : 0, 3 + 2 * i);
  return typed('G', body);
}

/** The fields of a PostgreSQL error as node-postgres's parser (and so PGlite's) names them. */
export interface PostgresErrorFields {
  message: string;
  severity: string;
  code: string;
  detail?: string | undefined;
  hint?: string | undefined;
  position?: string | undefined;
  internalPosition?: string | undefined;
  internalQuery?: string | undefined;
  where?: string | undefined;
  schema?: string | undefined;
  table?: string | undefined;
  column?: string | undefined;
  dataType?: string | undefined;
  constraint?: string | undefined;
  file?: string | undefined;
  line?: string | undefined;
  routine?: string | undefined;
}

/** Each field's code in an ErrorResponse. */
const errorFieldCodes: ReadonlyArray<[keyof PostgresErrorFields, string]> = [
  ['severity', 'S'],
  ['severity', 'V'],
  ['code', 'C'],
  ['message', 'M'],
  ['detail', 'D'],
  ['hint', 'H'],
  ['position', 'P'],
  ['internalPosition', 'p'],
  ['internalQuery', 'q'],
  ['where', 'W'],
  ['schema', 's'],
  ['table', 't'],
  ['column', 'c'],
  ['dataType', 'd'],
  ['constraint', 'n'],
  ['file', 'F'],
  ['line', 'L'],
  ['routine', 'R'],
];

/** An error PGlite threw for a statement: PostgreSQL's error, with its fields. */
export function isPostgresError(err: unknown): err is Error & PostgresErrorFields {
  const fields = err as Partial<PostgresErrorFields> | undefined;
  return err instanceof Error && typeof fields?.severity === 'string' && typeof fields.code === 'string';
}

/** An error the backend raised, sent on to a client with every field it had (or `overrides`). */
export function postgresErrorResponse(
  fields: PostgresErrorFields,
  overrides: Partial<PostgresErrorFields> = {},
): Buffer {
  const parts: Buffer[] = [];
  for (const [name, code] of errorFieldCodes) {
    const value = name in overrides ? overrides[name] : fields[name];
    if (value !== undefined) parts.push(cstring(`${code}${value}`));
  }
  return typed('E', Buffer.concat([...parts, Buffer.from([0])]));
}

/** The bytes of a Query's or Parse's SQL text (undefined for other messages). */
export function messageSqlBytes(message: FrontendMessage): Buffer | undefined {
  const start = message.type === 'Q' ? 5 : message.type === 'P' ? message.bytes.indexOf(0, 5) + 1 : 0;
  if (start <= 0) return undefined;
  const end = message.bytes.indexOf(0, start);
  return end < 0 ? undefined : message.bytes.subarray(start, end);
}

/** The Query or Parse message with other SQL (a Parse keeps its name and declares no parameter types). */
export function withSql(message: FrontendMessage, sql: string): FrontendMessage {
  if (message.type === 'Q') return { type: 'Q', bytes: simpleQuery(sql) };
  const nameEnd = message.bytes.indexOf(0, 5);
  const name = message.bytes.subarray(5, nameEnd + 1);
  return { type: 'P', bytes: typed('P', Buffer.concat([name, cstring(sql), Buffer.alloc(2)])) };
}

/** What a backend reply says about the session once it has been sent. */
export interface ReplySummary {
  /** The status of the reply's last ReadyForQuery (I idle, T in a transaction, E failed one), if any. */
  readyStatus: 'I' | 'T' | 'E' | undefined;
  /** A CopyInResponse or CopyBothResponse: the backend now waits for copy data, not for a Sync. */
  awaitsCopyData: boolean;
}

export function summariseReply(reply: Uint8Array): ReplySummary {
  let readyStatus: ReplySummary['readyStatus'];
  let awaitsCopyData = false;
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  for (let i = 0; i + 5 <= view.length;) {
    const type = view[i]!;
    const length = view.readInt32BE(i + 1);
    if (type === 0x5a /* Z */ && i + 5 < view.length) {
      readyStatus = String.fromCharCode(view[i + 5]!) as 'I' | 'T' | 'E';
      awaitsCopyData = false;
    } else if (type === 0x47 /* G */ || type === 0x57 /* W */) {
      awaitsCopyData = true;
    }
    if (length < 4) break;
    i += 1 + length;
  }
  return { readyStatus, awaitsCopyData };
}

/** The ParameterStatus messages of a reply, kept to answer later clients' startups the same way. */
export function parameterStatusMessages(reply: Uint8Array): Buffer[] {
  const view = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  const out: Buffer[] = [];
  for (let i = 0; i + 5 <= view.length;) {
    const length = view.readInt32BE(i + 1);
    if (length < 4) break;
    if (view[i] === 0x53 /* S */) out.push(Buffer.from(view.subarray(i, i + 1 + length)));
    i += 1 + length;
  }
  return out;
}

/** Message types and their offsets, for a log line about a chunk. */
export function describeMessages(messages: readonly FrontendMessage[]): string {
  let offset = 0;
  return messages
    .map((m) => {
      const part = `${m.type}@${offset}+${m.bytes.length}`;
      offset += m.bytes.length;
      return part;
    })
    .join(' ');
}
