"""A retired agency's closed log and its successors' references to it, checked offline (decision 0039).

When a reorganization retires an agency, the service hosting it ends the agency's log with a
closing record (`agency.log_closed`); a checkpoint of the service's log that covers it, signed by
the service and cosigned by at least one witness, is the agency's final cosigned checkpoint. Each
successor's service then appends `agency.log_succeeded`, whose details carry a **reference**:

    {"origin", "public_key", "checkpoint": {"size", "root", "time", "signature"},
     "cosignatures": [{"witness", "witness_key", "cosigned_at", "signature"}, ...],
     "record": {... what the closing record's hash covers ..., "hash"},
     "leaf_index", "inclusion_proof": [hex, ...]}

The same shape anchors any record in its log's cosigned checkpoint. A **succession file**
(`GET /audit/agencies/{code}/succession`, `tdkt audit succession`) holds an agency's anchored
closing record and/or its anchored `agency.log_succeeded` records:

    {"format": FORMAT, "agency": CODE, "closed": ANCHOR | null, "succeeded": [ANCHOR, ...]}

Pure functions: no database, no network.
"""

import json
from dataclasses import dataclass
from typing import Any

from shared.platform.audit import LOG_CLOSED, LOG_SUCCEEDED, body_hash
from shared.platform.evidence import BODY_KEYS
from shared.platform.merkle import leaf_hash, verify_inclusion
from shared.platform.signing import Checkpoint, strict_hex, verify_signature

FORMAT = "tdkt-agency-succession/1"
ANCHOR_KEYS = {"origin", "public_key", "checkpoint", "cosignatures", "record", "leaf_index", "inclusion_proof"}


class SuccessionInvalid(Exception):
    """The reference or file does not prove what it claims; the message says where and why."""


@dataclass(frozen=True)
class Anchored:
    """A record proved to be in a signed, cosigned checkpoint of its origin's log."""

    origin: str
    public_key: str
    size: int
    root: str
    witnesses: list[str]
    record: dict[str, Any]


def _expect(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise SuccessionInvalid(f"{where}: {what}")


def _fields(value: Any, keys: set[str], where: str) -> dict[str, Any]:
    _expect(isinstance(value, dict), where, "expected an object")
    _expect(set(value) == keys, where, f"expected the fields {sorted(keys)}, found {sorted(value)}")
    return value


def _hex(value: Any, length: int, where: str) -> bytes:
    try:
        return strict_hex(value, length)
    except ValueError as err:
        raise SuccessionInvalid(f"{where}: {err}") from None


def verify_anchor(anchor: Any, *, where: str, trusted: dict[str, str] | None = None) -> Anchored:
    """The record is what its hash covers, and its hash is leaf `leaf_index` of a checkpoint signed by
    the origin's key (the trusted one, if given) and cosigned by at least one other key."""
    anchor = _fields(anchor, ANCHOR_KEYS, where)
    origin, key = anchor["origin"], anchor["public_key"]
    _expect(isinstance(origin, str) and isinstance(key, str), where, "origin and public key must be text")
    where = f"{where} ({origin})"
    if trusted and origin in trusted:
        _expect(key == trusted[origin], where, f"the public key is not the one you trust ({trusted[origin]})")
    cp = _fields(anchor["checkpoint"], {"size", "root", "time", "signature"}, f"{where}, checkpoint")
    size, root = cp["size"], cp["root"]
    _expect(type(size) is int and size > 0 and isinstance(cp["time"], str), where, "bad checkpoint size or time")
    checkpoint = Checkpoint(origin, size, root, cp["time"])
    _expect(verify_signature(key, checkpoint.note(), cp["signature"]), where, "the checkpoint's signature is wrong")
    _expect(isinstance(anchor["cosignatures"], list), where, "cosignatures must be a list")
    witnesses = []
    for i, cosig in enumerate(anchor["cosignatures"]):
        cosig = _fields(cosig, {"witness", "witness_key", "cosigned_at", "signature"}, f"{where}, cosignature {i + 1}")
        _expect(cosig["witness_key"] != key, where, "a log cannot witness itself")
        note = checkpoint.cosignature_note(str(cosig["witness"]), str(cosig["cosigned_at"]))
        _expect(
            verify_signature(cosig["witness_key"], note, cosig["signature"]),
            where,
            f"the cosignature of {cosig['witness']} is wrong",
        )
        witnesses.append(str(cosig["witness"]))
    _expect(bool(witnesses), where, "the checkpoint has no cosignature: no other service witnessed it")
    record = _fields(anchor["record"], BODY_KEYS | {"hash"}, f"{where}, record")
    body = {k: record[k] for k in BODY_KEYS}
    _expect(body_hash(body) == record["hash"], where, "the record's content does not match its hash")
    seq, index = record["seq"], anchor["leaf_index"]
    _expect(type(index) is int and type(seq) is int and index == seq - 1, where, "the leaf index is not seq - 1")
    _expect(0 <= index < size, where, f"record {seq} is not in the checkpoint's {size} records")
    _expect(isinstance(anchor["inclusion_proof"], list), where, "the inclusion proof must be a list")
    proof = [_hex(h, 32, f"{where}, inclusion proof") for h in anchor["inclusion_proof"]]
    leaf = leaf_hash(_hex(record["hash"], 32, f"{where}, record hash"))
    _expect(
        verify_inclusion(index, size, leaf, proof, _hex(root, 32, f"{where}, root")),
        where,
        f"record {seq} is not in the signed tree (the inclusion proof does not lead to the root)",
    )
    return Anchored(origin, key, size, root, witnesses, body)


def verify_reference(reference: Any, *, trusted: dict[str, str] | None = None, agency: str | None = None) -> Anchored:
    """A successor's reference to a retired agency's final cosigned checkpoint (of `agency`, if given)."""
    anchored = verify_anchor(reference, where="the final checkpoint", trusted=trusted)
    closing = anchored.record
    _expect(closing["action"] == LOG_CLOSED, "the final checkpoint", f"record {closing['seq']} is not a closing record")
    if agency is not None:
        _expect(
            closing["agency_code"] == agency, "the final checkpoint", f"closes {closing['agency_code']}, not {agency}"
        )
    return anchored


@dataclass(frozen=True)
class Succession:
    agency: str
    closed: Anchored | None
    succeeded: list[tuple[Anchored, Anchored]]  # (the successor's record, the predecessor's closing record)


def verify_succession(data: bytes | dict[str, Any], *, trusted: dict[str, str] | None = None) -> Succession:
    """Every check of a succession file; SuccessionInvalid with the first failure."""
    if isinstance(data, bytes):
        try:
            data = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise SuccessionInvalid(f"not a JSON file: {err}") from None
    found = _fields(data, {"format", "agency", "closed", "succeeded"}, "file")
    _expect(found["format"] == FORMAT, "file", f"unknown format {found['format']!r}")
    agency = found["agency"]
    _expect(isinstance(agency, str) and bool(agency), "file", "no agency named")
    closed = None
    if found["closed"] is not None:
        closed = verify_reference(found["closed"], trusted=trusted, agency=agency)
    _expect(isinstance(found["succeeded"], list), "file", "succeeded must be a list")
    _expect(closed is not None or bool(found["succeeded"]), "file", "neither a closed log nor a succession")
    succeeded = []
    for i, anchor in enumerate(found["succeeded"]):
        where = f"succession {i + 1}"
        own = verify_anchor(anchor, where=where, trusted=trusted)
        record = own.record
        _expect(record["action"] == LOG_SUCCEEDED, where, f"record {record['seq']} is not agency.log_succeeded")
        _expect(record["agency_code"] == agency, where, f"is {record['agency_code']}'s record, not {agency}'s")
        details = record["details"]
        _expect(isinstance(details, dict) and "reference" in details, where, "the record carries no reference")
        predecessor = verify_reference(details["reference"], trusted=trusted, agency=details.get("predecessor"))
        successors = predecessor.record["details"].get("successors") or []
        _expect(agency in successors, where, f"{predecessor.record['agency_code']} did not name {agency} a successor")
        succeeded.append((own, predecessor))
    return Succession(agency, closed, succeeded)


def is_succession_file(data: bytes) -> bool:
    """Whether the bytes are JSON that names this format (anything else is left to the other checks)."""
    try:
        found = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(found, dict) and found.get("format") == FORMAT


def merge_files(files: list[dict[str, Any]]) -> dict[str, Any]:
    """One file from several services' answers about one agency (its closed log lives at the service
    that hosted it, its references to predecessors at the one that hosts it now)."""
    agencies = {f.get("agency") for f in files}
    if len(agencies) != 1:
        raise SuccessionInvalid(f"the files are about different agencies: {sorted(map(str, agencies))}")
    closed = next((f["closed"] for f in files if f.get("closed") is not None), None)
    return {
        "format": FORMAT,
        "agency": agencies.pop(),
        "closed": closed,
        "succeeded": [anchor for f in files for anchor in f.get("succeeded") or []],
    }
