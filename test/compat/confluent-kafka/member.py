# A consumer-group member on confluent-kafka (librdkafka): subscribes to EDDY_TOPIC in EDDY_GROUP at
# EDDY_BOOTSTRAP and prints one JSON event per line: its assignments and each record, printed after
# the record's offset is committed (synchronously). On SIGTERM it closes, which leaves the group;
# EDDY_SESSION_TIMEOUT_MS sets its session timeout (6000 by default).
import json
import os
import signal
import sys

from confluent_kafka import Consumer

running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)


def emit(**event):
    print(json.dumps(event), flush=True)


consumer = Consumer({
    'bootstrap.servers': os.environ['EDDY_BOOTSTRAP'],
    'group.id': os.environ['EDDY_GROUP'],
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': False,
    'session.timeout.ms': int(os.environ.get('EDDY_SESSION_TIMEOUT_MS', '6000')),
    'heartbeat.interval.ms': 200,
})
consumer.subscribe(
    [os.environ['EDDY_TOPIC']],
    on_assign=lambda _, partitions: emit(event='assigned', partitions=[p.partition for p in partitions]),
    on_revoke=lambda _, partitions: emit(event='revoked'),
)
while running:
    message = consumer.poll(0.1)
    if message is None:
        continue
    if message.error():
        print(f'consumer error: {message.error()}', file=sys.stderr, flush=True)
        continue
    consumer.commit(message=message, asynchronous=False)
    value = message.value()
    emit(event='record', partition=message.partition(), offset=message.offset(),
         value=None if value is None else value.decode('utf-8'))
consumer.close()
