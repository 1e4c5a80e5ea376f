"""Has the broker lost records it acknowledged? Asked with standard Kafka requests only.

For each partition the relay remembers one record the broker acknowledged, and its service's
consumer one it read (its offset and event id; one that was in the log when the previous check
found it whole). The log lost it when the topic or partition is gone, when the partition now ends
at or before that offset, or when another record sits at that offset (a log that restarted empty
and was written again since). Comparing end offsets alone would miss the last case: another
service may refill the partition past our offset before we look. A record the broker dropped by
its own retention (below the partition's start) is not a loss. End offsets serve only as hints:
Tansu reports the start of the last batch plus one. See decision 0032.
"""

import json
import time
from dataclasses import dataclass
from typing import Protocol

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.errors import OffsetOutOfRangeError


@dataclass(frozen=True)
class Acked:
    """A record the broker acknowledged: where it put it and which event it carries."""

    topic: str
    partition: int
    offset: int
    event_id: str


class LogReader(Protocol):
    """A consumer whose reads the relay's check covers (`EventConsumer`)."""

    def witnesses(self) -> list[Acked]:
        """Records it read, to look for; called as a check begins."""
        ...

    def log_whole(self) -> None:
        """The check that began at the last `witnesses()` found them all in place."""
        ...

    def log_lost(self) -> None:
        """The broker lost its log: read the new one from its start."""
        ...


def _event_id(record: ConsumerRecord) -> str | None:
    try:
        found = json.loads(record.value or b"").get("event_id")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, str) else None


async def lost_topics(bootstrap: str, acked: list[Acked], *, wait_s: float = 5) -> set[str]:
    """The topics of `acked` whose log no longer holds what the broker acknowledged.

    Raises TimeoutError when a record the broker says it has does not come within `wait_s`: the
    check is then inconclusive, and the relay tries again rather than republish on a guess.
    """
    if not acked:
        return set()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, auto_offset_reset="none")
    await consumer.start()
    try:
        existing = await consumer.topics()
        lost = {
            a.topic
            for a in acked
            if a.topic not in existing or a.partition not in (consumer.partitions_for_topic(a.topic) or set())
        }
        probe = {TopicPartition(a.topic, a.partition): a for a in acked if a.topic not in lost}
        if not probe:
            return lost
        starts = await consumer.beginning_offsets(list(probe))
        ends = await consumer.end_offsets(list(probe))
        lost |= {a.topic for tp, a in probe.items() if ends[tp] <= starts[tp] <= a.offset}  # empty now
        readable = {tp: a for tp, a in probe.items() if a.topic not in lost and a.offset >= starts[tp]}
        found = await _records_at(consumer, {tp: a.offset for tp, a in readable.items()}, wait_s)
        for tp, a in readable.items():
            record = found.get(tp)
            if record is None and a.offset < ends[tp]:
                raise TimeoutError(f"the broker holds {tp.topic}[{tp.partition}]@{a.offset} but did not send it")
            if record is None or record.offset != a.offset or _event_id(record) != a.event_id:
                lost.add(a.topic)
        return lost
    finally:
        await consumer.stop()


async def _records_at(
    consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int], wait_s: float
) -> dict[TopicPartition, ConsumerRecord]:
    """The first record at or after each partition's offset that arrives within `wait_s`.

    A partition asked past its end answers nothing, at once or never: some brokers (Tansu) send no
    out-of-range error, and report as the end the start of the last batch plus one, so a missing
    record after the wait is the only sign that the log ends before it.
    """
    if not offsets:
        return {}
    consumer.assign(list(offsets))
    for tp, offset in offsets.items():
        consumer.seek(tp, offset)
    found: dict[TopicPartition, ConsumerRecord] = {}
    past_end: set[TopicPartition] = set()  # a broker that says so (Kafka does)
    deadline = time.monotonic() + wait_s
    while len(found) + len(past_end) < len(offsets) and time.monotonic() < deadline:
        try:
            batch = await consumer.getmany(*(tp for tp in offsets if tp not in found.keys() | past_end), timeout_ms=200)
        except OffsetOutOfRangeError as err:
            past_end |= set(err.args[0]) if err.args and isinstance(err.args[0], dict) else set(offsets)
            continue
        for tp, records in batch.items():
            if tp not in found and records:
                found[tp] = records[0]
    return found
