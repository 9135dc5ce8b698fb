# Topic and group admin with kafka-python's KafkaAdminClient: create (with a config), create again,
# list, describe configs and topics, add partitions, list groups and their committed offsets, delete. Prints one JSON
# object of what each step returned; errors appear as kafka-python's error class names.
import json
import os

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic

bootstrap = os.environ['EDDY_BOOTSTRAP']
admin = KafkaAdminClient(bootstrap_servers=bootstrap)


def attempt(action):
    try:
        return action()
    except Exception as error:  # the error class is the outcome under test
        return type(error).__name__


def mine(names):
    return sorted(n for n in names if n.startswith('kp-admin'))


out = {}
created = admin.create_topics([
    NewTopic('kp-admin-a', 3, 1, topic_configs={'retention.ms': '3600000'}),
    NewTopic('kp-admin-b', 1, 1),
])
out['create'] = [[t[0], t[1]] for t in created.topic_errors]
out['createAgain'] = attempt(lambda: admin.create_topics([NewTopic('kp-admin-a', 1, 1)]))
out['listed'] = mine(admin.list_topics())
[described] = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, 'kp-admin-a')])
[resource] = described.resources
entries = {e[0]: [e[1], e[3]] for e in resource[4]}  # name → [value, config_source]
out['configs'] = {k: entries.get(k) for k in ['retention.ms', 'cleanup.policy']}
out['topics'] = [
    [t['topic'], [[p['partition'], p['leader'], p['replicas']] for p in t['partitions']]]
    for t in admin.describe_topics(['kp-admin-a'])
]

# Grow kp-admin-b from 1 to 3 partitions, then write to the new partition 2 with a fresh producer.
grown = admin.create_partitions({'kp-admin-b': NewPartitions(3)})
out['grow'] = [[t[0], t[1]] for t in grown.topic_errors]
out['growAgain'] = attempt(lambda: admin.create_partitions({'kp-admin-b': NewPartitions(2)}))
out['growMissing'] = attempt(lambda: admin.create_partitions({'kp-admin-none': NewPartitions(2)}))
out['growValidateOnly'] = [
    [t[0], t[1]] for t in admin.create_partitions({'kp-admin-b': NewPartitions(9)}, validate_only=True).topic_errors
]
out['grownPartitions'] = [len(t['partitions']) for t in admin.describe_topics(['kp-admin-b'])]
producer = KafkaProducer(bootstrap_servers=bootstrap)
sent = producer.send('kp-admin-b', b'new', partition=2).get(timeout=10)
out['sentToNew'] = [sent.partition, sent.offset]
producer.close()

# A group that only commits offsets, with metadata that must round-trip.
committer = KafkaConsumer(bootstrap_servers=bootstrap, group_id='kp-admin-group', enable_auto_commit=False)
committer.commit({TopicPartition('kp-admin-a', 1): OffsetAndMetadata(7, 'checkpoint-7')})
committer.close()
out['groups'] = sorted(g for g in admin.list_consumer_groups() if g[0].startswith('kp-admin'))
offsets = admin.list_consumer_group_offsets('kp-admin-group')
out['describedGroups'] = [
    [g.group, g.state, g.protocol_type, len(g.members)] for g in admin.describe_consumer_groups(['kp-admin-group'])
]
out['groupOffsets'] = [[tp.topic, tp.partition, o.offset, o.metadata] for tp, o in offsets.items()]

deleted = admin.delete_topics(['kp-admin-b'])
out['delete'] = [[t[0], t[1]] for t in deleted.topic_error_codes]
out['listedAfterDelete'] = mine(admin.list_topics())
admin.close()
print(json.dumps(out))
