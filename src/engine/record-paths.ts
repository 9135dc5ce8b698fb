// Walking a record to name the value inside it that cannot cross a thread or a process, for errors
// that say where to look (`record.items[1].run is a function`). Used by the thread exchange
// (threads/transferable.ts) and the repartition format (repartition/plain-data.ts).

/** The children of an object with the path step that reaches each: `.key`, `["odd key"]`, `[3]`, `.get(k)`. */
export function* recordChildren(value: object): Iterable<[string, unknown]> {
  if (value instanceof Map) {
    for (const [key, entry] of value) {
      yield [' (a Map key)', key];
      yield [`.get(${typeof key === 'string' ? JSON.stringify(key) : String(key)})`, entry];
    }
  } else if (value instanceof Set) {
    for (const item of value) yield [' (a Set item)', item];
  } else if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) yield [`[${index}]`, value[index]];
  } else {
    for (const [key, child] of Object.entries(value))
      yield [/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`, child];
  }
}

/** The name of a value's class, or '(anonymous)'. */
export function className(value: unknown): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? name : '(anonymous)';
}

const typedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype) as object;

/** Prototypes of values both structured clone and v8.serialize copy as the same kind of value. */
export const PLAIN_DATA_PROTOTYPES: readonly (object | null)[] = [
  null,
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
  Error.prototype,
  RangeError.prototype,
  TypeError.prototype,
];

/** True when `value`'s prototype is in `prototypes`, or it is a typed array (not a subclass of one). */
export function hasPrototypeIn(value: object, prototypes: ReadonlySet<object | null>): boolean {
  const prototype = Object.getPrototypeOf(value) as object | null;
  return (
    prototypes.has(prototype) ||
    (prototype !== null && Object.getPrototypeOf(prototype) === typedArrayPrototype)
  );
}
