# A confluent-kafka (librdkafka) transactional producer for the transaction compat tests, driven by
# EDDY_MODE:
#   commit | abort  one transaction of EDDY_COUNT values "<EDDY_PREFIX>-<i>" to EDDY_TOPIC, then
#                   commit or abort it (with the input offset EDDY_OFFSET sent for group EDDY_GROUP
#                   when both are set);
#   hold            begin, produce and flush, print {"event": "open"}, then wait for stdin to close
#                   (the test kills the process or fences it);
#   fenced          like hold, but after stdin gets a line it tries to produce and commit again and
#                   reports the error it gets.
# Prints one JSON object per line: {"event": ...}.
import json
import os
import sys

from confluent_kafka import KafkaException, Producer, TopicPartition


def emit(**fields):
    print(json.dumps(fields))
    sys.stdout.flush()


mode = os.environ['EDDY_MODE']
topic = os.environ['EDDY_TOPIC']
prefix = os.environ.get('EDDY_PREFIX', mode)
count = int(os.environ.get('EDDY_COUNT', '10'))
producer = Producer({
    'bootstrap.servers': os.environ['EDDY_BOOTSTRAP'],
    'transactional.id': os.environ['EDDY_TXN_ID'],
    'transaction.timeout.ms': int(os.environ.get('EDDY_TXN_TIMEOUT_MS', '60000')),
    'linger.ms': 5,
})
producer.init_transactions(30)
emit(event='initialised')
producer.begin_transaction()
for i in range(count):
    producer.produce(topic, value=f'{prefix}-{i}'.encode(), partition=i % int(os.environ.get('EDDY_PARTITIONS', '1')))
producer.flush(30)
if os.environ.get('EDDY_GROUP') and os.environ.get('EDDY_OFFSET'):
    # A simple (non-member) group: the group metadata of a consumer that never joined.
    from confluent_kafka import Consumer
    consumer = Consumer({'bootstrap.servers': os.environ['EDDY_BOOTSTRAP'], 'group.id': os.environ['EDDY_GROUP']})
    offsets = [TopicPartition(os.environ.get('EDDY_INPUT_TOPIC', topic), 0, int(os.environ['EDDY_OFFSET']))]
    producer.send_offsets_to_transaction(offsets, consumer.consumer_group_metadata(), 30)
    consumer.close()
if mode == 'commit':
    producer.commit_transaction(30)
    emit(event='committed')
elif mode == 'abort':
    producer.abort_transaction(30)
    emit(event='aborted')
else:
    emit(event='open')
    line = sys.stdin.readline()
    if mode == 'fenced':
        try:
            producer.produce(topic, value=f'{prefix}-late'.encode(), partition=0)
            producer.flush(10)
            producer.commit_transaction(10)
            emit(event='committed')
        except KafkaException as e:
            error = e.args[0]
            emit(event='error', name=error.name(), fatal=error.fatal(), code=error.code())
