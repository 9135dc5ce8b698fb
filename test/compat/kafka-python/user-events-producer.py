from kafka import KafkaProducer
import json
producer = KafkaProducer(bootstrap_servers='localhost:9092',
value_serializer=lambda v: json.dumps(v).encode('utf-8'))
producer.send("user-events", {"user_id": "u123", "action": "click", "timestamp": 1681721820})
producer.flush()
