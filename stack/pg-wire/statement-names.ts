import type { FrontendMessage } from './protocol.js';

/**
 * Gives each client's named prepared statements names of their own on the one shared session.
 *
 * Several clients share one PGlite session, switching at transaction boundaries, so two clients
 * preparing "upsert_1" would otherwise meet (the second Parse fails with 42P05, or worse, a Bind
 * runs the other client's statement). Every name a client uses in Parse, Bind, Describe and Close
 * is mapped to `c<client>_<n>`; the unnamed statement and portals are left alone: they do not
 * outlive a transaction or a Sync, and the session never changes hands inside one.
 */
export class StatementNames {
  private readonly byClientName = new Map<string, string>();
  private next = 0;

  constructor(private readonly clientId: number) {}

  /** The server-side names in use, to close them when the client leaves. */
  serverNames(): string[] {
    return [...this.byClientName.values()];
  }

  /** The message as it should reach the session: unchanged unless it names a prepared statement. */
  rewrite(message: FrontendMessage): FrontendMessage {
    switch (message.type) {
      case 'P': // Parse: statement name first
        return this.renameAt(message, 5);
      case 'B': {
        // Bind: portal name, then statement name
        const portalEnd = message.bytes.indexOf(0, 5);
        return portalEnd < 0 ? message : this.renameAt(message, portalEnd + 1);
      }
      case 'D': // Describe: 'S' statement or 'P' portal, then the name
        return message.bytes[5] === 0x53 ? this.renameAt(message, 6) : message;
      case 'C': {
        // Close: 'S' statement or 'P' portal, then the name; a closed statement's name is free again
        if (message.bytes[5] !== 0x53) return message;
        const renamed = this.renameAt(message, 6);
        const nameEnd = message.bytes.indexOf(0, 6);
        if (nameEnd > 6) this.byClientName.delete(message.bytes.toString('utf8', 6, nameEnd));
        return renamed;
      }
      default:
        return message;
    }
  }

  private renameAt(message: FrontendMessage, start: number): FrontendMessage {
    const end = message.bytes.indexOf(0, start);
    if (end <= start) return message; // unnamed (or malformed: the backend will say so)
    const clientName = message.bytes.toString('utf8', start, end);
    let serverName = this.byClientName.get(clientName);
    if (serverName === undefined) {
      serverName = `c${this.clientId}_${this.next++}`;
      this.byClientName.set(clientName, serverName);
    }
    const head = message.bytes.subarray(0, start);
    const tail = message.bytes.subarray(end);
    const name = Buffer.from(serverName, 'utf8');
    const bytes = Buffer.concat([head, name, tail]);
    bytes.writeInt32BE(bytes.length - 1, 1);
    return { type: message.type, bytes };
  }
}
