# Sends each line of standard input as one record value (the raw bytes, not re-encoded) with
# kafka-python, acks=all, then prints how many it sent. EDDY_BOOTSTRAP and EDDY_TOPIC say where.
import os
import sys

from kafka import KafkaProducer

producer = KafkaProducer(bootstrap_servers=os.environ['EDDY_BOOTSTRAP'], acks='all', linger_ms=5)
topic = os.environ['EDDY_TOPIC']
sent = 0
for line in sys.stdin.buffer:
    producer.send(topic, value=line.rstrip(b'\n'))
    sent += 1
producer.flush()
print(sent)
