import type { ErrorCodeRegistry } from './spec.ts';

/** Errors of the stream-processing runtime. Codes are added with the code that raises them. */
export const ENG_CODES = {
  ENG_USER_FUNCTION_FAILED: {
    domain: 'user',
    retriable: false,
    summary:
      'A user function threw while processing an element; the message names the operator and the element.',
  },
  ENG_INVALID_JOB: {
    domain: 'user',
    retriable: false,
    summary:
      'The job graph cannot run (no sink, a window without a function or trigger, parallelism above maxParallelism...); the message lists every problem.',
  },
  ENG_INVALID_ARGUMENT: {
    domain: 'user',
    retriable: false,
    summary:
      'A DataStream API call got an argument it cannot use (a window size of 0, a parallelism of 1.5, an empty name...).',
  },
  ENG_STATE_DESCRIPTOR_CONFLICT: {
    domain: 'user',
    retriable: false,
    summary:
      'Two keyed state descriptors of one operator share a name but differ in kind or TTL; give each state its own name.',
  },
  ENG_AGGREGATE_MERGE_MISSING: {
    domain: 'user',
    retriable: false,
    summary:
      'An aggregate function without merge() is used where accumulators must merge (session windows); add merge(a, b).',
  },
  ENG_KEY_GROUP_OUT_OF_RANGE: {
    domain: 'internal',
    retriable: false,
    summary: 'Keyed state was written for a key whose key group this subtask does not own (a routing bug).',
  },
  ENG_MISSING_TIMESTAMP: {
    domain: 'user',
    retriable: false,
    summary:
      'An element without an event timestamp reached an event-time window; assign timestamps at the source or with assignTimestampsAndWatermarks.',
  },
  ENG_HARNESS_MISUSE: {
    domain: 'user',
    retriable: false,
    summary:
      'The operator test harness was used in a way it does not support; the message says what to call instead.',
  },
  ENG_BAD_RECORD: {
    domain: 'user',
    retriable: false,
    summary:
      "A source or assignTimestampsAndWatermarks got a record it cannot use (undecodable, no valid timestamp) under the 'fail' bad-record policy.",
  },
  ENG_INTERNAL: {
    domain: 'internal',
    retriable: false,
    summary:
      'The runtime hit an unexpected exception (a bug in eddy or in a connector); the message names the task.',
  },
  ENG_STATE_WITHOUT_KEY: {
    domain: 'user',
    retriable: false,
    summary:
      'Keyed state was written where no key is set (in open() or close()); use it in processElement or onTimer.',
  },
  ENG_CHECKPOINT_FAILED: {
    domain: 'external',
    retriable: true,
    summary:
      'A checkpoint or savepoint could not be completed (a snapshot write failed, it timed out, the job stopped meanwhile); the message says which and why.',
  },
  ENG_CHECKPOINT_UNAVAILABLE: {
    domain: 'user',
    retriable: false,
    summary:
      'A checkpoint or savepoint was asked for while the job cannot take one (every source has finished, the job is stopping, a stop is already under way).',
  },
  ENG_RESTORE_FAILED: {
    domain: 'user',
    retriable: false,
    summary:
      'A checkpoint or savepoint cannot be restored into this job (missing or unreadable files, state of an operator uid the job no longer has, another maxParallelism); the message says what to change.',
  },
  ENG_SINK_COMMIT_FAILED: {
    domain: 'external',
    retriable: true,
    summary:
      "A sink could not commit a checkpoint's output; the job fails and restarts if its restart strategy allows.",
  },
  ENG_JOB_ALREADY_RUNNING: {
    domain: 'user',
    retriable: false,
    summary:
      'Another process runs a job with this id on this state directory (its control socket answers); stop it first or use another --job-id.',
  },
  ENG_SNAPSHOT_CORRUPT: {
    domain: 'external',
    retriable: false,
    summary:
      'A snapshot file is incomplete (torn write) or damaged (checksum mismatch); restore an earlier checkpoint or savepoint.',
  },
  ENG_JOB_NOT_RUNNING: {
    domain: 'user',
    retriable: false,
    summary:
      'No job with this id runs on this state directory (nothing answers on its control socket); check the job id and --state-dir.',
  },
  ENG_RECORD_NOT_TRANSFERABLE: {
    domain: 'user',
    retriable: false,
    summary:
      'A record cannot cross to another worker thread (parallelism > 1): it holds a function, symbol, class instance or other value that is not plain data; the message names what was found.',
  },
  ENG_GROUP_OPTIONS_INVALID: {
    domain: 'user',
    retriable: false,
    summary:
      'joinJobGroup got options it cannot use (no group id, a task count below 1, a heartbeat interval not below the session timeout...); the message names the option.',
  },
  ENG_GROUP_MEMBERSHIP_FAILED: {
    domain: 'external',
    retriable: true,
    summary:
      "A job process cannot join or stay in its job's consumer group (cluster unreachable, or the broker refused the join, e.g. a session timeout outside its group.min/max.session.timeout.ms).",
  },
  ENG_GROUP_ASSIGNMENT_INVALID: {
    domain: 'user',
    retriable: false,
    summary:
      "The job's group cannot assign its tasks: members disagree on the task count, a custom assignor left a task unowned or gave one twice, or a member sent bytes this eddy cannot read.",
  },
  ENG_RECORD_NOT_SERIALIZABLE: {
    domain: 'user',
    retriable: false,
    summary:
      'A record cannot be written to a repartition topic to cross to another process: it holds a function, symbol or class instance, not plain data; the message names what was found.',
  },
  ENG_REPARTITION_RECORD_INVALID: {
    domain: 'external',
    retriable: false,
    summary:
      'A record in a repartition topic cannot be read (another program wrote it, another eddy version, another task count); the message names the topic, partition and offset.',
  },
} as const satisfies ErrorCodeRegistry;
