import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import { ManualClock } from '../common/time.ts';
import { BACKEND_KINDS, type BackendKind, testBackend } from './testing-support/backends.ts';

function setup(t: TestContext, kind: BackendKind) {
  const clock = new ManualClock(1_000);
  // lmdb with a small cache, so sweeps and reads go through lmdb too.
  const b = testBackend(t, kind, { clock, cacheRows: 4 });
  b.setCurrentKey('k');
  return { clock, b, store: b.store() };
}

for (const kind of BACKEND_KINDS)
  test(`${kind}: a value expires ttl ms after its last write and then reads as absent`, (t) => {
    const { clock, b, store } = setup(t, kind);
    const state = store.getState<number>({ kind: 'value', name: 'v', ttl: { ttl: 100 } });
    state.update(1);
    clock.set(1_050);
    state.update(2); // writing restarts the clock
    clock.set(1_149);
    assert.equal(state.value(), 2);
    clock.set(1_150);
    assert.equal(state.value(), undefined);
    assert.equal(b.keyCount(), 0, 'reading an expired value cleans it up');
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: create-and-write does not extend on read; read-and-write does`, (t) => {
    const { clock, store } = setup(t, kind);
    const plain = store.getState<number>({ kind: 'value', name: 'plain', ttl: { ttl: 100 } });
    const touched = store.getState<number>({
      kind: 'value',
      name: 'touched',
      ttl: { ttl: 100, updateOn: 'read-and-write' },
    });
    plain.update(1);
    touched.update(1);
    clock.set(1_080);
    assert.equal(plain.value(), 1);
    assert.equal(touched.value(), 1); // refreshed to expire at 1180
    clock.set(1_120);
    assert.equal(plain.value(), undefined);
    assert.equal(touched.value(), 1);
    clock.set(1_220);
    assert.equal(touched.value(), undefined);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: return-expired-if-not-cleaned-up returns the expired value once, then it is gone`, (t) => {
    const { clock, store } = setup(t, kind);
    const state = store.getState<string>({
      kind: 'value',
      name: 'v',
      ttl: { ttl: 10, visibility: 'return-expired-if-not-cleaned-up' },
    });
    state.update('old');
    clock.advance(10);
    assert.equal(state.value(), 'old');
    assert.equal(state.value(), undefined);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: list elements and map entries expire one by one`, (t) => {
    const { clock, store } = setup(t, kind);
    const list = store.getListState<string>({ kind: 'list', name: 'l', ttl: { ttl: 100 } });
    const map = store.getMapState<string, number>({ kind: 'map', name: 'm', ttl: { ttl: 100 } });
    list.add('early');
    map.put('early', 1);
    clock.set(1_060);
    list.add('late');
    map.put('late', 2);
    clock.set(1_100);
    assert.deepEqual(list.get(), ['late']);
    assert.equal(map.get('early'), undefined);
    assert.equal(map.has('late'), true);
    assert.deepEqual([...map.entries()], [['late', 2]]);
    clock.set(1_160);
    assert.deepEqual(list.get(), []);
    assert.equal(map.isEmpty(), true);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: reducing and aggregating state start over once expired`, (t) => {
    const { clock, store } = setup(t, kind);
    const sum = store.getReducingState<number>({
      kind: 'reducing',
      name: 's',
      reduce: (a, b) => a + b,
      ttl: { ttl: 50 },
    });
    const n = store.getAggregatingState<number, number, number>({
      kind: 'aggregating',
      name: 'n',
      ttl: { ttl: 50 },
      aggregate: { createAccumulator: () => 0, add: (_v, acc) => acc + 1, getResult: (acc) => acc },
    });
    sum.add(3);
    n.add(3);
    clock.advance(20);
    sum.add(4);
    n.add(4);
    assert.equal(sum.get(), 7);
    assert.equal(n.get(), 2);
    clock.advance(50);
    sum.add(10);
    n.add(10);
    assert.equal(sum.get(), 10);
    assert.equal(n.get(), 1);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: sweepExpired removes expired entries of keys nobody reads again`, (t) => {
    const { clock, b, store } = setup(t, kind);
    const state = store.getState<number>({ kind: 'value', name: 'v', ttl: { ttl: 100 } });
    for (let i = 0; i < 10; i++) {
      b.setCurrentKey(`key-${i}`);
      state.update(i);
    }
    clock.advance(100);
    b.setCurrentKey('fresh');
    state.update(99);
    assert.equal(b.keyCount(), 11);
    assert.equal(b.sweepExpired(), 10);
    assert.equal(b.keyCount(), 1);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: the occasional sweep during writes cleans up expired keys without a read`, (t) => {
    const { clock, b, store } = setup(t, kind);
    const state = store.getState<number>({ kind: 'value', name: 'v', ttl: { ttl: 10 } });
    for (let i = 0; i < 100; i++) {
      b.setCurrentKey(`old-${i}`);
      state.update(i);
    }
    clock.advance(10);
    for (let i = 0; i < 3_000; i++) {
      b.setCurrentKey(`new-${i % 10}`);
      state.update(i);
    }
    assert.equal(b.keyCount(), 10);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: a TTL that is not positive is rejected`, (t) => {
    const { store } = setup(t, kind);
    assert.throws(
      () => store.getState({ kind: 'value', name: 'v', ttl: { ttl: 0 } }),
      (e) => isStreamError(e, 'ENG_INVALID_ARGUMENT'),
    );
  });
