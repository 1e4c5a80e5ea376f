"""Replay of the dead-letter topic after a fix: each event a service's consumer group parked is
applied again through the same handlers and the same `processed_event` check, so an event is
applied once however often the replay runs (decision 0033).

The topic is read from its beginning to the end it had when the replay began, with no consumer
group (nothing is committed: the topic stays as it is, for an audit of what failed and why).
"""

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from aiokafka import AIOKafkaConsumer, ConsumerRecord
from pydantic import ValidationError

from shared.contracts.events import TOPIC_DEAD_LETTER, Envelope, parse_event
from shared.platform.consumer import EventConsumer

log = structlog.get_logger()


@dataclass
class Replayed:
    """What a replay did with each dead letter it read."""

    read: int = 0
    applied: list[str] = field(default_factory=list)  # event ids
    already_applied: list[str] = field(default_factory=list)  # by the consumer or an earlier replay
    other_services: int = 0  # parked by another consumer group, or older than `since`
    failed: list[dict[str, str]] = field(default_factory=list)  # still failing: event id (or offset), error


async def replay_dead_letters(
    events: EventConsumer, *, bootstrap: str, since: datetime | None = None, timeout_s: float = 30
) -> Replayed:
    """Apply again what `events`' group parked (since `since`, by the time it was parked)."""
    reader = AIOKafkaConsumer(
        TOPIC_DEAD_LETTER,
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    await reader.start()
    try:
        deadline = time.monotonic() + timeout_s
        while not reader.assignment():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the topic {TOPIC_DEAD_LETTER} could not be read within {timeout_s:.0f}s")
            await reader.getmany(timeout_ms=100)
        partitions = reader.assignment()
        ends = await reader.end_offsets(list(partitions))
        await reader.seek_to_beginning(*partitions)
        done = Replayed()
        since_ms = (since if since.tzinfo else since.replace(tzinfo=UTC)).timestamp() * 1000 if since else None
        while [tp for tp, end in ends.items() if await reader.position(tp) < end]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the topic {TOPIC_DEAD_LETTER} was not read to its end within {timeout_s:.0f}s")
            for tp, records in (await reader.getmany(timeout_ms=200)).items():
                for record in records:
                    if record.offset < ends[tp]:
                        await _replay(events, record, since_ms, done)
        return done
    finally:
        await reader.stop()


async def _replay(events: EventConsumer, record: ConsumerRecord, since_ms: float | None, done: Replayed) -> None:
    done.read += 1
    try:
        parked = json.loads(record.value or b"{}")
    except ValueError:
        done.other_services += 1  # not written by a consumer of this system
        return
    if parked.get("group") != events.group or (since_ms is not None and record.timestamp < since_ms):
        done.other_services += 1
        return
    where = f"{parked.get('source_topic')}@{parked.get('partition')}:{parked.get('offset')}"
    try:
        envelope = Envelope.model_validate_json(parked.get("value") or "")
        if not events.handles(envelope.type):
            done.other_services += 1
            return
        event = parse_event(envelope)
    except (ValidationError, KeyError, ValueError) as exc:
        done.failed.append({"event": where, "error": f"malformed event: {exc}"})
        return
    try:
        applied = await events.apply(envelope, event)
    except Exception as exc:  # noqa: BLE001 - still failing: reported, left parked for the next fix
        log.warning("dead_letter.replay_failed", event_id=envelope.event_id, error=str(exc))
        done.failed.append({"event": envelope.event_id, "error": f"{type(exc).__name__}: {exc}"})
        return
    (done.applied if applied else done.already_applied).append(envelope.event_id)
    log.info("dead_letter.replayed", event_id=envelope.event_id, applied=applied)
