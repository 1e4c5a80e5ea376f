"""The Merkle tree against a naive one built level by level, and RFC 6962's test vector."""

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.platform.merkle import (
    EMPTY_ROOT,
    Grown,
    consistency_proof,
    frontier_of,
    inclusion_proof,
    leaf_hash,
    node_hash,
    tree_root,
    verify_consistency,
    verify_inclusion,
)

# The leaves of the certificate-transparency test vector (RFC 6962 reference implementation).
VECTOR = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43", bytes(range(0x50, 0x58))]
VECTOR.append(bytes(range(0x60, 0x70)))


def naive_root(leaves: list[bytes]) -> bytes:
    """Hash pairs level by level; a lone last node goes up unchanged (equivalent to RFC 6962)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = leaves
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = paired + ([level[-1]] if len(level) % 2 else [])
    return level[0]


logs = st.lists(st.binary(max_size=8), min_size=1, max_size=70).map(lambda xs: [leaf_hash(x) for x in xs])


def test_known_roots():
    assert (
        tree_root([]) == EMPTY_ROOT == bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    )
    assert tree_root([leaf_hash(b"")]).hex() == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    root = tree_root([leaf_hash(x) for x in VECTOR])
    assert root.hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


@given(logs)
def test_root_matches_the_naive_tree(leaves):
    assert tree_root(leaves) == naive_root(leaves)


@given(logs, st.data())
def test_every_leaf_is_proved_and_no_other(leaves, data):
    index = data.draw(st.integers(0, len(leaves) - 1))
    root, proof = naive_root(leaves), inclusion_proof(index, leaves)
    assert verify_inclusion(index, len(leaves), leaves[index], proof, root)
    assert not verify_inclusion(index, len(leaves), leaf_hash(b"forged"), proof, root)
    if len(leaves) > 1:
        other = (index + 1) % len(leaves)
        assert not verify_inclusion(other, len(leaves), leaves[index], proof, root) or leaves[other] == leaves[index]
        assert not verify_inclusion(index, len(leaves), leaves[index], proof[:-1], root)


@given(logs, st.data())
def test_a_prefix_is_consistent_and_a_rewritten_one_is_not(leaves, data):
    size = data.draw(st.integers(0, len(leaves)))
    proof = consistency_proof(size, leaves)
    old, new = naive_root(leaves[:size]), naive_root(leaves)
    assert verify_consistency(size, len(leaves), old, new, proof)
    if 0 < size:
        changed = data.draw(st.integers(0, size - 1))
        rewritten = [*leaves[:changed], leaf_hash(b"rewritten"), *leaves[changed + 1 :]]
        forged_proof = consistency_proof(size, rewritten)
        assert not verify_consistency(size, len(leaves), old, naive_root(rewritten), forged_proof)
    if 0 < size < len(leaves):
        assert not verify_consistency(size, len(leaves), old, new, proof[:-1])
        assert not verify_consistency(size, len(leaves), leaf_hash(b"other"), new, proof)


def test_a_tree_is_not_consistent_with_a_smaller_one():
    leaves = [leaf_hash(bytes([i])) for i in range(5)]
    assert not verify_consistency(5, 4, tree_root(leaves), tree_root(leaves[:4]), [])
    assert not verify_consistency(3, 3, tree_root(leaves[:3]), tree_root(leaves[1:4]), [])


@settings(max_examples=200, deadline=None)
@given(size=st.integers(min_value=0, max_value=300), added=st.integers(min_value=0, max_value=300))
def test_a_tree_grown_from_its_frontier_matches_the_tree_of_all_its_leaves(size: int, added: int) -> None:
    """What a signer computes from the last checkpoint's frontier and the records since (the root,
    the next frontier, the consistency proof) is what the whole log gives, and the proof verifies."""
    leaves = [leaf_hash(i.to_bytes(4, "big")) for i in range(size + added)]
    grown = Grown(size, frontier_of(leaves[:size]), leaves[size:])
    assert grown.root() == tree_root(leaves)
    assert grown.frontier() == frontier_of(leaves)
    assert grown.consistency() == consistency_proof(size, leaves)
    assert verify_consistency(size, size + added, tree_root(leaves[:size]), grown.root(), grown.consistency())


def test_a_frontier_that_does_not_fit_its_size_is_refused() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(6)]
    with pytest.raises(ValueError, match="frontier nodes"):
        Grown(7, frontier_of(leaves), [])
