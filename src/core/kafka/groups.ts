/** Consumer group ids of the roles; the topic prefix keeps test deployments apart. */
export function groupIds(prefix: string) {
  return {
    prepare: `${prefix}oddsflow-prepare`,
    enrich: `${prefix}oddsflow-enrich`,
    sinkTimescale: `${prefix}oddsflow-sink-timescale`,
    sinkRedis: `${prefix}oddsflow-sink-redis`,
  };
}

export type GroupIds = ReturnType<typeof groupIds>;
