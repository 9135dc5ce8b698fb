# Produces three records to partition 0 of EDDY_TOPIC with codec EDDY_CODEC: keys, headers (one with a
# null value), a null record value, and compressible values (EDDY_VALUE) so librdkafka does compress.
# Prints the delivered offsets as JSON.
import json
import os

from confluent_kafka import Producer

producer = Producer({
    'bootstrap.servers': os.environ['EDDY_BOOTSTRAP'],
    'compression.codec': os.environ['EDDY_CODEC'],
    'acks': 'all',
    'linger.ms': 50,
})
topic = os.environ['EDDY_TOPIC']
value = os.environ['EDDY_VALUE'].encode('utf-8')
offsets = []
errors = []


def delivered(error, message):
    if error is not None:
        errors.append(str(error))
    else:
        offsets.append(message.offset())


producer.produce(topic, key=b'k1', value=value, partition=0, headers=[('h1', b'a'), ('h2', None)],
                 on_delivery=delivered)
producer.produce(topic, key=b'k2', value=None, partition=0, headers=[('h1', b'b')], on_delivery=delivered)
producer.produce(topic, key=None, value=value + b'!', partition=0, on_delivery=delivered)
left = producer.flush(10)
if left or errors:
    raise SystemExit(f'not delivered: {left} left, errors {errors}')
print(json.dumps(sorted(offsets)))
