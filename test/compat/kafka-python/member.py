# A consumer-group member on kafka-python (KafkaConsumer with group_id): subscribes to EDDY_TOPIC in
# EDDY_GROUP at EDDY_BOOTSTRAP and prints one JSON event per line: its assignments and each record,
# printed after its offset is committed (synchronously). On SIGTERM it closes, which leaves the group;
# EDDY_SESSION_TIMEOUT_MS sets its session timeout (6000 by default).
import json
import os
import signal

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata
from kafka.errors import CommitFailedError

running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)


def emit(**event):
    print(json.dumps(event), flush=True)


class Listener(ConsumerRebalanceListener):
    def on_partitions_revoked(self, revoked):
        emit(event='revoked')

    def on_partitions_assigned(self, assigned):
        emit(event='assigned', partitions=[tp.partition for tp in assigned])


consumer = KafkaConsumer(
    bootstrap_servers=os.environ['EDDY_BOOTSTRAP'],
    group_id=os.environ['EDDY_GROUP'],
    auto_offset_reset='earliest',
    enable_auto_commit=False,
    session_timeout_ms=int(os.environ.get('EDDY_SESSION_TIMEOUT_MS', '6000')),
    heartbeat_interval_ms=200,
    fetch_max_wait_ms=100,
)
consumer.subscribe([os.environ['EDDY_TOPIC']], listener=Listener())
while running:
    for tp, messages in consumer.poll(timeout_ms=100).items():
        try:
            for message in messages:
                consumer.commit({tp: OffsetAndMetadata(message.offset + 1, None)})
                value = message.value
                emit(event='record', partition=message.partition, offset=message.offset,
                     value=None if value is None else value.decode('utf-8'))
        except CommitFailedError:
            # A rebalance took the partition away: its next owner reads from the last commit.
            break
consumer.close()
