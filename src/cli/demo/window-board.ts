/** A result row of the clickstream job, as read back from its output topics. */
export interface WindowRow {
  readonly window_start: number;
  readonly window_end: number;
  readonly [field: string]: unknown;
}

export interface BoardOptions {
  readonly write: (text: string) => void;
  /** Rows shown per table. */
  readonly top: number;
}

/**
 * Collects page-views and user-metrics rows per window and prints one readable block per window once
 * its rows have arrived (a window's rows are written together, so a quiet moment means it is complete).
 */
export class WindowBoard {
  private readonly pages = new Map<number, { page: string; views: number }[]>();
  private readonly users = new Map<number, { user: string; events: number; clicks: number }[]>();
  private readonly printed = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private readonly options: BoardOptions;

  constructor(options: BoardOptions) {
    this.options = options;
  }

  addPageViews(row: WindowRow): void {
    const list = this.pages.get(row.window_start) ?? [];
    list.push({ page: String(row.page), views: Number(row.views) });
    this.pages.set(row.window_start, list);
    this.schedule();
  }

  addUserMetrics(row: WindowRow): void {
    const list = this.users.get(row.window_start) ?? [];
    list.push({ user: String(row.user_id), events: Number(row.events), clicks: Number(row.clicks) });
    this.users.set(row.window_start, list);
    this.schedule();
  }

  windowsShown(): number {
    return this.printed.size;
  }

  /** Prints every window not printed yet. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const starts = [...new Set([...this.pages.keys(), ...this.users.keys()])].sort((a, b) => a - b);
    for (const start of starts) {
      if (this.printed.has(start)) continue;
      this.printed.add(start);
      this.options.write(this.render(start));
    }
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), 300);
  }

  private render(start: number): string {
    const time = (ms: number) => new Date(ms).toISOString().slice(11, 19);
    const pages = [...(this.pages.get(start) ?? [])]
      .sort((a, b) => b.views - a.views)
      .slice(0, this.options.top);
    const users = [...(this.users.get(start) ?? [])]
      .sort((a, b) => b.events - a.events)
      .slice(0, this.options.top);
    const totalViews = (this.pages.get(start) ?? []).reduce((sum, p) => sum + p.views, 0);
    const lines = [`── window ${time(start)}–${time(start + 60_000)} UTC · ${totalViews} page views ──`];
    const rows = Math.max(pages.length, users.length);
    lines.push(
      `  ${'page'.padEnd(16)}${'views'.padStart(6)}    ${'user'.padEnd(10)}${'events'.padStart(7)}${'clicks'.padStart(7)}`,
    );
    for (let i = 0; i < rows; i++) {
      const p = pages[i];
      const u = users[i];
      const left = p ? `${p.page.padEnd(16)}${String(p.views).padStart(6)}` : ' '.repeat(22);
      const right = u
        ? `${u.user.padEnd(10)}${String(u.events).padStart(7)}${String(u.clicks).padStart(7)}`
        : '';
      lines.push(`  ${left}    ${right}`);
    }
    return `${lines.join('\n')}\n\n`;
  }
}
