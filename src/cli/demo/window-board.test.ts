import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WindowBoard } from './window-board.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);

function board(top = 2) {
  const printed: string[] = [];
  return { board: new WindowBoard({ write: (text) => printed.push(text), top }), printed };
}

const views = (start: number, page: string, n: number) => ({
  window_start: start,
  window_end: start + MINUTE,
  page,
  views: n,
});
const activity = (start: number, user_id: string, events: number, clicks: number) => ({
  window_start: start,
  window_end: start + MINUTE,
  user_id,
  events,
  clicks,
});

test('one block per window, in window order, with the top rows of each table and the total views', () => {
  const { board: b, printed } = board(2);
  // Rows of the later window arrive first.
  b.addPageViews(views(T0 + MINUTE, '/cart', 4));
  b.addPageViews(views(T0, '/home', 3));
  b.addPageViews(views(T0, '/cart', 9));
  b.addPageViews(views(T0, '/about', 1));
  b.addUserMetrics(activity(T0, 'u1', 2, 1));
  b.addUserMetrics(activity(T0, 'u2', 7, 0));
  b.addUserMetrics(activity(T0, 'u3', 5, 5));
  b.flush();
  assert.equal(printed.length, 2);
  assert.equal(b.windowsShown(), 2);
  const first = (printed[0] ?? '').split('\n');
  assert.equal(first[0], '── window 12:00:00–12:01:00 UTC · 13 page views ──');
  assert.match(first[1] ?? '', /^\s+page\s+views\s+user\s+events\s+clicks$/);
  // Pages by views and users by events, highest first, two of each.
  assert.deepEqual(
    first.slice(2, -2).map((line) => line.trim().split(/\s+/)),
    [
      ['/cart', '9', 'u2', '7', '0'],
      ['/home', '3', 'u3', '5', '5'],
    ],
  );
  assert.equal(printed[0]?.endsWith('\n\n'), true, 'a blank line after each block');
  const second = (printed[1] ?? '').split('\n');
  assert.equal(second[0], '── window 12:01:00–12:02:00 UTC · 4 page views ──');
  assert.deepEqual(second[2]?.trim().split(/\s+/), ['/cart', '4']);
});

test('a window is printed once: later flushes and late rows for it print nothing', () => {
  const { board: b, printed } = board();
  b.addPageViews(views(T0, '/home', 3));
  b.flush();
  b.flush();
  b.addPageViews(views(T0, '/late', 1));
  b.addUserMetrics(activity(T0, 'u1', 1, 1));
  b.flush();
  assert.equal(printed.length, 1);
  b.addUserMetrics(activity(T0 + 2 * MINUTE, 'u9', 1, 0));
  b.flush();
  assert.equal(printed.length, 2);
  // A window with user rows only still gets its block, with empty page columns.
  assert.match(
    printed[1] ?? '',
    /^── window 12:02:00–12:03:00 UTC · 0 page views ──\n.*\n {28}u9\s+1\s+0\n\n$/,
  );
  assert.equal(b.windowsShown(), 2);
});

test('a block prints by itself once its rows stop arriving', async () => {
  let resolveWrite: (text: string) => void = () => undefined;
  const written = new Promise<string>((resolve) => {
    resolveWrite = resolve;
  });
  const b = new WindowBoard({ write: (text) => resolveWrite(text), top: 5 });
  b.addPageViews(views(T0, '/home', 2));
  b.addUserMetrics(activity(T0, 'u1', 2, 0));
  assert.match(await written, /^── window 12:00:00–12:01:00 UTC · 2 page views ──/);
  assert.equal(b.windowsShown(), 1);
  b.flush(); // nothing left; also clears any timer
});
