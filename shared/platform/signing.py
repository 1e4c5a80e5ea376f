"""A service's Ed25519 key, and the notes it signs: checkpoints of its log and cosignatures of others'.

A checkpoint note is the origin, the size, the root and the time, one per line (after C2SP
tlog-checkpoint, with the root in hex); a cosignature note is `cosignature/v1`, the witness and
the time of cosigning, followed by the checkpoint note. Keys, roots and signatures travel as
lowercase hex, decoded strictly: a value that decodes but is not written canonically is refused,
so no byte of a signed document can change unnoticed.
"""

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def strict_hex(value: object, length: int) -> bytes:
    """`length` bytes written as lowercase hex, or ValueError."""
    if not isinstance(value, str) or len(value) != 2 * length:
        raise ValueError(f"expected {2 * length} hex digits")
    decoded = bytes.fromhex(value)
    if decoded.hex() != value:
        raise ValueError("hex must be lowercase")
    return decoded


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: str
    time: str

    def note(self) -> bytes:
        return f"{self.origin}\n{self.size}\n{self.root}\n{self.time}\n".encode()

    def cosignature_note(self, witness: str, cosigned_at: str) -> bytes:
        return f"cosignature/v1\nwitness {witness}\ntime {cosigned_at}\n".encode() + self.note()


def verify_signature(public_key: str, message: bytes, signature: str) -> bool:
    try:
        key = Ed25519PublicKey.from_public_bytes(strict_hex(public_key, 32))
        key.verify(strict_hex(signature, 64), message)
    except (ValueError, InvalidSignature):
        return False
    return True


class Signer:
    """One service's signing identity: its origin name and its Ed25519 key."""

    def __init__(self, origin: str, key: Ed25519PrivateKey) -> None:
        self.origin = origin
        self._key = key
        self.public_key = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()

    def sign(self, message: bytes) -> str:
        return self._key.sign(message).hex()

    @classmethod
    def from_seed(cls, origin: str, seed_hex: str) -> "Signer":
        return cls(origin, Ed25519PrivateKey.from_private_bytes(strict_hex(seed_hex.strip(), 32)))

    @classmethod
    def load(cls, origin: str, path: Path) -> "Signer":
        """The key kept at `path` (32 bytes of seed, hex), generated there on first use."""
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            seed = os.urandom(32).hex()
            # Created readable by the service's user only; O_EXCL: two replicas never both write it.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return cls.from_seed(origin, path.read_text())
            with os.fdopen(fd, "w") as file:
                file.write(seed + "\n")
        return cls.from_seed(origin, path.read_text())
