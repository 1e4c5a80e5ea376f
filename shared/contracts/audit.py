"""Audit checkpoints that other services witness (decision 0034), on `tdkt.audit`, keyed by origin.

Hashes, keys and signatures are lowercase hex; times are ISO 8601 in UTC. What is signed is the
checkpoint's note (`shared/platform/signing.py`): origin, size, root and time, one per line.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import TOPIC_AUDIT, Event


class ConsistencyFrom(BaseModel):
    """A consistency proof from an older checkpoint of the origin to the new one."""

    model_config = ConfigDict(extra="forbid")
    size: int = Field(ge=1)
    root: str
    consistency: list[str]


class AuditCheckpointSigned(Event):
    """Emitted when a service signs a new checkpoint (size, Merkle root) of its audit log."""

    type: ClassVar[str] = "audit.checkpoint_signed"
    topic: ClassVar[str] = TOPIC_AUDIT
    origin: str = Field(description="The log's name: deployment and service, e.g. tdkt/province")
    size: int = Field(ge=1, description="How many records the tree holds")
    root: str = Field(description="RFC 6962 Merkle tree head over the records' hashes")
    time: str
    public_key: str = Field(description="The origin's Ed25519 public key")
    signature: str = Field(description="Ed25519 signature of the checkpoint's note")
    previous_size: int = Field(ge=0, description="The size of the origin's previous checkpoint (0: none)")
    previous_root: str = ""
    consistency: list[str] = Field(
        default_factory=list, description="RFC 6962 consistency proof from the previous checkpoint to this one"
    )
    also_from: list[ConsistencyFrom] = Field(
        default_factory=list,
        description="Proofs from older checkpoints: the last one each witness cosigned, where it is not the "
        "previous one (a witness that missed a checkpoint can still judge this one)",
    )


class AuditCheckpointCosigned(Event):
    """Emitted when a witness service found a checkpoint consistent with the last it saw and countersigned it."""

    type: ClassVar[str] = "audit.checkpoint_cosigned"
    topic: ClassVar[str] = TOPIC_AUDIT
    origin: str
    size: int
    root: str
    time: str
    witness: str = Field(description="The witnessing service's own origin name")
    witness_key: str = Field(description="The witness's Ed25519 public key")
    cosigned_at: str
    signature: str = Field(description="Ed25519 signature of the cosignature note")
