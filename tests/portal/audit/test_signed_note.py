"""Signed checkpoints: C2SP signed notes with Ed25519 keys, and the tlog-checkpoint body; every malformed
or hostile input is refused with NoteError and nothing else."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from portal.audit.merkle import EMPTY_ROOT, leaf_hash, root
from portal.audit.signed_note import (
    Checkpoint,
    NoteError,
    checkpoint_body,
    generate_signer,
    key_id,
    open_note,
    parse_checkpoint,
    sign,
    verifier_of,
)

ORIGIN = "paten.ppu.go.id/log"
ROOT = root([leaf_hash(b"a"), leaf_hash(b"b"), leaf_hash(b"c")])
DASH = "\u2014 "
URLSAFE_ROOT = base64.urlsafe_b64encode(b"\xfb" * 32).decode()  # "-" and "_" where standard base64 has "+" and "/"

# The example key pair and note of the Go reference implementation (golang.org/x/mod/sumdb/note),
# which other signed-note implementations also test against: Ed25519 signatures are deterministic, so
# signing its text with its key must give its signature byte for byte.
GO_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIGNATURE = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="


@pytest.fixture(scope="module")
def signer() -> str:
    return generate_signer(ORIGIN)


@pytest.fixture(scope="module")
def body() -> str:
    return checkpoint_body(ORIGIN, 3, ROOT)


def signature_line(note: str) -> str:
    return note[note.rindex("\n\n") + 2 :]


def test_sign_and_open_round_trip(signer: str, body: str) -> None:
    note = sign(body, signer)
    assert note.startswith(body + "\n" + DASH + ORIGIN + " ")
    assert note.endswith("\n")
    assert open_note(note, [verifier_of(signer)]) == body
    assert open_note(note.encode("utf-8"), [verifier_of(signer)]) == body
    assert parse_checkpoint(open_note(note, [verifier_of(signer)])) == Checkpoint(ORIGIN, 3, ROOT, ())


def test_the_reference_vector_signs_and_opens_byte_for_byte() -> None:
    note = GO_TEXT + "\n" + DASH + "PeterNeumann " + GO_SIGNATURE + "\n"
    assert verifier_of(GO_SIGNER) == GO_VERIFIER
    assert sign(GO_TEXT, GO_SIGNER) == note
    assert open_note(note, [GO_VERIFIER]) == GO_TEXT


def test_the_key_id_is_computed_as_the_spec_says(signer: str) -> None:
    verifier = verifier_of(signer)
    name, kid_hex, key_b64 = verifier.split("+", 2)
    raw = base64.b64decode(key_b64)
    assert raw[0] == 1 and len(raw) == 33
    independent = hashlib.sha256(name.encode() + bytes([0x0A, 0x01]) + raw[1:]).digest()[:4]
    assert kid_hex == independent.hex() == key_id(name, raw[1:]).hex()
    # the key ID of the signer's own public key, from the seed in the signer text
    seed = base64.b64decode(signer.split("+", 4)[4])[1:]
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    assert public == raw[1:]
    # and the 4 bytes in front of every signature are the key ID
    note = sign("hello\n", signer)
    assert base64.b64decode(signature_line(note).split(" ")[2].strip())[:4] == independent
    assert key_id("PeterNeumann", base64.b64decode(GO_VERIFIER.split("+", 2)[2])[1:]).hex() == "c74f20a3"


def test_verifier_and_signer_texts_round_trip(signer: str) -> None:
    verifier = verifier_of(signer)
    assert verifier_of(signer) == verifier
    assert signer.startswith("PRIVATE+KEY+" + ORIGIN + "+")
    assert signer.split("+")[3] == verifier.split("+")[1]
    assert open_note(sign("x\n", signer), [verifier, verifier]) == "x\n"
    other = generate_signer(ORIGIN)
    assert verifier_of(other) != verifier
    for bad_name in ["", "a b", "a+b", "a\nb", "a\tb", "a\u00a0b", "a\u2003b"]:
        with pytest.raises(NoteError):
            generate_signer(bad_name)


def test_a_note_signed_by_another_key_is_refused(signer: str, body: str) -> None:
    other = generate_signer(ORIGIN)  # the same name, another key: another key ID, so an unknown key
    with pytest.raises(NoteError, match="not signed by any known key"):
        open_note(sign(body, other), [verifier_of(signer)])
    with pytest.raises(NoteError, match="not signed by any known key"):
        open_note(sign(body, generate_signer("elsewhere.example/log")), [verifier_of(signer)])
    with pytest.raises(NoteError, match="not signed by any known key"):
        open_note(sign(body, signer), [])


def test_unknown_signatures_are_ignored_but_a_known_one_is_required(signer: str, body: str) -> None:
    witness = generate_signer("witness.example/w1")
    mine, theirs = signature_line(sign(body, signer)), signature_line(sign(body, witness))
    both = body + "\n" + theirs + mine
    assert open_note(both, [verifier_of(signer)]) == body
    assert open_note(both, [verifier_of(witness)]) == body
    assert open_note(both, [verifier_of(signer), verifier_of(witness)]) == body
    # a known name with an unknown key ID, or a known key ID under another name, is an unknown key
    kid_sig = theirs.split(" ")[2]
    renamed = body + "\n" + DASH + ORIGIN + "x " + mine.split(" ")[2] + mine
    assert open_note(renamed, [verifier_of(signer)]) == body
    with pytest.raises(NoteError, match="not signed by any known key"):
        open_note(body + "\n" + DASH + ORIGIN + " " + kid_sig, [verifier_of(signer)])


def test_flipped_bytes_are_refused(signer: str, body: str) -> None:
    verifier = verifier_of(signer)
    note = sign(body, signer)
    tail = signature_line(note)
    sig = base64.b64decode(tail.split(" ")[2].strip())
    for i in range(4, len(sig)):  # the signature itself (past the key ID)
        bad = bytearray(sig)
        bad[i] ^= 0x01
        forged = body + "\n" + DASH + ORIGIN + " " + base64.b64encode(bytes(bad)).decode() + "\n"
        with pytest.raises(NoteError, match="does not verify"):
            open_note(forged, [verifier])
    for i, c in enumerate(body):  # any character of the body
        swapped = body[:i] + ("A" if c != "A" else "B") + body[i + 1 :]
        with pytest.raises(NoteError):
            open_note(swapped + "\n" + tail, [verifier])
    for i in range(len(ROOT)):  # the root hash, re-encoded as a well-formed checkpoint
        bad_root = bytearray(ROOT)
        bad_root[i] ^= 0x80
        with pytest.raises(NoteError, match="does not verify"):
            open_note(checkpoint_body(ORIGIN, 3, bytes(bad_root)) + "\n" + tail, [verifier])
    with pytest.raises(NoteError, match="does not verify"):
        open_note(checkpoint_body(ORIGIN, 4, ROOT) + "\n" + tail, [verifier])


def test_a_failing_known_signature_refuses_the_note_even_beside_a_good_one(signer: str, body: str) -> None:
    good = signature_line(sign(body, signer))
    bad = signature_line(sign(body.replace("3", "4", 1), signer))
    with pytest.raises(NoteError, match="does not verify"):
        open_note(body + "\n" + good + bad, [verifier_of(signer)])


def test_checkpoint_body_and_parse_round_trip() -> None:
    body = checkpoint_body(ORIGIN, 20852163, ROOT, ["extension one", "\u2014 two"])
    lines = body.split("\n")
    assert lines == [ORIGIN, "20852163", base64.b64encode(ROOT).decode(), "extension one", "\u2014 two", ""]
    cp = parse_checkpoint(body)
    assert cp == Checkpoint(ORIGIN, 20852163, ROOT, ("extension one", "\u2014 two"))
    assert cp.body() == body
    empty = checkpoint_body(ORIGIN, 0, EMPTY_ROOT)
    assert empty == ORIGIN + "\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    assert parse_checkpoint(empty).size == 0
    assert parse_checkpoint(f"o\n{2**64 - 1}\n{base64.b64encode(ROOT).decode()}\n").size == 2**64 - 1
    with pytest.raises(AttributeError):
        cp.size = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "\n",
        f"{ORIGIN}\n3\n",
        f"{ORIGIN}\n3\nROOT",
        f"{ORIGIN}\n3\nROOT\n\n",
        f"{ORIGIN}\n3\nROOT\n\nextension\n",
        "\n3\nROOT\n",
        f"{ORIGIN}\n\nROOT\n",
        f"{ORIGIN}\n-3\nROOT\n",
        f"{ORIGIN}\n+3\nROOT\n",
        f"{ORIGIN}\n03\nROOT\n",
        f"{ORIGIN}\n00\nROOT\n",
        f"{ORIGIN}\n3.0\nROOT\n",
        f"{ORIGIN}\n 3\nROOT\n",
        f"{ORIGIN}\n3 \nROOT\n",
        f"{ORIGIN}\n0x3\nROOT\n",
        f"{ORIGIN}\n\u0663\nROOT\n",  # an Arabic-Indic digit three
        f"{ORIGIN}\n{2**64}\nROOT\n",
        f"{ORIGIN}\n{'9' * 5000}\nROOT\n",
        f"{ORIGIN}\n3\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n3\n{base64.b64encode(ROOT + b'x').decode()}\n",
        f"{ORIGIN}\n3\n{base64.b64encode(ROOT).decode().rstrip('=')}\n",
        f"{ORIGIN}\n3\n{URLSAFE_ROOT}\n",
        f"{ORIGIN}\n3\n{ROOT.hex()}\n",
        f"{ORIGIN}\n3\n {base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n3\nROOT\nbad\textension\n",
        f"{ORIGIN}\r\n3\nROOT\n",
    ],
)
def test_parse_checkpoint_refuses_malformed_bodies(body: str) -> None:
    with pytest.raises(NoteError):
        parse_checkpoint(body.replace("ROOT", base64.b64encode(ROOT).decode()))


def test_parse_checkpoint_refuses_a_non_canonical_root_encoding() -> None:
    good = base64.b64encode(ROOT[:31] + b"\x00").decode()  # ends in "A=": the last character holds 2 spare bits
    assert good.endswith("A=")
    parse_checkpoint(f"o\n1\n{good}\n")
    with pytest.raises(NoteError, match="canonical"):
        parse_checkpoint(f"o\n1\n{good[:-2]}B=\n")


def test_checkpoint_body_refuses_bad_arguments() -> None:
    for args in [
        ("", 1, ROOT),
        ("a\nb", 1, ROOT),
        (ORIGIN, -1, ROOT),
        (ORIGIN, 2**64, ROOT),
        (ORIGIN, True, ROOT),
        (ORIGIN, "1", ROOT),
        (ORIGIN, 1, ROOT[:31]),
        (ORIGIN, 1, ROOT.hex()),
        (ORIGIN, 1, ROOT, [""]),
        (ORIGIN, 1, ROOT, ["two\nlines"]),
        (ORIGIN, 1, ROOT, "line"),
        (ORIGIN, 1, ROOT, ["tab\there"]),
    ]:
        with pytest.raises(NoteError):
            checkpoint_body(*args)  # type: ignore[arg-type]


def test_sign_refuses_bad_text_and_bad_keys(signer: str) -> None:
    for text in ["", "no final newline", "bad\x00control\n", "bad\rreturn\n", "lone \udcff surrogate\n"]:
        with pytest.raises(NoteError):
            sign(text, signer)
    with pytest.raises(NoteError):
        sign("x" * (1 << 20) + "\n", signer)
    name, kid, seed = signer.split("+", 4)[2:]
    other_type = base64.b64encode(b"\x02" + base64.b64decode(seed)[1:]).decode()
    bad_keys = [verifier_of(signer), "", "PRIVATE+KEY+", signer[:-4], f"PRIVATE+KEY+{name}+{kid}+{other_type}"]
    for key in [*bad_keys, f"PRIVATE+KEY+a b+{kid}+{seed}", f"PRIVATE+KEY+{name}+{kid}+{seed[:-8]}"]:
        with pytest.raises(NoteError):
            sign("x\n", key)
    wrong_id = signer.replace(f"+{kid}+", f"+{int(kid, 16) ^ 1:08x}+")
    with pytest.raises(NoteError, match="does not match"):
        sign("x\n", wrong_id)


def _hostile_notes(note: str) -> list[str | bytes]:
    line = signature_line(note)
    body = note[: -len(line) - 1]
    return [
        "",
        "\n",
        "\n\n",
        body,
        body + "\n",
        note[:-1],
        note + "\n",
        note + "trailing",
        body + "\n" + line.replace(DASH, "- ", 1),
        body + "\n" + line.replace(DASH, "\u2014", 1),
        body + "\n" + line.replace(" ", "  ", 1),
        body + "\n" + line[:-1] + " extra\n",
        body + "\n" + line[:-2] + "!\n",
        body + "\n" + line[:-5] + "\n",
        body + "\n" + DASH + ORIGIN + " AAAA\n",
        body + "\n" + DASH + ORIGIN + " \n",
        body + "\n" + DASH + " " + line.split(" ")[2],
        body + "\n" + line + "\n",
        body + "\n" + line * 101,
        note.replace("\n", "\r\n"),
        note.replace(ORIGIN, ORIGIN + "\x07", 1),
        note.replace(ORIGIN, ORIGIN + "\udcff", 1),
        note.encode("utf-8").replace(b"paten", b"pat\xffn", 1),
        note.encode("utf-8")[: len(note.encode("utf-8")) - len(line.encode()) - 1] + b"\n\xe2\x80\n",
        "x" * (1 << 20) + "\n\n" + line,
        ("x" * (1 << 20) + "\n\n" + line).encode("utf-8"),
        ("\u00e9" * ((1 << 19) + 1)) + "\n\n" + line,  # under 1 Mi characters, over 1 MiB of UTF-8
    ]


def test_hostile_notes_raise_note_error_only(signer: str, body: str) -> None:
    note = sign(body, signer)
    verifier = verifier_of(signer)
    assert open_note(body + "\n" + signature_line(note) * 100, [verifier]) == body  # 100 signatures are fine
    for hostile in _hostile_notes(note):
        with pytest.raises(NoteError):
            open_note(hostile, [verifier])


def test_bad_verifier_texts_raise_note_error(signer: str) -> None:
    note = sign("x\n", signer)
    verifier = verifier_of(signer)
    name, kid, key = verifier.split("+", 2)
    other_key = verifier_of(generate_signer(name)).split("+", 2)[2]
    other_type = base64.b64encode(b"\x02" + base64.b64decode(key)[1:]).decode()
    bare_key = base64.b64encode(base64.b64decode(key)[1:]).decode()
    for bad in [
        "",
        "+++",
        name,
        f"{name}+{kid}",
        f"{name}+{kid}+",
        f"{name}+{kid[:-1]}+{key}",
        f"{name}+{kid}0+{key}",
        f"{name}+zzzzzzzz+{key}",
        f"{name}+{kid}+{key[:-1]}",
        f"{name}+{kid}+{key}=",
        f"{name}+{kid}+{other_type}",
        f"{name}+{kid}+{bare_key}",
        f"{name}+{kid}+{other_key}",
        f"other+{kid}+{key}",
        f"a b+{kid}+{key}",
        "x" * 5000,
        signer,
    ]:
        with pytest.raises(NoteError):
            open_note(note, [bad])
    with pytest.raises(NoteError):
        open_note(note, verifier)  # a lone string, not a list of them
    with pytest.raises(NoteError):
        open_note(note, [None])  # type: ignore[list-item]
    with pytest.raises(NoteError, match="ID does not match"):
        open_note(note, [f"{name}+{kid}+{other_key}"])
    with pytest.raises(NoteError, match="too short"):
        open_note("x\n\n" + DASH + name + " AAAA\n", [verifier])
