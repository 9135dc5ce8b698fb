/** The protocol type consumers (as opposed to Kafka Connect workers, say) join groups with. */
export const CONSUMER_PROTOCOL_TYPE = 'consumer';

/**
 * The topics named in a consumer's subscription bytes (ConsumerProtocolSubscription), or null when the
 * bytes do not parse. Every version starts with the v0 layout (int16 version, int32 count, int16-length
 * strings), so only that prefix is read, the way Kafka's coordinator does it.
 *
 * @example
 * subscribedTopics(member.metadata('range')); // ['orders', 'payments']
 */
export function subscribedTopics(subscription: Buffer): string[] | null {
  if (subscription.length < 6) return null;
  const count = subscription.readInt32BE(2);
  if (count < 0) return null;
  const topics: string[] = [];
  let at = 6;
  for (let i = 0; i < count; i++) {
    if (at + 2 > subscription.length) return null;
    const length = subscription.readInt16BE(at);
    at += 2;
    if (length < 0 || at + length > subscription.length) return null;
    topics.push(subscription.toString('utf8', at, at + length));
    at += length;
  }
  return topics;
}
