import { murmur2 } from '@platformatic/kafka';

/**
 * A partitioner that places keyed records where the Java client would (positive murmur2 of the key
 * bytes modulo the partition count), so eddy and JVM producers agree on which partition holds a key.
 * Records without a key go round-robin. The client reduces the result modulo the partition count.
 *
 * @example new Producer({ ...options, partitioner: javaCompatiblePartitioner() })
 */
export function javaCompatiblePartitioner(): (message: unknown, key: Buffer | undefined) => number {
  let next = 0;
  return (_message, key) => {
    if (key !== undefined && key !== null) return murmur2(key) & 0x7fffffff;
    next = (next + 1) & 0x7fffffff;
    return next;
  };
}
