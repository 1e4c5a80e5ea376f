"""The offline check of a retired agency's final cosigned checkpoint and of its successors'
references to it (`shared/platform/succession.py`, decision 0039): two logs built in memory, signed
and cosigned with real Ed25519 keys; the check accepts them as made and refuses each tampering."""

import copy
import json
from datetime import datetime
from typing import Any

import pytest

from shared.platform.audit import GENESIS, LOG_CLOSED, LOG_SUCCEEDED, AuditRecord, record_body, record_hash
from shared.platform.merkle import inclusion_proof, leaf_hash, tree_root
from shared.platform.signing import Checkpoint, Signer
from shared.platform.succession import (
    FORMAT,
    SuccessionInvalid,
    is_succession_file,
    merge_files,
    verify_reference,
    verify_succession,
)

DISTRICT = Signer.from_seed("tdkt/district", "11" * 32)
UNIT = Signer.from_seed("tdkt/unit", "22" * 32)
PROVINCE = Signer.from_seed("tdkt/province", "33" * 32)
AT = datetime(2025, 7, 1, 9, 0)


class Log:
    """An origin's log in memory: records, a signed checkpoint, cosignatures from witnesses."""

    def __init__(self, signer: Signer) -> None:
        self.signer, self.records = signer, []

    def append(self, agency: str, action: str, details: dict[str, Any] | None = None) -> AuditRecord:
        record = AuditRecord(
            seq=len(self.records) + 1,
            idempotency_key=f"k{len(self.records)}",
            at=AT,
            agency_code=agency,
            actor="system",
            action=action,
            outcome="ok",
            details=details or {},
            prev_hash=self.records[-1].hash if self.records else GENESIS,
            hash="",
        )
        record.hash = record_hash(record)
        self.records.append(record)
        return record

    def anchor(self, record: AuditRecord, witnesses: list[Signer]) -> dict[str, Any]:
        leaves = [leaf_hash(bytes.fromhex(r.hash)) for r in self.records]
        checkpoint = Checkpoint(self.signer.origin, len(leaves), tree_root(leaves).hex(), "2025-07-01T09:00:05")
        cosigned_at = "2025-07-01T09:00:06"
        return {
            "origin": self.signer.origin,
            "public_key": self.signer.public_key,
            "checkpoint": {
                "size": checkpoint.size,
                "root": checkpoint.root,
                "time": checkpoint.time,
                "signature": self.signer.sign(checkpoint.note()),
            },
            "cosignatures": [
                {
                    "witness": w.origin,
                    "witness_key": w.public_key,
                    "cosigned_at": cosigned_at,
                    "signature": w.sign(checkpoint.cosignature_note(w.origin, cosigned_at)),
                }
                for w in witnesses
            ],
            "record": {**record_body(record), "hash": record.hash},
            "leaf_index": (record.seq or 0) - 1,
            "inclusion_proof": [h.hex() for h in inclusion_proof((record.seq or 0) - 1, leaves)],
        }


def succession() -> tuple[dict[str, Any], dict[str, Any]]:
    """Hòn Đất's log closed at the district service, and Bình Sơn's record referencing it at the unit's."""
    district = Log(DISTRICT)
    for i in range(6):
        district.append("D903", "nomination.transferred_out" if i % 2 else "decision.forward")
    district.append("D902", "decision.forward")
    closing = district.append(
        "D903", LOG_CLOSED, {"plan": "VN-2025-07-01", "successors": ["C30817", "C30823"], "records": 6}
    )
    district.append("D902", "decision.forward")  # the log goes on for the service's other agencies
    reference = district.anchor(closing, [UNIT, PROVINCE])
    unit = Log(UNIT)
    unit.append("C30823", "decision.confer")
    succeeded = unit.append(
        "C30823", LOG_SUCCEEDED, {"plan": "VN-2025-07-01", "predecessor": "D903", "reference": reference}
    )
    unit.append("U91-0001", "nomination.submitted")
    file = {"format": FORMAT, "agency": "C30823", "closed": None, "succeeded": [unit.anchor(succeeded, [PROVINCE])]}
    return reference, file


def test_a_reference_and_a_succession_file_verify_as_made():
    reference, file = succession()
    closing = verify_reference(reference, agency="D903", trusted={"tdkt/district": DISTRICT.public_key})
    assert (closing.origin, closing.size, closing.record["seq"]) == ("tdkt/district", 9, 8)
    assert closing.witnesses == ["tdkt/unit", "tdkt/province"]
    found = verify_succession(json.dumps(file).encode())
    [(own, predecessor)] = found.succeeded
    assert (found.agency, own.origin, predecessor.record["agency_code"]) == ("C30823", "tdkt/unit", "D903")
    assert is_succession_file(json.dumps(file).encode()) and not is_succession_file(b'{"format": "x"}')
    closed_file = {"format": FORMAT, "agency": "D903", "closed": reference, "succeeded": []}
    assert verify_succession(closed_file).closed is not None
    merged = merge_files([closed_file, {**file, "agency": "D903", "succeeded": []}])
    assert merged["closed"] == reference


def tampered(change) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    reference, _ = succession()
    changed = copy.deepcopy(reference)
    change(changed)
    return changed


def other_root(r: dict) -> None:
    r["checkpoint"]["root"] = "ab" * 32


def other_size(r: dict) -> None:
    r["checkpoint"]["size"] += 1


def wrong_proof(r: dict) -> None:
    r["inclusion_proof"][0] = "cd" * 32


def short_proof(r: dict) -> None:
    r["inclusion_proof"].pop()


def no_cosignature(r: dict) -> None:
    r["cosignatures"] = []


def forged_cosignature(r: dict) -> None:
    r["cosignatures"][0]["witness"] = "tdkt/central"


def self_witnessed(r: dict) -> None:
    r["cosignatures"][0]["witness_key"] = DISTRICT.public_key


def edited_count(r: dict) -> None:
    r["record"]["details"]["records"] = 5


def other_leaf(r: dict) -> None:
    r["leaf_index"] -= 1


def not_a_closing(r: dict) -> None:
    r["record"]["action"] = "decision.forward"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (other_root, "checkpoint's signature is wrong"),
        (other_size, "checkpoint's signature is wrong"),
        (wrong_proof, "not in the signed tree"),
        (short_proof, "not in the signed tree"),
        (no_cosignature, "no cosignature"),
        (forged_cosignature, "cosignature of tdkt/central is wrong"),
        (self_witnessed, "cannot witness itself"),
        (edited_count, "does not match its hash"),
        (other_leaf, "leaf index is not seq - 1"),
        (not_a_closing, "does not match its hash"),
    ],
)
def test_a_tampered_reference_is_refused_naming_why(change, why):
    with pytest.raises(SuccessionInvalid, match=why):
        verify_reference(tampered(change), agency="D903")


def test_a_reference_is_refused_with_another_key_than_the_trusted_one_or_for_another_agency():
    reference, _ = succession()
    with pytest.raises(SuccessionInvalid, match="not the one you trust"):
        verify_reference(reference, trusted={"tdkt/district": UNIT.public_key})
    with pytest.raises(SuccessionInvalid, match="closes D903, not D902"):
        verify_reference(reference, agency="D902")
    # Re-signed by someone else's key, with its own cosignatures: only a trusted key tells.
    forged = copy.deepcopy(reference)
    forged["public_key"] = PROVINCE.public_key
    with pytest.raises(SuccessionInvalid, match="signature is wrong"):
        verify_reference(forged)


def test_a_succession_file_is_refused_when_its_reference_or_its_own_anchor_is_tampered():
    _, file = succession()
    changed = copy.deepcopy(file)
    changed["succeeded"][0]["record"]["details"]["reference"]["checkpoint"]["root"] = "ab" * 32
    with pytest.raises(SuccessionInvalid, match="does not match its hash"):  # the reference is in the record's hash
        verify_succession(changed)
    changed = copy.deepcopy(file)
    changed["succeeded"][0]["cosignatures"] = []
    with pytest.raises(SuccessionInvalid, match="no cosignature"):
        verify_succession(changed)
    changed = copy.deepcopy(file)
    changed["agency"] = "C30817"
    with pytest.raises(SuccessionInvalid, match="is C30823's record, not C30817's"):
        verify_succession(changed)
    with pytest.raises(SuccessionInvalid, match="neither a closed log nor a succession"):
        verify_succession({**file, "succeeded": []})
