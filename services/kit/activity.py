"""The base of every tier's activity classes: a session factory, the relay to wake after a commit,
and the idempotency check each recording activity starts with.

An activity that records is one transaction (state row, audit record, outbox event) keyed by an
idempotency key; a retried activity finds its own audit record and does nothing twice.
"""

from collections.abc import Callable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.platform.audit import recorded


class TierActivities:
    def __init__(
        self, factory: async_sessionmaker[AsyncSession], on_commit: Callable[[], None], tier: str = "unit"
    ) -> None:
        self._factory = factory
        self._on_commit = on_commit
        self._tier = tier

    @staticmethod
    async def already_done(session: AsyncSession, key: str, nomination_id: str | None = None) -> bool:
        """Whether the act keyed `key` was recorded; name the nomination it is about (its record
        carries its id), so that a batch step that primed its awardees asks nothing."""
        return await recorded(session, key, nomination_id)
