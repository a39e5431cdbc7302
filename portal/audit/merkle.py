"""An RFC 6962 / RFC 9162 Merkle tree (the Certificate Transparency shape), in plain Python.

Leaves are hashed as SHA-256(0x00 || data) and interior nodes as SHA-256(0x01 || left || right); the
hash of a list of n > 1 leaves splits it at the largest power of two smaller than n (MTH, RFC 6962
section 2.1). Every function here that takes "a leaf" takes its leaf hash, as `leaf_hash` returns it.

Proofs are computed from stored complete subtrees rather than from every leaf: the caller passes a
`node(level, index)` callable returning the hash of the complete subtree covering leaves
[index * 2**level, (index + 1) * 2**level), level 0 being the leaf hashes. A `Frontier` grows a tree
one leaf at a time and reports each complete subtree an append finishes, so the caller can keep them
in a table and serve `node` from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeReader = Callable[[int, int], bytes]
"""`node(level, index)`: the hash of the complete subtree over leaves [index * 2**level, (index + 1) * 2**level)."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n >= 2): where RFC 6962 splits a list of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def _fold(hashes: Sequence[bytes]) -> bytes:
    """The root of a tree from the hashes of its maximal complete subtrees, largest (leftmost) first."""
    if not hashes:
        return EMPTY_ROOT
    acc = hashes[-1]
    for h in reversed(hashes[:-1]):
        acc = node_hash(h, acc)
    return acc


def _subtrees(size: int) -> list[tuple[int, int]]:
    """(level, index) of the maximal complete subtrees of a tree of `size` leaves, largest first: one per
    bit set in `size`, from the highest bit down."""
    found = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            found.append((level, start >> level))
            start += 1 << level
    return found


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH over already hashed leaves, in one pass and O(log n) memory; EMPTY_ROOT for no leaves."""
    stack: list[bytes] = []
    for size, h in enumerate(leaf_hashes):
        while size & 1:  # each low set bit of the size before this leaf is a subtree this leaf completes
            h = node_hash(stack.pop(), h)
            size >>= 1
        stack.append(h)
    return _fold(stack)


def range_hash(node: NodeReader, start: int, end: int) -> bytes:
    """MTH(D[start:end]): the RFC 6962 hash of leaves [start, end) taken as a tree of their own.

    An aligned power-of-two range is one stored node; any other range splits at the largest power of
    two k < n into MTH(first k) and MTH(rest). The ranges proofs ask for are always aligned on the
    left, so they cost O(log n) reads; an unaligned range costs more but is still correct.
    """
    if start < 0 or end < start:
        raise ValueError(f"invalid leaf range [{start}, {end})")
    n = end - start
    if n == 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return node(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(range_hash(node, start, start + k), range_hash(node, start + k, end))


def inclusion_proof(node: NodeReader, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 6962 section 2.1.1, nearest the leaf first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    path = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_hash(node, start + k, end))
            end = start + k
        else:
            path.append(range_hash(node, start, start + k))
            start += k
    path.reverse()
    return path


def consistency_proof(node: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 6962 section 2.1.2 (SUBPROOF with its b flag), nearest the
    leaves first. Empty when old_size is 0 or equals new_size: those need no proof."""
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    proof = []
    start, end, whole = 0, new_size, True  # `whole`: the old tree is exactly D[start:old_size] (b = true)
    while old_size != end:
        k = _split(end - start)
        if old_size - start <= k:
            proof.append(range_hash(node, start + k, end))
            end = start + k
        else:
            proof.append(range_hash(node, start, start + k))
            start += k
            whole = False
    if not whole:
        proof.append(range_hash(node, start, end))
    proof.reverse()
    return proof


def _is_size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_hash(value: object) -> bool:
    return isinstance(value, bytes) and len(value) == HASH_SIZE


def _is_proof(value: object) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, bytes | str) and all(_is_hash(p) for p in value)


def _shift_to_set_bit(fn: int, sn: int) -> tuple[int, int]:
    """Right-shift both until fn's lowest bit is set or fn is 0 (RFC 9162 2.1.3.2 / 2.1.4.2)."""
    while fn and not fn & 1:
        fn >>= 1
        sn >>= 1
    return fn, sn


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2: does `proof` show leaf hash `leaf` at `index` in the tree of `size`
    leaves whose root is `root`? False, never an exception, for any malformed input."""
    if not (_is_hash(leaf) and _is_size(index) and _is_size(size) and _is_proof(proof) and _is_hash(root)):
        return False
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            fn, sn = _shift_to_set_bit(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2: is the tree of `old_size` leaves with `old_root` a prefix of the tree of
    `new_size` leaves with `new_root`? Equal sizes need an empty proof and equal roots; an empty old
    tree (whose root is EMPTY_ROOT) is a prefix of any tree, with an empty proof. False, never an
    exception, for any malformed input."""
    if not (_is_size(old_size) and _is_size(new_size) and _is_hash(old_root) and _is_hash(new_root)):
        return False
    if not _is_proof(proof) or old_size > new_size:
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = [old_root, *proof] if old_size & (old_size - 1) == 0 else list(proof)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            fn, sn = _shift_to_set_bit(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


@dataclass
class Frontier:
    """The right edge of a growing tree: its size and the hashes of its maximal complete subtrees,
    largest (leftmost) first, one per bit set in the size. Appending a leaf costs O(log n)."""

    size: int = 0
    hashes: list[bytes] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not _is_size(self.size):
            raise ValueError(f"invalid tree size {self.size!r}")
        if len(self.hashes) != self.size.bit_count() or not all(_is_hash(h) for h in self.hashes):
            raise ValueError(f"a tree of size {self.size} has {self.size.bit_count()} subtree hashes of 32 bytes")
        self.hashes = list(self.hashes)

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add the leaf hash `leaf`; return each complete subtree (level, index, hash) this completed,
        the leaf itself (level 0) first, then its new ancestors bottom up."""
        if not _is_hash(leaf):
            raise ValueError("a leaf is its 32-byte leaf hash")
        level, index, h = 0, self.size, leaf
        completed = [(0, index, h)]
        while self.size >> level & 1:
            h = node_hash(self.hashes.pop(), h)
            level += 1
            index >>= 1
            completed.append((level, index, h))
        self.hashes.append(h)
        self.size += 1
        return completed

    def root(self) -> bytes:
        return _fold(self.hashes)

    def subtrees(self) -> list[tuple[int, int, bytes]]:
        """The maximal complete subtrees (level, index, hash), largest first."""
        return [(level, index, h) for (level, index), h in zip(_subtrees(self.size), self.hashes, strict=True)]

    def to_dict(self) -> dict[str, Any]:
        return {"size": self.size, "hashes": [h.hex() for h in self.hashes]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Frontier:
        try:
            size, hashes = data["size"], [bytes.fromhex(h) for h in data["hashes"]]
        except (KeyError, TypeError, ValueError) as e:
            raise ValueError(f"not a frontier: {e}") from e
        return cls(size, hashes)

    @classmethod
    def from_nodes(cls, node: NodeReader, size: int) -> Frontier:
        """The frontier of the tree of `size` leaves whose complete subtrees `node` serves."""
        if not _is_size(size):
            raise ValueError(f"invalid tree size {size!r}")
        return cls(size, [node(level, index) for level, index in _subtrees(size)])
