# The client of the broker bench's transaction section (bench/lib/txn-throughput.ts): confluent-kafka
# (librdkafka) producing fixed-size records to partition 0, alternating between a plain idempotent
# producer and a transactional one that commits every EDDY_TXN_INTERVAL_MS. Both use the same settings,
# so the ratio of their rates is the cost of the transactions alone. They take turns in slots of
# EDDY_SECONDS within one process, EDDY_PAIRS times (order alternating), so load from other jobs on the
# machine hits both alike.
#
#   EDDY_BOOTSTRAP EDDY_TOPIC EDDY_SIZE EDDY_SECONDS EDDY_PAIRS [EDDY_TXN_INTERVAL_MS=100]
#   [EDDY_BROKER_PID: also report the broker's CPU seconds per slot, from /proc]
#
# Prints one JSON line: {"slots": [{"mode", "messages", "ms", "transactions", "commitMs": [...],
# "errors", "clientCpu", "brokerCpu"}, ...]}. A slot's `ms` runs from its first produce() to its last
# delivery (a final flush, or the last commit, which flushes first). Before the slots, each producer
# sends a few records: librdkafka's first produce to a topic waits up to a second for its metadata
# timer, and the transactional one registers its partition once.
import json
import os
import sys
import time

from confluent_kafka import Producer

bootstrap = os.environ['EDDY_BOOTSTRAP']
topic = os.environ['EDDY_TOPIC']
size = int(os.environ['EDDY_SIZE'])
seconds = float(os.environ['EDDY_SECONDS'])
pairs = int(os.environ['EDDY_PAIRS'])
interval = float(os.environ.get('EDDY_TXN_INTERVAL_MS', '100')) / 1000
broker_pid = os.environ.get('EDDY_BROKER_PID')
errors = [0]


def on_delivery(err, _msg):
    # Called for failures only (delivery.report.only.error), so the hot loop pays no Python callback.
    if err is not None:
        errors[0] += 1


def make_producer(extra):
    return Producer({
        'bootstrap.servers': bootstrap,
        'acks': 'all',
        'enable.idempotence': True,
        # The same batching as the bench's rdkafka_performance runs (bench/broker.ts PRODUCER).
        'linger.ms': 10,
        'batch.num.messages': 10000,
        'queue.buffering.max.messages': 2000000,
        'delivery.report.only.error': True,
        'on_delivery': on_delivery,
        **extra,
    })


def broker_cpu():
    if not broker_pid:
        return 0.0
    with open(f'/proc/{broker_pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


payload = b'x' * size
topics = {'idempotent': f'{topic}-idempotent', 'transactional': f'{topic}-transactional'}
producers = {
    'idempotent': make_producer({}),
    'transactional': make_producer({'transactional.id': f'bench-{topic}', 'transaction.timeout.ms': 60000}),
}
producers['transactional'].init_transactions(30)
for mode, producer in producers.items():
    if mode == 'transactional':
        producer.begin_transaction()
    for _ in range(1000):
        producer.produce(topics[mode], payload, partition=0)
    if mode == 'transactional':
        producer.commit_transaction(30)
    else:
        producer.flush(30)


def produce_until(producer, target, until):
    """Produces until the clock passes `until`, looking at it every 1024 records (about a millisecond)."""
    n = 0
    produce = producer.produce
    while True:
        try:
            produce(target, payload, partition=0)
        except BufferError:
            producer.poll(0.001)  # the local queue is full: let librdkafka deliver some
            continue
        n += 1
        if (n & 1023) == 0:
            producer.poll(0)
            if time.perf_counter() >= until:
                return n


def slot(mode):
    producer = producers[mode]
    errors[0] = 0
    sent = 0
    transactions = 0
    commit_ms = []
    cpu0 = time.process_time()
    broker0 = broker_cpu()
    start = time.perf_counter()
    deadline = start + seconds
    if mode == 'idempotent':
        sent = produce_until(producer, topics[mode], deadline)
    else:
        while time.perf_counter() < deadline:
            producer.begin_transaction()
            sent += produce_until(producer, topics[mode], min(deadline, time.perf_counter() + interval))
            t0 = time.perf_counter()
            producer.commit_transaction(60)
            commit_ms.append((time.perf_counter() - t0) * 1000)
            transactions += 1
    remaining = producer.flush(60)
    return {
        'mode': mode,
        'messages': sent - remaining - errors[0],
        'ms': (time.perf_counter() - start) * 1000,
        'transactions': transactions,
        'commitMs': commit_ms,
        'errors': errors[0] + remaining,
        'clientCpu': time.process_time() - cpu0,
        'brokerCpu': broker_cpu() - broker0,
    }


slots = []
for pair in range(pairs):
    order = ['idempotent', 'transactional'] if pair % 2 == 0 else ['transactional', 'idempotent']
    for mode in order:
        slots.append(slot(mode))
print(json.dumps({'slots': slots}))
sys.stdout.flush()
