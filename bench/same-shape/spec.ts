/** An output of a same-shape stage: `perInput` messages per input record on average, copied from `source`. */
export interface ShapedOutput {
  topic: string;
  /** The pipeline topic whose recorded messages (keys and bytes) are sent. */
  source: string;
  perInput: number;
}

export interface CopyStageSpec {
  group: string;
  inputs: string[];
  outputs: ShapedOutput[];
}

/** What one same-shape process runs (bench/same-shape/stage.ts), passed as JSON in BENCH_SAME_SHAPE. */
export type SameShapeSpec =
  | {
      role: 'processors';
      prepare: CopyStageSpec;
      enrich: CopyStageSpec;
      /** Input records per transaction, as ODDSFLOW_TRANSACTION_MAX_RECORDS. */
      chunkRecords: number;
      sinkBatchRecords: number;
    }
  | {
      role: 'sinks';
      sinks: { group: string; inputs: string[] }[];
      chunkRecords: number;
      /** Records per commit, as ODDSFLOW_SINK_BATCH_RECORDS. */
      sinkBatchRecords: number;
    };
