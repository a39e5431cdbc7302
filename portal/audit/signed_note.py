"""Signed checkpoints: the C2SP signed-note format with Ed25519 keys, and the C2SP tlog-checkpoint body.

A signed note is a text ending in a newline, a blank line, then one or more signature lines
"— <key name> <base64(4-byte key ID || signature)>" (an em dash, U+2014, and a space). The key ID is
the first four bytes of SHA-256(key name || "\\n" || 0x01 || 32-byte Ed25519 public key), and the
signature covers the text's UTF-8 bytes, final newline included.

Keys travel as text, in the form the note tools use:
    verifier: "<name>+<8 hex digits of key ID>+<base64(0x01 || 32-byte public key)>"
    signer:   "PRIVATE+KEY+<name>+<8 hex digits of key ID>+<base64(0x01 || 32-byte private seed)>"

A checkpoint body is the origin, the tree size in decimal, the root hash in base64, then optional
caller-given extension lines, each line ending in a newline.

Every parse of outside text raises NoteError (a ValueError) on anything malformed, never another
exception.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100
MAX_TREE_SIZE = (1 << 64) - 1
ED25519 = 0x01  # the signature type byte of Ed25519 in key IDs and key texts
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
PRIVATE_PREFIX = "PRIVATE+KEY+"
ROOT_SIZE = 32
_SIZE_RE = re.compile(r"0|[1-9][0-9]*")
_KEY_ID_RE = re.compile(r"[0-9a-fA-F]{8}")
_CONTROLS_RE = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff]")  # controls but newline; lone surrogates


class NoteError(ValueError):
    """A note, checkpoint or key text that is malformed, or a note no known key has signed."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        return checkpoint_body(self.origin, self.size, self.root, self.extensions)


@dataclass(frozen=True)
class _Key:
    name: str
    key_id: bytes  # 4 bytes
    public: Ed25519PublicKey


def key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 public key under `name`."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def _has_controls(text: str) -> bool:
    """Any ASCII control character other than newline, or a lone surrogate (no UTF-8 encoding)."""
    return _CONTROLS_RE.search(text) is not None


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not _has_controls(name) and not any(c.isspace() for c in name)


def _b64decode(text: str, what: str) -> bytes:
    """Strict standard base64: the alphabet, the padding, and the one canonical spelling of the bytes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError) as e:
        raise NoteError(f"{what} is not valid base64") from e
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not canonical base64")
    return raw


def _key_text_parts(text: str, what: str) -> tuple[str, bytes, bytes]:
    """Split "<name>+<key ID hex>+<base64(0x01 || 32 bytes)>" into name, key ID and the 32 bytes."""
    if not isinstance(text, str) or len(text) > 1000:
        raise NoteError(f"malformed {what}")
    parts = text.split("+", 2)
    if len(parts) != 3 or not _valid_name(parts[0]) or not _KEY_ID_RE.fullmatch(parts[1]):
        raise NoteError(f"malformed {what}")
    raw = _b64decode(parts[2], f"the key of the {what}")
    if len(raw) != 33 or raw[0] != ED25519:
        raise NoteError(f"the {what} does not hold an Ed25519 key")
    return parts[0], bytes.fromhex(parts[1]), raw[1:]


def _parse_signer(text: str) -> tuple[str, bytes, Ed25519PrivateKey]:
    if not isinstance(text, str) or not text.startswith(PRIVATE_PREFIX):
        raise NoteError("malformed signer key")
    name, kid, seed = _key_text_parts(text[len(PRIVATE_PREFIX) :], "signer key")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    if kid != key_id(name, private.public_key().public_bytes_raw()):
        raise NoteError("the signer key's ID does not match its key")
    return name, kid, private


def _parse_verifier(text: str) -> _Key:
    name, kid, public_raw = _key_text_parts(text, "verifier key")
    if kid != key_id(name, public_raw):
        raise NoteError("the verifier key's ID does not match its key")
    try:
        public = Ed25519PublicKey.from_public_bytes(public_raw)
    except ValueError as e:
        raise NoteError("the verifier key is not a valid Ed25519 public key") from e
    return _Key(name, kid, public)


def _key_text(name: str, kid: bytes, key: bytes) -> str:
    return f"{name}+{kid.hex()}+{base64.b64encode(bytes([ED25519]) + key).decode('ascii')}"


def generate_signer(name: str) -> str:
    """A new Ed25519 signer key text for key name `name`."""
    if not isinstance(name, str) or not _valid_name(name):
        raise NoteError(f"invalid key name {name!r}: it must be non-empty, without spaces, '+' or control characters")
    private = Ed25519PrivateKey.generate()
    kid = key_id(name, private.public_key().public_bytes_raw())
    return PRIVATE_PREFIX + _key_text(name, kid, private.private_bytes_raw())


def verifier_of(signer_text: str) -> str:
    """The verifier key text of a signer key text."""
    name, kid, private = _parse_signer(signer_text)
    return _key_text(name, kid, private.public_key().public_bytes_raw())


def _check_text(text: str, what: str) -> bytes:
    """The UTF-8 bytes of a note or body, which must be at most 1 MiB and free of control characters."""
    if not isinstance(text, str):
        raise NoteError(f"the {what} is not text")
    if len(text) > MAX_NOTE_BYTES:
        raise NoteError(f"the {what} is over {MAX_NOTE_BYTES} bytes")
    if _has_controls(text):
        raise NoteError(f"the {what} holds control characters or invalid UTF-8")
    raw = text.encode("utf-8")
    if len(raw) > MAX_NOTE_BYTES:
        raise NoteError(f"the {what} is over {MAX_NOTE_BYTES} bytes")
    return raw


def sign(body: str, signer_text: str) -> str:
    """The signed note of `body` (non-empty, ending in a newline) under the signer key text."""
    raw = _check_text(body, "note text")
    if not body.endswith("\n"):
        raise NoteError("the note text must end with a newline")
    name, kid, private = _parse_signer(signer_text)
    signature = base64.b64encode(kid + private.sign(raw)).decode("ascii")
    note = f"{body}\n{SIGNATURE_PREFIX}{name} {signature}\n"
    _check_text(note, "note")
    return note


def _decode_note(note: str | bytes) -> str:
    if isinstance(note, bytes | bytearray):
        if len(note) > MAX_NOTE_BYTES:
            raise NoteError(f"the note is over {MAX_NOTE_BYTES} bytes")
        try:
            return bytes(note).decode("utf-8")
        except UnicodeDecodeError as e:
            raise NoteError("the note is not valid UTF-8") from e
    return note


def _split_note(note: str) -> tuple[str, list[tuple[str, bytes, bytes]]]:
    """The note's text, and its signature lines as (key name, key ID, signature)."""
    _check_text(note, "note")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("malformed note: no blank line before the signatures, or no final newline")
    text, lines = note[: split + 1], note[split + 2 : -1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has more than {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        parts = line.removeprefix(SIGNATURE_PREFIX).split(" ")
        if not line.startswith(SIGNATURE_PREFIX) or len(parts) != 2 or not _valid_name(parts[0]):
            raise NoteError(f"malformed signature line {line[:80]!r}")
        raw = _b64decode(parts[1], "a signature")
        if len(raw) < 5:
            raise NoteError("a signature is too short")
        signatures.append((parts[0], raw[:4], raw[4:]))
    return text, signatures


def _verifiers(verifier_texts: Sequence[str]) -> dict[tuple[str, bytes], _Key]:
    if isinstance(verifier_texts, str):
        raise NoteError("the verifier keys must be a list of key texts")
    known: dict[tuple[str, bytes], _Key] = {}
    for text in verifier_texts:
        key = _parse_verifier(text)
        known[(key.name, key.key_id)] = key
    return known


def open_note(note: str | bytes, verifier_texts: Sequence[str]) -> str:
    """The text of `note` if a known key has signed it; NoteError otherwise.

    Signatures of unknown keys (a different name or key ID) are ignored; a signature of a known key
    that does not verify rejects the whole note; at least one known key's signature must verify.
    """
    text, signatures = _split_note(_decode_note(note))
    known = _verifiers(verifier_texts)
    verified = False
    for name, kid, signature in signatures:
        key = known.get((name, kid))
        if key is None:
            continue
        try:
            key.public.verify(signature, text.encode("utf-8"))
        except InvalidSignature as e:
            raise NoteError(f"the signature of key {name!r} does not verify") from e
        verified = True
    if not verified:
        raise NoteError("the note is not signed by any known key")
    return text


def _check_line(line: str, what: str) -> None:
    if not isinstance(line, str) or not line or "\n" in line or _has_controls(line):
        raise NoteError(f"the {what} must be a non-empty line without control characters")


def checkpoint_body(origin: str, size: int, root: bytes, extensions: Sequence[str] = ()) -> str:
    """The C2SP tlog-checkpoint note text of a tree of `size` leaves with root hash `root`."""
    _check_line(origin, "origin")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= MAX_TREE_SIZE:
        raise NoteError(f"invalid tree size {size!r}")
    if not isinstance(root, bytes) or len(root) != ROOT_SIZE:
        raise NoteError("the root hash must be 32 bytes")
    if isinstance(extensions, str):
        raise NoteError("the extension lines must be a list of lines")
    for line in extensions:
        _check_line(line, "extension line")
    lines = [origin, str(size), base64.b64encode(root).decode("ascii"), *extensions]
    return "".join(line + "\n" for line in lines)


def parse_checkpoint(body: str) -> Checkpoint:
    """The checkpoint a C2SP tlog-checkpoint note text describes; NoteError if it is malformed."""
    _check_text(body, "checkpoint")
    if not body.endswith("\n"):
        raise NoteError("the checkpoint must end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("the checkpoint must have an origin, a tree size and a root hash line")
    if not all(lines):
        raise NoteError("the checkpoint has an empty line")
    origin, size_text, root_text, *extensions = lines
    if not _SIZE_RE.fullmatch(size_text) or len(size_text) > 20 or int(size_text) > MAX_TREE_SIZE:
        raise NoteError(f"invalid tree size {size_text[:40]!r}")
    root = _b64decode(root_text, "the root hash")
    if len(root) != ROOT_SIZE:
        raise NoteError("the root hash is not 32 bytes")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))
