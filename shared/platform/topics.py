"""The topics of the system exist with their configured partitions, whoever started the broker.

A broker that restarted empty (the embedded one keeps its log in memory) creates a topic the moment
any client names it, with the broker's default partitions: the relay repairs that here through the
standard admin API, so that auto-creation never decides. See decision 0032.
"""

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.errors import IncompatibleBrokerVersion

from shared.contracts.events import ALL_TOPICS

log = structlog.get_logger()


async def topic_partitions(admin: AIOKafkaAdminClient) -> dict[str, int]:
    """Every topic the broker has, with its number of partitions (asking for all creates none)."""
    return {d["topic"]: len(d["partitions"]) for d in await admin.describe_topics() if d["error_code"] == 0}


async def ensure_topics(bootstrap: str, partitions: int, topics: list[str] = ALL_TOPICS) -> list[str]:
    """Create what is missing and widen what has fewer partitions; returns the topics changed.

    A broker that cannot add partitions (Tansu) gets the narrow topic deleted and created again.
    That happens only to a topic auto-created after the broker lost its log, so what it holds was
    written since, and every relay notices its part gone and republishes it (decision 0032).
    """
    changed: set[str] = set()
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        for _ in range(5):  # a client may auto-create a topic between our delete and our create
            found = await topic_partitions(admin)
            missing = [t for t in topics if t not in found]
            narrow = {t: found[t] for t in topics if t in found and found[t] < partitions}
            if not missing and not narrow:
                return sorted(changed)
            if narrow:
                try:
                    await admin.create_partitions({t: NewPartitions(partitions) for t in narrow})
                except IncompatibleBrokerVersion as err:  # only then: never delete on a passing error
                    log.warning("topics.recreating", topics=sorted(narrow), found=narrow, reason=repr(err))
                    await admin.delete_topics(list(narrow))
                    missing += list(narrow)
            if missing:
                await admin.create_topics(
                    [NewTopic(t, num_partitions=partitions, replication_factor=1) for t in missing]
                )
                log.info("topics.created", topics=missing, partitions=partitions)
            changed |= {*missing, *narrow}
        raise RuntimeError(f"topics still missing or narrow after repair: {missing + list(narrow)}")
    finally:
        await admin.close()
