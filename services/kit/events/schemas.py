"""What a replay of the dead-letter topic answers."""

from pydantic import BaseModel


class FailedReplay(BaseModel):
    event: str  # the event id, or where a malformed one was read (topic@partition:offset)
    error: str


class ReplayOut(BaseModel):
    read: int  # dead letters read from the topic
    applied: list[str]  # event ids applied now
    already_applied: list[str]  # applied before, by the consumer or an earlier replay: skipped
    other_services: int  # parked by another service, or before `since`: left alone
    failed: list[FailedReplay]  # still failing: left parked for the next fix
