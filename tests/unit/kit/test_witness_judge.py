"""What a witness makes of a checkpoint, given the last one it saw from that origin."""

from services.kit.audit.witness import judge
from shared.contracts.audit import AuditCheckpointSigned, ConsistencyFrom
from shared.platform.checkpoints import AuditCheckpoint
from shared.platform.merkle import consistency_proof, leaf_hash, tree_root
from shared.platform.signing import Checkpoint, Signer

ORIGIN = Signer.from_seed("tdkt/unit", "11" * 32)
THIEF = Signer.from_seed("tdkt/unit", "22" * 32)
LEAVES = [leaf_hash(bytes([i])) for i in range(7)]


SEVEN = "2026-12-04T07:00:00+00:00"


def signed(
    size: int, *, by: Signer = ORIGIN, leaves: list[bytes] = LEAVES, since: int = 0, at: str = SEVEN
) -> AuditCheckpointSigned:
    cp = Checkpoint(by.origin, size, tree_root(leaves[:size]).hex(), at)
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
    assert "shrank" in judge(signed(4, since=3, at="2026-12-04T07:01:00+00:00"), last, None)
    assert "not an extension" in judge(signed(7, leaves=other, since=5), last, None)
    assert "not an extension" in judge(signed(7), last, None)  # no proof from the size it saw
    assert "malformed" in judge(signed(7, since=5).model_copy(update={"consistency": ["zz"]}), last, None)


def test_a_witness_that_missed_a_checkpoint_judges_the_next_from_the_one_it_saw():
    """The witness saw size 3 and missed 5: the checkpoint of 7 carries, beside its proof from 5, one
    from 3 (the last this witness cosigned) and is cosigned; without it, or with a proof from a root
    the witness never saw, it is not."""
    saw = seen(signed(3))
    missed = signed(7, since=5)
    assert "not an extension" in judge(missed, saw, None)  # before: a false alarm
    bridged = missed.model_copy(update={"also_from": [
        ConsistencyFrom(size=3, root=tree_root(LEAVES[:3]).hex(),
                        consistency=[h.hex() for h in consistency_proof(3, LEAVES[:7])]),
    ]})  # fmt: skip
    assert judge(bridged, saw, None) == "cosign"
    other = [*LEAVES[:2], leaf_hash(b"rewritten"), *LEAVES[3:]]
    forked = signed(7, leaves=other, since=5).model_copy(update={"also_from": [
        ConsistencyFrom(size=3, root=tree_root(other[:3]).hex(),
                        consistency=[h.hex() for h in consistency_proof(3, other[:7])]),
    ]})  # fmt: skip
    assert "not an extension" in judge(forked, saw, None)  # a proof from another tree's head proves nothing


def test_an_older_checkpoint_delivered_late_is_left_alone_but_a_shorter_log_signed_later_is_an_alarm():
    """After the broker lost its log, the origin's outbox sends its checkpoints again and a witness
    that read the new log from its start meets size 4 (signed at 07:00) after size 6 (07:05): a late
    delivery, not a shrunk log. Size 4 signed after size 6 is one."""
    last = seen(signed(6, at="2026-12-04T07:05:00+00:00"))
    assert judge(signed(4, since=3), last, None) == "late"
    assert "shrank" in judge(signed(4, since=3, at="2026-12-04T07:06:00+00:00"), last, None)
    assert "shrank" in judge(signed(4, since=3, at="yesterday"), last, None)
