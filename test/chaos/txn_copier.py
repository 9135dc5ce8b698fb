# A consume-transform-produce copier (confluent-kafka, librdkafka) for the transactional chaos test:
# reads EDDY_IN with read_committed from the positions committed for group EDDY_GROUP, and writes
# "out:<input value>@<EDDY_INSTANCE>" to the same partition of EDDY_OUT, committing the input offsets in
# the same transaction. Small random transactions with short pauses, so a kill -9 from the test lands
# in every phase. Prints {"committed": [values]} after each commit; once caught up with its input it
# prints {"done": true} and, with EDDY_EXIT_WHEN_DONE set, exits (otherwise it waits for more input).
import json
import os
import random
import sys
import time

from confluent_kafka import OFFSET_STORED, Consumer, KafkaError, Producer, TopicPartition

bootstrap = os.environ['EDDY_BOOTSTRAP']
source = os.environ['EDDY_IN']
sink = os.environ['EDDY_OUT']
group = os.environ['EDDY_GROUP']
instance = os.environ['EDDY_INSTANCE']
rng = random.Random(int(os.environ.get('EDDY_SEED', '1')))


def emit(fields):
    print(json.dumps(fields))
    sys.stdout.flush()


producer = Producer({
    'bootstrap.servers': bootstrap,
    'transactional.id': f'{group}-copier',
    'transaction.timeout.ms': 10000,
    'linger.ms': 2,
})
# First: fences the previous instance and aborts its open transaction, so the offsets read below are stable.
producer.init_transactions(30)
consumer = Consumer({
    'bootstrap.servers': bootstrap,
    'group.id': group,
    'enable.auto.commit': False,
    'isolation.level': 'read_committed',
    'auto.offset.reset': 'earliest',
    'enable.partition.eof': True,
})
partitions = sorted(consumer.list_topics(source, timeout=10).topics[source].partitions)
consumer.assign([TopicPartition(source, p, OFFSET_STORED) for p in partitions])
at_end = set()
while True:
    messages = consumer.consume(num_messages=rng.randint(1, 20), timeout=0.3)
    data = []
    for m in messages:
        if m.error() is None:
            data.append(m)
            at_end.discard(m.partition())
        elif m.error().code() == KafkaError._PARTITION_EOF:
            at_end.add(m.partition())
        else:
            raise Exception(m.error())
    if not data:
        if len(at_end) == len(partitions) and os.environ.get('EDDY_EXIT_WHEN_DONE'):
            emit({'done': True})
            break
        continue
    producer.begin_transaction()
    values = []
    for m in data:
        value = f'out:{m.value().decode()}@{instance}'
        values.append(value)
        producer.produce(sink, value=value.encode(), partition=m.partition())
    time.sleep(rng.random() * 0.05)
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()),
                                         consumer.consumer_group_metadata(), 30)
    producer.commit_transaction(30)
    emit({'committed': values})
consumer.close()
