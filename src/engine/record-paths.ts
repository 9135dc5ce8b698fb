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
