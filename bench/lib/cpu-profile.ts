// Summarises a V8 `.cpuprofile` (what `node --cpu-prof` writes): where the sampled time went, by
// function (self and inclusive) and by source file, as shares of the main thread's busy time.

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of the `.cpuprofile` JSON this reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One row of a summary: a function or file and the milliseconds sampled in it. */
export interface HotSpot {
  name: string;
  ms: number;
  /** Share of the busy (non-idle) sampled time, in percent. */
  pct: number;
}

export interface ProfileSummary {
  wallMs: number;
  /** Sampled time not spent idle (V8's `(idle)` node), i.e. the main thread's busy time. */
  busyMs: number;
  selfByFunction: HotSpot[];
  inclusiveByFunction: HotSpot[];
  selfByFile: HotSpot[];
}

/**
 * Aggregates a profile. Functions are named `name file:line` with paths shortened to the part after
 * `/src/` or `/node_modules/`; V8's pseudo-frames keep their names (`(garbage collector)`, `(program)`).
 *
 * @example
 * const s = summariseProfile(JSON.parse(readFileSync('x.cpuprofile', 'utf8')), 15);
 */
export function summariseProfile(profile: CpuProfile, top = 20): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  let idleUs = 0;
  // timeDeltas[i] is the time from sample i-1 to sample i; charge it to sample i's frame.
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i] ?? 0;
    const leaf = byId.get(profile.samples[i]);
    if (!leaf) continue;
    if (leaf.callFrame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    add(self, frameName(leaf.callFrame), us);
    add(files, fileName(leaf.callFrame), us);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = frameName(byId.get(id)!.callFrame);
      if (seen.has(name) || name === '(root)') continue; // recursion counts once per sample
      seen.add(name);
      add(inclusive, name, us);
    }
  }
  const wallUs = profile.endTime - profile.startTime;
  const busyUs = Math.max(1, wallUs - idleUs);
  const rows = (m: Map<string, number>): HotSpot[] =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, ms: round(us / 1000), pct: round((100 * us) / busyUs) }));
  return {
    wallMs: round(wallUs / 1000),
    busyMs: round((wallUs - idleUs) / 1000),
    selfByFunction: rows(self),
    inclusiveByFunction: rows(inclusive),
    selfByFile: rows(files),
  };
}

/** Text table of one summary list, for the terminal. */
export function formatHotSpots(title: string, rows: readonly HotSpot[]): string {
  const lines = rows.map(
    (r) => `  ${r.pct.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.name}`,
  );
  return `${title}\n${lines.join('\n')}\n`;
}

function frameName(frame: CallFrame): string {
  if (!frame.url) return frame.functionName || '(anonymous)';
  return `${frame.functionName || '(anonymous)'} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
}

function fileName(frame: CallFrame): string {
  return frame.url ? shortUrl(frame.url) : frame.functionName;
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  for (const marker of ['/node_modules/', '/src/', '/bench/']) {
    const at = path.lastIndexOf(marker);
    if (at >= 0) return path.slice(at + 1);
  }
  return path;
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
