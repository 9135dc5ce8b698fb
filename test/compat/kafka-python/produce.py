# Produces three records (keys, a header, a null value) with one codec, then prints their offsets as
# JSON. Bootstrap, topic and codec come from EDDY_BOOTSTRAP, EDDY_TOPIC and EDDY_CODEC ('none' = no
# compression); the value of the long records is EDDY_VALUE.
import json
import os

from kafka import KafkaProducer

codec = os.environ['EDDY_CODEC']
producer = KafkaProducer(
    bootstrap_servers=os.environ['EDDY_BOOTSTRAP'],
    compression_type=None if codec == 'none' else codec,
    acks='all',
)
topic = os.environ['EDDY_TOPIC']
value = os.environ['EDDY_VALUE'].encode('utf-8')
futures = [
    producer.send(topic, key=b'k1', value=value, headers=[('h1', b'a')], partition=0),
    producer.send(topic, key=b'k2', value=None, headers=[('h1', b'b')], partition=0),
    producer.send(topic, key=b'k3', value=value + b'!', partition=0),
]
producer.flush()
print(json.dumps([f.get(timeout=10).offset for f in futures]))
