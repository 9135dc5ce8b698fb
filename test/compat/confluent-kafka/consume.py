# Reads EDDY_COUNT records of EDDY_TOPIC partition 0 from the beginning without a group (assign) and
# prints one JSON line per record. Fails after 10 s without reaching the count.
import json
import os
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

consumer = Consumer({
    'bootstrap.servers': os.environ['EDDY_BOOTSTRAP'],
    'group.id': 'unused',
    'enable.auto.commit': False,
})
consumer.assign([TopicPartition(os.environ['EDDY_TOPIC'], 0, OFFSET_BEGINNING)])
wanted = int(os.environ['EDDY_COUNT'])
deadline = time.time() + 10
seen = 0
while seen < wanted:
    if time.time() > deadline:
        raise SystemExit(f'only {seen} of {wanted} records arrived')
    message = consumer.poll(0.2)
    if message is None:
        continue
    if message.error():
        raise SystemExit(str(message.error()))
    decode = lambda b: None if b is None else b.decode('utf-8')  # noqa: E731
    print(json.dumps({
        'offset': message.offset(),
        'key': decode(message.key()),
        'value': decode(message.value()),
        'headers': [[k, decode(v)] for k, v in (message.headers() or [])],
        'timestampType': message.timestamp()[0],
    }), flush=True)
    seen += 1
consumer.close()
