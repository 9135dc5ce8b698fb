# Topic admin with confluent-kafka's AdminClient: create (with configs), create again, list, describe
# configs of a topic and of the broker, list groups, delete, and describe a deleted topic. Prints one
# JSON object of what each step returned; errors appear as their Kafka error names.
import json
import os

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

admin = AdminClient({'bootstrap.servers': os.environ['EDDY_BOOTSTRAP']})


def outcome(future):
    error = future.exception()
    return None if error is None else error.args[0].name()


def settle(futures):
    return {str(key): outcome(future) for key, future in futures.items()}


def topics():
    metadata = admin.list_topics(timeout=10)
    return {name: sorted(t.partitions) for name, t in metadata.topics.items() if name.startswith('ck-admin')}


def configs(resource, keys):
    future = admin.describe_configs([resource])[resource]
    if future.exception() is not None:
        return outcome(future)
    entries = future.result()
    return {
        key: {
            'value': entries[key].value,
            'source': getattr(entries[key].source, 'name', entries[key].source),
            'isDefault': entries[key].is_default,
            'readOnly': entries[key].is_read_only,
        }
        for key in keys if key in entries
    }


out = {}
out['create'] = settle(admin.create_topics([
    NewTopic('ck-admin-a', num_partitions=3, replication_factor=1,
             config={'retention.ms': '3600000', 'cleanup.policy': 'delete'}),
    NewTopic('ck-admin-b', num_partitions=1, replication_factor=1),
], operation_timeout=5))
out['createAgain'] = settle(admin.create_topics([NewTopic('ck-admin-a', num_partitions=1, replication_factor=1)]))
out['listed'] = topics()
out['topicConfigs'] = configs(ConfigResource('topic', 'ck-admin-a'), ['retention.ms', 'cleanup.policy', 'segment.bytes'])
out['brokerConfigs'] = configs(ConfigResource('broker', '1'), ['broker.id'])
# A group that only commits offsets (no membership) is listed as Empty.
committer = Consumer({'bootstrap.servers': os.environ['EDDY_BOOTSTRAP'], 'group.id': 'ck-admin-group'})
committer.commit(offsets=[TopicPartition('ck-admin-a', 0, 7)], asynchronous=False)
committer.close()
out['groups'] = {g.id: g.state for g in admin.list_groups(timeout=10) if g.id.startswith('ck-admin')}
out['delete'] = settle(admin.delete_topics(['ck-admin-b'], operation_timeout=5))
out['listedAfterDelete'] = topics()
out['deletedConfigs'] = configs(ConfigResource('topic', 'ck-admin-b'), ['retention.ms'])
print(json.dumps(out))
