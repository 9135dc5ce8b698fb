import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStreamError } from '../common/errors.ts';
import type {
  AggregatingStateDescriptor,
  ListStateDescriptor,
  MapStateDescriptor,
  ReducingStateDescriptor,
  ValueStateDescriptor,
} from '../plan/state.ts';
import { keyGroupOf } from './key-groups.ts';
import { BACKEND_KINDS, testBackend } from './testing-support/backends.ts';

// Every test runs on both backends; lmdb with a one-row cache, so every key switch goes through lmdb.

const count: ValueStateDescriptor<number> = { kind: 'value', name: 'count' };
const seen: ListStateDescriptor<string> = { kind: 'list', name: 'seen' };
const prices: MapStateDescriptor<string, number> = { kind: 'map', name: 'prices' };
const max: ReducingStateDescriptor<number> = {
  kind: 'reducing',
  name: 'max',
  reduce: (a, b) => Math.max(a, b),
};
const average: AggregatingStateDescriptor<number, { sum: number; n: number }, number> = {
  kind: 'aggregating',
  name: 'avg',
  aggregate: {
    createAccumulator: () => ({ sum: 0, n: 0 }),
    add: (v, acc) => ({ sum: acc.sum + v, n: acc.n + 1 }),
    getResult: (acc) => acc.sum / acc.n,
    merge: (a, b) => ({ sum: a.sum + b.sum, n: a.n + b.n }),
  },
};

for (const kind of BACKEND_KINDS)
  test(`${kind}: value state is per key, has a default, and clears`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    const state = b.store().getState({ ...count, defaultValue: 0 });
    b.setCurrentKey('a');
    assert.equal(state.value(), 0);
    state.update(5);
    b.setCurrentKey('b');
    assert.equal(state.value(), 0);
    state.update(7);
    b.setCurrentKey('a');
    assert.equal(state.value(), 5);
    state.clear();
    assert.equal(state.value(), 0);
    b.setCurrentKey('b');
    assert.equal(state.value(), 7);
    assert.equal(b.keyCount(), 1);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: list state adds, replaces and clears`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    const list = b.store().getListState(seen);
    b.setCurrentKey(1);
    assert.deepEqual(list.get(), []);
    list.add('x');
    list.addAll(['y', 'z']);
    assert.deepEqual(list.get(), ['x', 'y', 'z']);
    list.update(['q']);
    assert.deepEqual(list.get(), ['q']);
    list.update([]);
    assert.deepEqual(list.get(), []);
    assert.equal(b.keyCount(), 0);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: map state puts, reads, iterates and deletes`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    const map = b.store().getMapState(prices);
    b.setCurrentKey('shop');
    assert.equal(map.isEmpty(), true);
    map.put('apple', 3);
    map.put('pear', 4);
    map.put('apple', 5);
    assert.equal(map.get('apple'), 5);
    assert.equal(map.has('pear'), true);
    assert.equal(map.has('plum'), false);
    assert.deepEqual(
      [...map.entries()],
      [
        ['apple', 5],
        ['pear', 4],
      ],
    );
    assert.deepEqual([...map.keys()], ['apple', 'pear']);
    assert.deepEqual([...map.values()], [5, 4]);
    map.delete('apple');
    map.delete('pear');
    assert.equal(map.isEmpty(), true);
    assert.equal(b.keyCount(), 0);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: reducing and aggregating state combine added values`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    const m = b.store().getReducingState(max);
    const avg = b.store().getAggregatingState(average);
    b.setCurrentKey('k');
    assert.equal(m.get(), undefined);
    assert.equal(avg.get(), undefined);
    for (const v of [3, 9, 4]) {
      m.add(v);
      avg.add(v);
    }
    assert.equal(m.get(), 9);
    assert.equal(avg.get(), 16 / 3);
    m.clear();
    assert.equal(m.get(), undefined);
    assert.equal(avg.get(), 16 / 3);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: namespaces keep state apart and clearNamespace drops one of them`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    b.setCurrentKey('k');
    const w1 = b.store('0:10').getListState(seen);
    const w2 = b.store('10:20').getListState(seen);
    const plain = b.store().getListState(seen);
    w1.add('a');
    w2.add('b');
    plain.add('c');
    assert.deepEqual(w1.get(), ['a']);
    assert.deepEqual(w2.get(), ['b']);
    assert.deepEqual(plain.get(), ['c']);
    b.clearNamespace('0:10');
    assert.deepEqual(w1.get(), []);
    assert.deepEqual(w2.get(), ['b']);
    b.clearNamespace('10:20');
    b.clearNamespace('');
    assert.equal(b.keyCount(), 0);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: mergeNamespaces combines every kind into the target and clears the sources`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    b.setCurrentKey('k');
    const [s1, s2, target] = [b.store('s1'), b.store('s2'), b.store('t')];
    s1.getListState(seen).add('a');
    s2.getListState(seen).add('b');
    target.getListState(seen).add('t');
    s1.getReducingState(max).add(4);
    s2.getReducingState(max).add(8);
    s1.getAggregatingState(average).add(2);
    s2.getAggregatingState(average).add(4);
    target.getAggregatingState(average).add(9);
    s1.getMapState(prices).put('x', 1);
    target.getMapState(prices).put('x', 2);
    s2.getMapState(prices).put('y', 3);
    s2.getState(count).update(11);
    b.mergeNamespaces('t', ['s1', 's2']);
    assert.deepEqual(target.getListState(seen).get(), ['t', 'a', 'b']);
    assert.equal(target.getReducingState(max).get(), 8);
    assert.equal(target.getAggregatingState(average).get(), 5);
    assert.deepEqual(
      [...target.getMapState(prices).entries()],
      [
        ['x', 2],
        ['y', 3],
      ],
    );
    assert.equal(target.getState(count).value(), 11);
    assert.deepEqual(s1.getListState(seen).get(), []);
    assert.equal(s2.getReducingState(max).get(), undefined);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: merging aggregating state without merge() fails with a code`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    const noMerge = { ...average, name: 'nm', aggregate: { ...average.aggregate, merge: undefined } };
    b.setCurrentKey('k');
    b.store('a').getAggregatingState(noMerge).add(1);
    b.store('b').getAggregatingState(noMerge).add(2);
    assert.throws(
      () => b.mergeNamespaces('b', ['a']),
      (e) => isStreamError(e, 'ENG_AGGREGATE_MERGE_MISSING'),
    );
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: keys that look alike share state, and keyCount counts keys holding state`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    const state = b.store().getState(count);
    b.setCurrentKey(['a', 1]);
    state.update(1);
    b.setCurrentKey(['a', 1]);
    assert.equal(state.value(), 1);
    b.setCurrentKey({ user: 'x' });
    state.update(2);
    b.setCurrentKey(undefined);
    state.update(3);
    assert.equal(b.keyCount(), 3);
    assert.equal(b.currentKey(), undefined);
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: the same name with another kind or TTL is rejected`, (t) => {
    const b = testBackend(t, kind, { cacheRows: 1 });
    b.store().getState(count);
    assert.throws(
      () => b.store().getListState({ kind: 'list', name: 'count' }),
      (e) => isStreamError(e, 'ENG_STATE_DESCRIPTOR_CONFLICT'),
    );
    assert.throws(
      () => b.store('w').getState({ ...count, ttl: { ttl: 10 } }),
      (e) => isStreamError(e, 'ENG_STATE_DESCRIPTOR_CONFLICT'),
    );
  });

for (const kind of BACKEND_KINDS)
  test(`${kind}: writing without a key, or for a key outside the key groups, fails`, (t) => {
    const b = testBackend(t, kind, { keyGroups: { start: 0, end: 63 } });
    assert.throws(
      () => b.store().getState(count).update(1),
      (e) => isStreamError(e, 'ENG_STATE_WITHOUT_KEY'),
    );
    let outside = 0;
    while (keyGroupOf(`k${outside}`, 128) <= 63) outside++;
    b.setCurrentKey(`k${outside}`);
    assert.throws(
      () => b.store().getState(count).update(1),
      (e) => isStreamError(e, 'ENG_KEY_GROUP_OUT_OF_RANGE'),
    );
  });
