"""The RFC 6962 Merkle tree: known roots, and proofs checked against a naive transcription of the RFC's
recursive definitions (MTH, PATH, PROOF/SUBPROOF) kept here, apart from the module under test."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable

import pytest

from portal.audit.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    range_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

# The Certificate Transparency test leaves and the published roots of their first n, n = 1..8.
CT_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
MAX = 40

# ---- the RFC 6962 section 2.1 definitions, transcribed as literally as possible ------------------------------


def ref_leaf(d: bytes) -> bytes:
    return hashlib.sha256(bytes([0]) + d).digest()


def ref_k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def ref_mth(hashed: list[bytes]) -> bytes:
    """MTH over leaves already hashed with ref_leaf (MTH({d}) = SHA-256(0x00 || d) is applied by the caller)."""
    n = len(hashed)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashed[0]
    k = ref_k(n)
    return hashlib.sha256(bytes([1]) + ref_mth(hashed[:k]) + ref_mth(hashed[k:])).digest()


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = ref_k(n)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = ref_k(n)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def ref_proof(m: int, d: list[bytes]) -> list[bytes]:
    return ref_subproof(m, d, True)


# ---- helpers -----------------------------------------------------------------------------------------------


def random_leaves(n: int, seed: int = 6962) -> list[bytes]:
    rng = random.Random(seed)
    return [ref_leaf(rng.randbytes(rng.randrange(0, 40))) for _ in range(n)]


def store_of(hashed: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Every complete aligned subtree of the leaves, computed naively: what a node table would hold."""
    store = {}
    level = 0
    while 1 << level <= len(hashed):
        width = 1 << level
        for index in range(len(hashed) // width):
            store[(level, index)] = ref_mth(hashed[index * width : (index + 1) * width])
        level += 1
    return store


def reader(store: dict[tuple[int, int], bytes], calls: list[int] | None = None) -> Callable[[int, int], bytes]:
    def node(level: int, index: int) -> bytes:
        if calls is not None:
            calls.append(1)
        return store[(level, index)]  # a KeyError if a proof asks for a subtree that is not complete

    return node


def flip(h: bytes, bit: int) -> bytes:
    b = bytearray(h)
    b[bit // 8 % len(b)] ^= 1 << (bit % 8)
    return bytes(b)


LEAVES = random_leaves(MAX + 1)
STORE = store_of(LEAVES)
NODE = reader(STORE)
ROOTS = [ref_mth(LEAVES[:n]) for n in range(MAX + 2)]


# ---- known answers -----------------------------------------------------------------------------------------


def test_the_published_ct_roots_match_the_module_and_the_rfc_transcription() -> None:
    hashed = [leaf_hash(d) for d in CT_LEAVES]
    assert [ref_leaf(d) for d in CT_LEAVES] == hashed
    for n, want in enumerate(CT_ROOTS, start=1):
        assert root(hashed[:n]).hex() == want
        assert ref_mth(hashed[:n]).hex() == want


def test_the_empty_tree_and_the_hash_prefixes() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT
    assert leaf_hash(b"") != hashlib.sha256(b"").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert root([leaf_hash(b"x")]) == leaf_hash(b"x")


def test_root_agrees_with_the_rfc_for_every_size() -> None:
    leaves = random_leaves(130, seed=1)
    for n in range(131):
        assert root(leaves[:n]) == ref_mth(leaves[:n]), n


def test_range_hash_is_the_mth_of_any_range_even_unaligned() -> None:
    for start in range(MAX + 1):
        for end in range(start, MAX + 1):
            assert range_hash(NODE, start, end) == ref_mth(LEAVES[start:end]), (start, end)
    with pytest.raises(ValueError):
        range_hash(NODE, 3, 2)
    with pytest.raises(ValueError):
        range_hash(NODE, -1, 2)


# ---- inclusion ---------------------------------------------------------------------------------------------


def test_inclusion_proofs_equal_the_rfc_path_and_verify() -> None:
    for size in range(1, MAX + 1):
        for index in range(size):
            proof = inclusion_proof(NODE, index, size)
            assert proof == ref_path(index, LEAVES[:size]), (index, size)
            assert verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


def test_tampered_inclusion_proofs_fail() -> None:
    for size in range(1, MAX + 1):
        for index in range(size):
            leaf, proof, good = LEAVES[index], inclusion_proof(NODE, index, size), ROOTS[size]
            for i in range(len(proof)):
                for bit in (0, 7 * i + index, 255):
                    bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
                    assert not verify_inclusion(leaf, index, size, bad, good)
            assert not verify_inclusion(flip(leaf, index), index, size, proof, good)
            assert not verify_inclusion(leaf, index, size, proof, flip(good, size))
            for other in {index - 1, index + 1, index ^ 1, size} - {index}:
                assert not verify_inclusion(leaf, other, size, proof, good), (index, other, size)
            for other in (size - 1, size + 1):  # the proof of one tree against the root of another
                assert not verify_inclusion(leaf, index, other, proof, ROOTS[other]), (index, size, other)
            if proof:
                assert not verify_inclusion(leaf, index, size, proof[:-1], good)
                assert not verify_inclusion(leaf, index, size, proof[1:], good)
            assert not verify_inclusion(leaf, index, size, [*proof, good], good)
            assert not verify_inclusion(leaf, index, size, [*proof, EMPTY_ROOT], good)


def test_verify_inclusion_refuses_malformed_input_without_raising() -> None:
    leaf, proof, good = LEAVES[3], inclusion_proof(NODE, 3, 7), ROOTS[7]
    assert verify_inclusion(leaf, 3, 7, proof, good)
    assert verify_inclusion(leaf, 3, 7, tuple(proof), good)
    bad_calls: list[tuple[object, ...]] = [
        (leaf, 7, 7, proof, good),
        (leaf, 8, 7, proof, good),
        (leaf, -1, 7, proof, good),
        (leaf, 0, 0, [], EMPTY_ROOT),
        (leaf, 3, -7, proof, good),
        (leaf, True, 7, proof, good),
        (leaf, 3.0, 7, proof, good),
        (leaf[:31], 3, 7, proof, good),
        (leaf.hex(), 3, 7, proof, good),
        (leaf, 3, 7, [p[:31] for p in proof], good),
        (leaf, 3, 7, [*proof[:-1], None], good),
        (leaf, 3, 7, b"".join(proof), good),
        (leaf, 3, 7, None, good),
        (leaf, 3, 7, proof, good + b"\x00"),
        (leaf, 3, 7, proof, None),
    ]
    for args in bad_calls:
        assert verify_inclusion(*args) is False, args  # type: ignore[arg-type]


def test_inclusion_proof_refuses_an_index_outside_the_tree() -> None:
    for index, size in [(0, 0), (5, 5), (-1, 5)]:
        with pytest.raises(ValueError):
            inclusion_proof(NODE, index, size)


# ---- consistency -------------------------------------------------------------------------------------------


def test_consistency_proofs_equal_the_rfc_proof_and_verify() -> None:
    for new in range(1, MAX + 1):
        for old in range(1, new + 1):
            proof = consistency_proof(NODE, old, new)
            assert proof == (ref_proof(old, LEAVES[:new]) if old < new else []), (old, new)
            assert verify_consistency(old, new, ROOTS[old], ROOTS[new], proof), (old, new)


def test_tampered_consistency_proofs_fail() -> None:
    for new in range(2, MAX + 1):
        for old in range(1, new):
            proof, r1, r2 = consistency_proof(NODE, old, new), ROOTS[old], ROOTS[new]
            for i in range(len(proof)):
                for bit in (0, 5 * i + old, 255):
                    bad = [*proof[:i], flip(proof[i], bit), *proof[i + 1 :]]
                    assert not verify_consistency(old, new, r1, r2, bad), (old, new, i)
            assert not verify_consistency(old, new, flip(r1, new), r2, proof)
            assert not verify_consistency(old, new, r1, flip(r2, old), proof)
            assert not verify_consistency(old, new, r2, r1, proof)
            assert not verify_consistency(old, new, r1, r2, proof[:-1])
            assert not verify_consistency(old, new, r1, r2, proof[1:])
            assert not verify_consistency(old, new, r1, r2, [*proof, r1])
            assert not verify_consistency(old, new, r1, r2, [])
            for o, n in [(old - 1, new), (old + 1, new), (old, new - 1), (old, new + 1)]:
                if 0 < o < n and (o, n) != (old, new):  # this proof against the roots of the claimed sizes
                    assert not verify_consistency(o, n, ROOTS[o], ROOTS[n], proof), (old, new, o, n)


def test_consistency_edge_cases() -> None:
    r5 = ROOTS[5]
    assert verify_consistency(5, 5, r5, r5, [])
    assert not verify_consistency(5, 5, r5, ROOTS[6], [])
    assert not verify_consistency(5, 5, r5, r5, [r5])
    assert verify_consistency(0, 5, EMPTY_ROOT, r5, [])
    assert verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    assert not verify_consistency(0, 5, EMPTY_ROOT, r5, [r5])
    assert not verify_consistency(0, 5, ROOTS[1], r5, [])
    assert consistency_proof(NODE, 0, 5) == []
    assert consistency_proof(NODE, 5, 5) == []
    # The verifiers read a size only through the shape of the tree it gives (a checkpoint's signature is
    # what binds a size to its root), so a wrong size is caught when its shape needs more of the proof:
    assert not verify_consistency(1, 3, ROOTS[1], ROOTS[2], consistency_proof(NODE, 1, 2))
    assert not verify_inclusion(LEAVES[0], 0, 3, inclusion_proof(NODE, 0, 2), ROOTS[2])
    proof = consistency_proof(NODE, 3, 7)
    for args in [
        (7, 3, ROOTS[7], ROOTS[3], proof),
        (-1, 7, ROOTS[3], ROOTS[7], proof),
        (3, 7, ROOTS[3], ROOTS[7], [p[:-1] for p in proof]),
        (3, 7, ROOTS[3], ROOTS[7], None),
        (3, 7, ROOTS[3][:5], ROOTS[7], proof),
        (3, 7, ROOTS[3], "root", proof),
        (False, 7, ROOTS[3], ROOTS[7], proof),
    ]:
        assert verify_consistency(*args) is False, args  # type: ignore[arg-type]
    for old, new in [(6, 5), (-1, 5)]:
        with pytest.raises(ValueError):
            consistency_proof(NODE, old, new)


# ---- the frontier ------------------------------------------------------------------------------------------


def test_frontier_matches_root_and_its_reported_nodes_serve_proofs() -> None:
    leaves = random_leaves(100, seed=2)
    frontier, store = Frontier(), {}
    assert frontier.root() == EMPTY_ROOT
    for n, leaf in enumerate(leaves, start=1):
        completed = frontier.append(leaf)
        assert completed[0] == (0, n - 1, leaf)
        for level, index, h in completed:
            assert (level, index) not in store
            assert (index + 1) << level == n  # a subtree is complete exactly when its last leaf arrives
            store[(level, index)] = h
        assert frontier.size == n
        assert frontier.root() == root(leaves[:n])
    assert store == store_of(leaves)
    node = reader(store)
    for size in (1, 7, 64, 99, 100):
        for index in range(0, size, 7):
            proof = inclusion_proof(node, index, size)
            assert verify_inclusion(leaves[index], index, size, proof, root(leaves[:size]))
        for old in range(1, size, 5):
            proof = consistency_proof(node, old, size)
            assert verify_consistency(old, size, root(leaves[:old]), root(leaves[:size]), proof)


def test_frontier_round_trips_and_rebuilds_from_the_node_table() -> None:
    for size in range(MAX + 1):
        frontier = Frontier()
        for leaf in LEAVES[:size]:
            frontier.append(leaf)
        data = json.loads(json.dumps(frontier.to_dict()))
        assert Frontier.from_dict(data) == frontier
        rebuilt = Frontier.from_nodes(NODE, size)
        assert rebuilt == frontier
        assert rebuilt.root() == ROOTS[size]
        assert [(lv, i) for lv, i, _ in rebuilt.subtrees()] == [
            (lv, i) for lv in range(size.bit_length() - 1, -1, -1) if size >> lv & 1 for i in [(size >> lv) - 1]
        ]
        rebuilt.append(LEAVES[size])  # and it grows on as if it had never stopped
        assert rebuilt.root() == ROOTS[size + 1]


def test_frontier_refuses_malformed_state() -> None:
    for data in [
        {"size": 3, "hashes": [LEAVES[0].hex()]},
        {"size": 1, "hashes": ["zz"]},
        {"size": 1, "hashes": [LEAVES[0].hex()[:-2]]},
        {"size": -1, "hashes": []},
        {"size": "1", "hashes": [LEAVES[0].hex()]},
        {"hashes": []},
        {"size": 1, "hashes": [1]},
        [],
    ]:
        with pytest.raises(ValueError):
            Frontier.from_dict(data)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Frontier().append(b"short")
    with pytest.raises(ValueError):
        Frontier.from_nodes(NODE, -1)


def test_proofs_read_few_nodes_of_a_large_tree() -> None:
    size = (1 << 14) + 37
    leaves = random_leaves(size, seed=3)
    frontier, store = Frontier(), {}
    for leaf in leaves:
        store.update({(lv, i): h for lv, i, h in frontier.append(leaf)})
    assert frontier.root() == root(leaves)
    calls: list[int] = []
    node = reader(store, calls)
    for index in (0, 1, 5000, size // 2, size - 2, size - 1):
        del calls[:]
        proof = inclusion_proof(node, index, size)
        assert len(calls) <= 15 * 15
        assert verify_inclusion(leaves[index], index, size, proof, frontier.root())
    small = Frontier.from_nodes(node, 9999)
    del calls[:]
    proof = consistency_proof(node, 9999, size)
    assert len(calls) <= 15 * 15
    assert verify_consistency(9999, size, small.root(), frontier.root(), proof)
