# Reads every record of EDDY_TOPIC from the beginning with a KafkaConsumer that has no group (assign +
# seek), and prints one JSON line per record. Stops after EDDY_COUNT records or 5 s without one.
import json
import os

from kafka import KafkaConsumer, TopicPartition

topic = os.environ['EDDY_TOPIC']
consumer = KafkaConsumer(
    bootstrap_servers=os.environ['EDDY_BOOTSTRAP'],
    group_id=None,
    enable_auto_commit=False,
    consumer_timeout_ms=5000,
)
partitions = sorted(consumer.partitions_for_topic(topic) or [])
consumer.assign([TopicPartition(topic, p) for p in partitions])
consumer.seek_to_beginning()
wanted = int(os.environ.get('EDDY_COUNT', '0'))
seen = 0
for message in consumer:
    print(json.dumps({
        'partition': message.partition,
        'offset': message.offset,
        'key': None if message.key is None else message.key.decode('utf-8'),
        'value': None if message.value is None else message.value.decode('utf-8'),
        'headers': [[k, v.decode('utf-8')] for k, v in message.headers],
    }), flush=True)
    seen += 1
    if wanted and seen >= wanted:
        break
consumer.close()
