"""Evidence bundles: one nomination's audit records with everything needed to check them offline.

A bundle is one JSON file in canonical form (sorted keys, UTF-8, one-space indent, newline at the
end), so that no byte of it can change without the check failing:

    {"format": FORMAT, "nomination_id": ..., "logs": [LOG, ...]}

and each LOG, one per service the nomination's records were gathered from, holds the origin's
public key, a checkpoint of its log signed by that key, the other services' cosignatures of that
checkpoint, the nomination's records (exactly what each record's hash covers, the hash and the
record's inclusion proof in the checkpoint's tree), and the origin's signature over the whole LOG.
`verify_bundle` needs no database and no network.
"""

import json
from dataclasses import dataclass
from typing import Any

from shared.platform.audit import body_hash
from shared.platform.merkle import leaf_hash, verify_inclusion
from shared.platform.signing import Checkpoint, strict_hex, verify_signature

FORMAT = "tdkt-audit-evidence/1"
BODY_KEYS = {
    "seq",
    "idempotency_key",
    "at",
    "agency_code",
    "nomination_id",
    "actor",
    "action",
    "reason",
    "outcome",
    "details",
    "prev_hash",
}
LOG_KEYS = {"nomination_id", "origin", "public_key", "checkpoint", "cosignatures", "records", "exported_at"}


class BundleInvalid(Exception):
    """The bundle does not prove what it claims; the message says where and why."""


@dataclass(frozen=True)
class LogSummary:
    origin: str
    public_key: str
    size: int
    records: int
    witnesses: list[str]


def canonical(bundle: dict[str, Any]) -> bytes:
    return (json.dumps(bundle, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode()


def log_message(log: dict[str, Any]) -> bytes:
    """What the origin signs when it exports its part: the part without its signature."""
    unsigned = {k: v for k, v in log.items() if k != "export_signature"}
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def merge_bundles(bundles: list[dict[str, Any]]) -> dict[str, Any]:
    """One bundle from several services' bundles for the same nomination (one log per origin)."""
    ids = {bundle["nomination_id"] for bundle in bundles}
    if len(ids) != 1:
        raise BundleInvalid(f"the bundles are about different nominations: {sorted(ids)}")
    logs = {log["origin"]: log for bundle in bundles for log in bundle["logs"]}
    return {"format": FORMAT, "nomination_id": ids.pop(), "logs": [logs[o] for o in sorted(logs)]}


def _expect(condition: bool, where: str, what: str) -> None:
    if not condition:
        raise BundleInvalid(f"{where}: {what}")


def _keys(value: Any, keys: set[str], where: str) -> dict[str, Any]:
    _expect(isinstance(value, dict), where, "expected an object")
    _expect(set(value) == keys, where, f"expected the fields {sorted(keys)}, found {sorted(value)}")
    return value


def _hexes(values: Any, where: str) -> list[bytes]:
    _expect(isinstance(values, list), where, "expected a list of hashes")
    try:
        return [strict_hex(v, 32) for v in values]
    except ValueError as err:
        raise BundleInvalid(f"{where}: {err}") from None


def _verify_log(log: Any, nomination_id: str, where: str, trusted: dict[str, str]) -> LogSummary:
    log = _keys(log, LOG_KEYS | {"export_signature"}, where)
    origin, key = log["origin"], log["public_key"]
    _expect(isinstance(origin, str) and isinstance(key, str), where, "origin and public key must be text")
    where = f"log {origin}"
    _expect(log["nomination_id"] == nomination_id, where, "exported for another nomination")
    if origin in trusted:
        _expect(key == trusted[origin], where, f"the public key is not the one you trust ({trusted[origin]})")
    _expect(verify_signature(key, log_message(log), log["export_signature"]), where, "the export signature is wrong")
    cp = _keys(log["checkpoint"], {"size", "root", "time", "signature"}, f"{where}, checkpoint")
    size, root = cp["size"], cp["root"]
    _expect(type(size) is int and size > 0 and isinstance(cp["time"], str), where, "bad checkpoint size or time")
    checkpoint = Checkpoint(origin, size, root, cp["time"])
    _expect(verify_signature(key, checkpoint.note(), cp["signature"]), where, "the checkpoint's signature is wrong")
    witnesses = []
    for i, cosig in enumerate(log["cosignatures"]):
        cosig = _keys(cosig, {"witness", "witness_key", "cosigned_at", "signature"}, f"{where}, cosignature {i + 1}")
        _expect(cosig["witness_key"] != key, where, "a log cannot witness itself")
        note = checkpoint.cosignature_note(str(cosig["witness"]), str(cosig["cosigned_at"]))
        _expect(
            verify_signature(cosig["witness_key"], note, cosig["signature"]),
            where,
            f"the cosignature of {cosig['witness']} is wrong",
        )
        witnesses.append(str(cosig["witness"]))
    _expect(bool(witnesses), where, "the checkpoint has no cosignature: no other service witnessed it")
    _expect(isinstance(log["records"], list), where, "records must be a list")
    for record in log["records"]:
        record = _keys(record, BODY_KEYS | {"hash", "inclusion_proof"}, f"{where}, a record")
        seq = record["seq"]
        at = f"{where}, record {seq}"
        _expect(record["nomination_id"] == nomination_id, at, "is about another nomination")
        _expect(
            body_hash({k: record[k] for k in BODY_KEYS}) == record["hash"], at, "its content does not match its hash"
        )
        _expect(type(seq) is int and 0 < seq <= size, at, f"is not in the checkpoint's {size} records")
        proof = _hexes(record["inclusion_proof"], at)
        leaf = leaf_hash(strict_hex(record["hash"], 32))
        _expect(verify_inclusion(seq - 1, size, leaf, proof, strict_hex(root, 32)), at, "is not in the signed tree")
    return LogSummary(origin, key, size, len(log["records"]), witnesses)


def verify_bundle(data: bytes, *, trusted: dict[str, str] | None = None) -> list[LogSummary]:
    """Every check of a bundle's bytes; BundleInvalid with the first failure. `trusted` maps an
    origin to the public key the reviewer knows it by (from the service, or published elsewhere)."""
    try:
        bundle = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BundleInvalid(f"not a JSON file: {err}") from None
    _expect(isinstance(bundle, dict) and canonical(bundle) == data, "bundle", "not in canonical form (edited?)")
    bundle = _keys(bundle, {"format", "nomination_id", "logs"}, "bundle")
    _expect(bundle["format"] == FORMAT, "bundle", f"unknown format {bundle['format']!r}")
    _expect(isinstance(bundle["logs"], list) and bool(bundle["logs"]), "bundle", "no log in the bundle")
    return [
        _verify_log(log, bundle["nomination_id"], f"log {i + 1}", trusted or {}) for i, log in enumerate(bundle["logs"])
    ]
