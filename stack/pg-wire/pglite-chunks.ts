import type { FrontendMessage } from './protocol.js';

/**
 * PGlite's receive buffer (PQ_RECV_BUFFER_SIZE in PostgreSQL's pqcomm.c).
 */
export const PGLITE_RECV_BUFFER_BYTES = 8192;

/**
 * Groups messages into the chunks one `execProtocolRaw` call may take.
 *
 * PGlite's raw-protocol entry (`interactive_one.c`) goes on to the next message only while its C
 * receive buffer still holds bytes (`pq_buffer_remaining_data() > 0`); it does not look at the
 * bytes still waiting on the JS side. The first read of a call fills the buffer with up to 8,192
 * bytes; if a message ends exactly where that buffer ends, the loop stops and every later message of
 * the chunk is dropped without an answer (issue 12: Parse+Bind ending at byte 8,192 lost Execute and
 * Sync, and the client waited for ever). Once a message has run past the first buffer, the refills
 * are no longer aligned to the chunk, so no later boundary is safe either.
 *
 * So a chunk only grows while every boundary inside it lies strictly within its first 8,192 bytes:
 * the message that crosses (or reaches) that mark ends the chunk. Small pipelines (a whole
 * Parse/Bind/Describe/Execute/Sync) still go in one call; a large Bind goes with what precedes it
 * and the rest of the pipeline follows in the next call.
 */
export function pgliteChunks(messages: readonly FrontendMessage[]): FrontendMessage[][] {
  const chunks: FrontendMessage[][] = [];
  let current: FrontendMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    current.push(message);
    bytes += message.bytes.length;
    if (bytes >= PGLITE_RECV_BUFFER_BYTES) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
