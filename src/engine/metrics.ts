/** Records in and out of one operator subtask (sources count what they read, sinks what they got). */
export interface OperatorMetrics {
  id: number;
  name: string;
  subtask: number;
  recordsIn: number;
  recordsOut: number;
}

/** Counts of records a source or assignTimestampsAndWatermarks could not use, by what became of them. */
export interface BadRecordCounts {
  badRecords: number;
  deadLettered: number;
  skipped: number;
}

/** Counters of the records themselves, per attempt of the job (they start again after a restart). */
export interface RecordMetrics extends BadRecordCounts {
  operators: OperatorMetrics[];
}

export interface CheckpointMetrics {
  completed: number;
  failed: number;
  /** Id of the newest completed checkpoint or savepoint. */
  latest?: number;
  /** Id of the checkpoint or savepoint the current attempt started from. */
  restored?: number;
}

export interface JobMetrics extends RecordMetrics {
  /** How often the job was restarted after a failure. */
  restarts: number;
  checkpoints: CheckpointMetrics;
}

/**
 * The live counters of a job. Tasks increment the objects they were handed; `snapshot` copies them so a
 * reader never sees a half-updated view.
 *
 * @example
 * const registry = new MetricsRegistry();
 * registry.operator(3, 'parse', 0).recordsIn += 100;
 * registry.snapshot().operators[0].recordsIn; // 100
 */
export class MetricsRegistry {
  readonly badRecords: BadRecordCounts = { badRecords: 0, deadLettered: 0, skipped: 0 };
  private readonly operators: OperatorMetrics[] = [];

  operator(id: number, name: string, subtask: number): OperatorMetrics {
    const metrics: OperatorMetrics = { id, name, subtask, recordsIn: 0, recordsOut: 0 };
    this.operators.push(metrics);
    return metrics;
  }

  snapshot(): RecordMetrics {
    return {
      operators: this.operators
        .map((metrics) => ({ ...metrics }))
        .sort((a, b) => a.id - b.id || a.subtask - b.subtask),
      ...this.badRecords,
    };
  }
}
