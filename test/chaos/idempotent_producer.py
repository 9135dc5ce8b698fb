# Idempotent confluent-kafka (librdkafka) producer for the chaos test: sends EDDY_COUNT unique values
# "<EDDY_PREFIX>-<i>" to EDDY_TOPIC and prints one JSON line per acknowledged record
# ({"value", "partition", "offset"}), then {"errors": [...]} for records that failed for good.
import json
import os
import sys

from confluent_kafka import Producer

producer = Producer({
    'bootstrap.servers': os.environ['EDDY_BOOTSTRAP'],
    'enable.idempotence': True,
    'acks': 'all',
    'linger.ms': 5,
    'batch.num.messages': 50,
    # Lost responses close the connection: come back quickly.
    'reconnect.backoff.ms': 20,
    'reconnect.backoff.max.ms': 200,
    'retry.backoff.ms': 20,
    'message.timeout.ms': 60000,
})
topic = os.environ['EDDY_TOPIC']
prefix = os.environ['EDDY_PREFIX']
count = int(os.environ['EDDY_COUNT'])
errors = []


def delivered(error, message):
    if error is not None:
        errors.append(f'{message.value().decode()}: {error}')
    else:
        print(json.dumps({'value': message.value().decode(), 'partition': message.partition(),
                          'offset': message.offset()}))


for i in range(count):
    while True:
        try:
            producer.produce(topic, value=f'{prefix}-{i}'.encode(), key=f'k{i % 13}'.encode(),
                             on_delivery=delivered)
            break
        except BufferError:
            producer.poll(0.05)
    producer.poll(0)
left = producer.flush(60)
print(json.dumps({'errors': errors, 'left': left}))
sys.stdout.flush()
