import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type pg from 'pg';
import type { Redis } from 'ioredis';
import { escapeIdentifier } from 'pg';

/** Keys under `prefix`, counted with SCAN (never KEYS, which blocks a shared Redis). */
export async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

export const demoTables = ['odds_snapshots', 'market_pricing', 'events', 'results'] as const;

export async function countRows(pool: pg.Pool, schema: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of demoTables) {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${escapeIdentifier(schema)}.${escapeIdentifier(table)}`,
    );
    counts[table] = Number(rows[0]?.n ?? 0);
  }
  return counts;
}

/**
 * Removes what an earlier demo left under the same prefix: topics, consumer groups, so that a
 * run's summary counts only its own records. Topic deletion is asynchronous in Kafka, so this
 * waits until the broker no longer lists them.
 */
export async function resetDemoTopics(admin: Admin, prefix: string): Promise<void> {
  const { groups } = await admin.listGroups();
  const old = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  if (old.length > 0) await admin.deleteGroups(old).catch(() => undefined);
  const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length === 0) return;
  await admin.deleteTopics({ topics, timeout: 30_000 });
  for (let i = 0; i < 60; i++) {
    if (!(await admin.listTopics()).some((t) => t.startsWith(prefix))) return;
    await sleep(500);
  }
}
