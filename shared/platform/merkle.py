"""Merkle tree over a log, as RFC 6962 / RFC 9162 (C2SP tlog) define it: pure functions, no I/O.

Leaves are given already hashed (`leaf_hash`), oldest first. `tree_root` is the tree head;
`inclusion_proof` shows one leaf is in a tree of some size, `consistency_proof` that a tree of
size m is a prefix of a tree of size n. The verifiers need only hashes and sizes, so a reviewer
checks a proof with no access to the log.
"""

import hashlib
from collections.abc import Callable

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_root(leaves: list[bytes]) -> bytes:
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(tree_root(leaves[:k]), tree_root(leaves[k:]))


def inclusion_proof(index: int, leaves: list[bytes]) -> list[bytes]:
    """The audit path of leaf `index` in the tree of `leaves` (RFC 6962 2.1.1, PATH)."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf {index} is not in a tree of size {len(leaves)}")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), tree_root(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), tree_root(leaves[:k])]


def consistency_proof(size: int, leaves: list[bytes]) -> list[bytes]:
    """Proof that the tree of the first `size` leaves is a prefix of the tree of `leaves` (PROOF)."""
    return consistency_proof_by(size, len(leaves), lambda lo, hi: tree_root(leaves[lo:hi]))


def consistency_proof_by(size: int, n: int, root_of: Callable[[int, int], bytes]) -> list[bytes]:
    """PROOF from size `size` to size `n`, asking `root_of(lo, hi)` for the root of leaves [lo, hi)."""
    if not 0 <= size <= n:
        raise ValueError(f"a tree of size {size} cannot be a prefix of one of size {n}")
    if size == 0 or size == n:
        return []
    return _subproof(size, 0, n, root_of, complete=True)


def _subproof(m: int, lo: int, hi: int, root_of: Callable[[int, int], bytes], *, complete: bool) -> list[bytes]:
    n = hi - lo
    if m == n:
        return [] if complete else [root_of(lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, lo, lo + k, root_of, complete=complete), root_of(lo + k, hi)]
    return [*_subproof(m - k, lo + k, hi, root_of, complete=False), root_of(lo, lo + k)]


def frontier_ranges(size: int) -> list[tuple[int, int]]:
    """The leaf ranges of the complete subtrees a tree of `size` leaves is made of, left to right
    (one per bit of `size`): their roots, the frontier, are all a tree needs to grow."""
    ranges, lo = [], 0
    for bit in reversed(range(size.bit_length())):
        if size >> bit & 1:
            ranges.append((lo, lo + (1 << bit)))
            lo += 1 << bit
    return ranges


def frontier_of(leaves: list[bytes]) -> list[bytes]:
    return [tree_root(leaves[lo:hi]) for lo, hi in frontier_ranges(len(leaves))]


class Grown:
    """A tree known by the frontier of its first `size` leaves and the leaves added since: its root,
    its new frontier and the proof that it extends the tree of `size`, without the older leaves."""

    def __init__(self, size: int, frontier: list[bytes], newer: list[bytes]) -> None:
        ranges = frontier_ranges(size)
        if len(frontier) != len(ranges):
            raise ValueError(f"a tree of size {size} has {len(ranges)} frontier nodes, not {len(frontier)}")
        self.size, self.newer = size, newer
        self.kept = dict(zip(ranges, frontier, strict=True))

    @property
    def total(self) -> int:
        return self.size + len(self.newer)

    def root_of(self, lo: int, hi: int) -> bytes:
        if lo >= self.size:
            return tree_root(self.newer[lo - self.size : hi - self.size])
        if (lo, hi) in self.kept:
            return self.kept[lo, hi]
        if hi - lo == 1:
            raise ValueError(f"leaf {lo} is inside a frontier node of the tree of {self.size}: it is not kept")
        k = _split(hi - lo)
        return node_hash(self.root_of(lo, lo + k), self.root_of(lo + k, hi))

    def root(self) -> bytes:
        return self.root_of(0, self.total) if self.total else EMPTY_ROOT

    def frontier(self) -> list[bytes]:
        return [self.root_of(lo, hi) for lo, hi in frontier_ranges(self.total)]

    def consistency(self) -> list[bytes]:
        return consistency_proof_by(self.size, self.total, self.root_of)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether `leaf` is leaf `index` of the tree of `size` whose head is `root`."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]) -> bool:
    """RFC 9162 2.1.4.2: whether the tree of size `second` extends the one of size `first`."""
    if not 0 <= first <= second:
        return False
    if first == second:
        return not proof and first_root == second_root
    if first == 0:
        return not proof
    if not proof:
        return False
    if first & (first - 1) == 0:  # a power of two: the old tree is a node of the new one
        proof = [first_root, *proof]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_root and sr == second_root and sn == 0
