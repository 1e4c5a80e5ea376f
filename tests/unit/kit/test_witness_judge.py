"""What a witness makes of a checkpoint, given the last one it saw from that origin."""

from services.kit.audit.witness import judge
from shared.contracts.audit import AuditCheckpointSigned
from shared.platform.checkpoints import AuditCheckpoint
from shared.platform.merkle import consistency_proof, leaf_hash, tree_root
from shared.platform.signing import Checkpoint, Signer

ORIGIN = Signer.from_seed("tdkt/unit", "11" * 32)
THIEF = Signer.from_seed("tdkt/unit", "22" * 32)
LEAVES = [leaf_hash(bytes([i])) for i in range(7)]


def signed(size: int, *, by: Signer = ORIGIN, leaves: list[bytes] = LEAVES, since: int = 0) -> AuditCheckpointSigned:
    cp = Checkpoint(by.origin, size, tree_root(leaves[:size]).hex(), "2026-12-04T07:00:00+00:00")
    return AuditCheckpointSigned(
        **vars(cp),
        public_key=by.public_key,
        signature=by.sign(cp.note()),
        previous_size=since,
        previous_root=tree_root(leaves[:since]).hex() if since else "",
        consistency=[h.hex() for h in consistency_proof(since, leaves[:size])] if since else [],
    )


def seen(event: AuditCheckpointSigned) -> AuditCheckpoint:
    return AuditCheckpoint(**event.model_dump(include={"origin", "size", "root", "time", "public_key", "signature"}))


def test_first_checkpoint_is_trusted_and_an_extension_is_cosigned():
    first = signed(3)
    assert judge(first, None, None) == "cosign"
    assert judge(signed(7, since=3), seen(first), None) == "cosign"
    assert judge(first, seen(first), seen(first)) == "seen"


def test_every_other_checkpoint_is_refused_with_its_reason():
    last = seen(signed(5))
    forged = signed(5).model_copy(update={"size": 6})
    assert "signature does not verify" in judge(forged, last, None)
    assert "key changed" in judge(signed(6, by=THIEF, since=5), last, None)
    other = [*LEAVES[:2], leaf_hash(b"rewritten"), *LEAVES[3:]]
    assert "same size" in judge(signed(5, leaves=other), last, last)
    assert "shrank" in judge(signed(4, since=3), last, None)
    assert "not an extension" in judge(signed(7, leaves=other, since=5), last, None)
    assert "not an extension" in judge(signed(7), last, None)  # no proof from the size it saw
    assert "malformed" in judge(signed(7, since=5).model_copy(update={"consistency": ["zz"]}), last, None)
