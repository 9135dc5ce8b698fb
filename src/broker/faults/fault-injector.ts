// Fault injection for tests: rules that make the broker misbehave the way networks and overloaded
// brokers do — lose a response after the request took effect, answer late, drop the connection, or answer
// a retriable error without doing anything. Only `startBroker({ faults })` enables it; nothing a client
// sends can. See docs/internals/fault-injection.md.

import { StreamError } from '../../common/errors.ts';
import type { MessageSchema } from '../../protocol/index.ts';
import { NO_RESPONSE } from '../handlers/handler.ts';
import type { ConnectionInfo } from '../server/connection.ts';
import { canAnswerWithError, errorResponse, requestTopics } from './error-response.ts';

/** What a rule does to a matching request. */
export type FaultAction =
  /** Run the request, then close the connection instead of answering (the classic retry-duplicate case). */
  | { readonly type: 'drop-response' }
  /** Run the request and answer `ms` later. */
  | { readonly type: 'delay-response'; readonly ms: number }
  /** Close the connection without running the request. */
  | { readonly type: 'close-before' }
  /** Answer `errorCode` (e.g. 6 NOT_LEADER_OR_FOLLOWER, 7 REQUEST_TIMED_OUT) without running the request. */
  | { readonly type: 'error-response'; readonly errorCode: number };

/** Which requests a rule applies to, and how often. */
export interface FaultRule {
  /** Kafka API key (0 Produce, 1 Fetch, 22 InitProducerId, ...). */
  readonly apiKey: number;
  /** Only requests naming this topic (Produce, Fetch, ListOffsets, Metadata). */
  readonly topic?: string;
  readonly action: FaultAction;
  /** Chance (0–1) that a matching request is hit; 1 by default. */
  readonly probability?: number;
  /** Stop after this many hits; unlimited by default. */
  readonly count?: number;
  /** Let this many matching requests through before the rule starts. */
  readonly skip?: number;
}

/** Options of a FaultInjector. */
export interface FaultInjectorOptions {
  /** Seed of the random choices, so a failing run can be repeated (default 1). */
  seed?: number;
  rules?: readonly FaultRule[];
}

interface ActiveRule {
  readonly rule: FaultRule;
  matched: number;
  hits: number;
}

/**
 * A seeded set of fault rules, handed to `startBroker({ faults })`. The first rule that matches and fires
 * decides; rules can be added and cleared while the broker runs.
 *
 * @example
 * const faults = new FaultInjector({ seed: 7, rules: [
 *   { apiKey: 0, action: { type: 'drop-response' }, probability: 0.1 },
 * ] });
 * const broker = await startBroker({ dataDir, faults });
 */
export class FaultInjector {
  private readonly rules: ActiveRule[] = [];
  private state: number;

  constructor(options: FaultInjectorOptions = {}) {
    this.state = (options.seed ?? 1) >>> 0;
    for (const rule of options.rules ?? []) this.add(rule);
  }

  /** Adds a rule after the existing ones. Throws CFG_INVALID_VALUE for a rule that cannot work. */
  add(rule: FaultRule): void {
    const p = rule.probability ?? 1;
    if (!(p >= 0 && p <= 1)) throw invalid(`probability must be between 0 and 1, not ${p}`);
    if (rule.action.type === 'delay-response' && !(rule.action.ms >= 0)) {
      throw invalid(`delay must be a non-negative number of ms, not ${rule.action.ms}`);
    }
    this.rules.push({ rule, matched: 0, hits: 0 });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules.length = 0;
  }

  /** How many times each rule fired, in rule order. */
  hits(): number[] {
    return this.rules.map((r) => r.hits);
  }

  /** The action for a request, or null to serve it normally. Consumes randomness only for matching rules. */
  pick(apiKey: number, request: unknown): FaultAction | null {
    let topics: string[] | null = null;
    for (const active of this.rules) {
      const { rule } = active;
      if (rule.apiKey !== apiKey) continue;
      if (rule.topic !== undefined) {
        topics ??= requestTopics(request);
        if (!topics.includes(rule.topic)) continue;
      }
      if (rule.count !== undefined && active.hits >= rule.count) continue;
      active.matched++;
      if (active.matched <= (rule.skip ?? 0)) continue;
      if (this.random() >= (rule.probability ?? 1)) continue;
      active.hits++;
      return rule.action;
    }
    return null;
  }

  /**
   * Serves one request through the rules: `run` is the handler. Returns what the dispatcher should
   * encode, or NO_RESPONSE after marking the connection to close.
   */
  async intercept<R>(
    schema: MessageSchema,
    apiVersion: number,
    request: unknown,
    connection: ConnectionInfo,
    run: () => R | Promise<R>,
  ): Promise<R | unknown> {
    const action = this.pick(schema.apiKey, request);
    if (action === null) return run();
    switch (action.type) {
      case 'close-before':
        connection.closeAfterResponse = true;
        return NO_RESPONSE;
      case 'error-response':
        if (canAnswerWithError(schema, apiVersion)) return errorResponse(schema, request, action.errorCode);
        connection.closeAfterResponse = true; // no error field to put it in: a lost connection instead
        return NO_RESPONSE;
      case 'drop-response': {
        await run();
        connection.closeAfterResponse = true;
        return NO_RESPONSE;
      }
      case 'delay-response': {
        const result = await run();
        await new Promise((resolve) => setTimeout(resolve, action.ms));
        return result;
      }
    }
  }

  /** mulberry32: small, fast and good enough to spread faults; the same seed gives the same run. */
  private random(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

function invalid(message: string): StreamError {
  return new StreamError('CFG_INVALID_VALUE', `fault rule: ${message}`);
}
