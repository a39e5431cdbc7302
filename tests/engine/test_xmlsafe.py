"""Hostile and broken XML: lint gives located lines and never raises; load raises DefinitionError.

Nothing from the file system or the network may get in: no entity is expanded, no external DTD
or entity is even opened, and nothing read could show up in a message.
"""

from __future__ import annotations

import contextlib
import random
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

import engine
from engine.xmlsafe import _parser
from tests.engine.samples import FILENAME, TEMPLATE

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
LINE = re.compile(r"^(?P<file>[^\n]+?):(?P<element>[^\s:]+): (?P<message>\S[^\n]*)$")

REFUSED_DTD = "DOCTYPE and ENTITY declarations are not allowed"
NS = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _twenty_megabytes() -> bytes:
    head = TEMPLATE.encode()
    filler = b"<!--" + b"x" * (20 * 1024 * 1024) + b"-->"
    return head.replace(b"</bpmn:definitions>", filler + b"</bpmn:definitions>")


def _deeply_nested(depth: int) -> bytes:
    return (
        f'<bpmn:definitions {NS} id="Definitions_Dalam">'.encode()
        + b"<bpmn:extensionElements>" * depth
        + b"</bpmn:extensionElements>" * depth
        + b"</bpmn:definitions>"
    )


def _cases() -> Iterator[tuple[str, bytes, str]]:
    """(file name, bytes, a phrase the refusal must contain)."""
    for name in (
        "xxe-file.bpmn",
        "xxe-http.bpmn",
        "xxe-parameter-entity.bpmn",
        "external-dtd.bpmn",
        "billion-laughs.bpmn",
        "utf16-doctype.bpmn",
        "utf16le-nobom-doctype.bpmn",
        "utf7-doctype.bpmn",
    ):
        yield name, (HOSTILE / name).read_bytes(), REFUSED_DTD
    yield "malformed.bpmn", (HOSTILE / "malformed.bpmn").read_bytes(), "malformed XML"
    yield "not-bpmn.bpmn", (HOSTILE / "not-bpmn.bpmn").read_bytes(), "not a BPMN 2.0 file"
    yield "empty.bpmn", (HOSTILE / "empty.bpmn").read_bytes(), "file is empty"
    yield "blank.bpmn", b" \n\t\r\n ", "file is empty"
    yield "garbage.bpmn", (HOSTILE / "garbage.bpmn").read_bytes(), "malformed XML"
    yield "noise.bpmn", random.Random(2026).randbytes(64 * 1024), "malformed XML"
    yield "nul.bpmn", b"\x00" * 4096, "malformed XML"
    yield "twenty-mb.bpmn", _twenty_megabytes(), "larger than 5 MB"
    yield "deep.bpmn", _deeply_nested(100_000), "depth"
    utf32 = (HOSTILE / "xxe-file.bpmn").read_text("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-32"')
    yield "utf32-doctype.bpmn", utf32.encode("utf-32"), REFUSED_DTD
    yield "unknown-encoding.bpmn", TEMPLATE.replace("UTF-8", "X-NO-SUCH-CODEC").encode(), "unsupported encoding"


CASES = list(_cases())


@pytest.mark.parametrize(("name", "source", "phrase"), CASES, ids=[c[0] for c in CASES])
def test_lint_refuses_with_located_lines_and_never_raises(name: str, source: bytes, phrase: str) -> None:
    # given a hostile or broken file
    # when it is linted
    problems = engine.lint(source, name)

    # then there is at least one error, every finding reads FILE:ELEMENT: message on one line
    assert engine.errors_of(problems), problems
    for problem in problems:
        match = LINE.match(str(problem))
        assert match is not None, str(problem)
        assert match["file"] == name
        assert match["element"] == problem.element_id
    # and the refusal says why
    assert any(phrase in p.message for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize(("name", "source", "phrase"), CASES, ids=[c[0] for c in CASES])
def test_load_definition_raises_definition_error(name: str, source: bytes, phrase: str) -> None:
    # given a hostile or broken file
    # when it is loaded
    with pytest.raises(engine.DefinitionError) as raised:
        engine.load_definition(source, name)

    # then the error carries located problems with the reason
    assert raised.value.problems
    assert all(p.file == name for p in raised.value.problems)
    assert phrase in str(raised.value)


def test_not_bpmn_is_located_at_the_root_element() -> None:
    # given well-formed XML whose root is not bpmn:definitions
    source = (HOSTILE / "not-bpmn.bpmn").read_bytes()

    # when linted
    problems = engine.lint(source, "not-bpmn.bpmn")

    # then the one problem names the root's id
    assert [str(p) for p in problems] == [
        "not-bpmn.bpmn:Catalog_1: not a BPMN 2.0 file: the root element must be bpmn:definitions"
    ]


def test_twenty_megabytes_are_refused_by_size_before_parsing() -> None:
    # given a 20 MB file that is otherwise a valid diagram
    source = _twenty_megabytes()
    assert len(source) > 20 * 1024 * 1024

    # when linted
    problems = engine.lint(source, FILENAME)

    # then the only problem is the size, with the actual byte count
    assert [p.message for p in problems] == [f"refused: file is larger than 5 MB ({len(source)} bytes)"]


def test_one_byte_over_the_limit_is_refused_and_the_limit_itself_is_not() -> None:
    # given the valid template padded to exactly the limit, and to one byte more
    base = TEMPLATE.encode()
    pad = engine.MAX_BPMN_BYTES - len(base)
    at_limit = base + b" " * pad
    over = at_limit + b" "

    # when both are linted
    # then only the larger one is refused for its size
    assert engine.lint(at_limit, FILENAME) == []
    assert "larger than" in engine.lint(over, FILENAME)[0].message


def test_billion_laughs_is_refused_quickly_without_expansion() -> None:
    # given the classic nested-entity bomb
    source = (HOSTILE / "billion-laughs.bpmn").read_bytes()

    # when linted and loaded
    started = time.perf_counter()
    problems = engine.lint(source, "billion-laughs.bpmn")
    with pytest.raises(engine.DefinitionError):
        engine.load_definition(source, "billion-laughs.bpmn")
    elapsed = time.perf_counter() - started

    # then it is refused at once (an expansion would take minutes and gigabytes)
    assert [p.message for p in problems] == [f"refused: {REFUSED_DTD}"]
    assert elapsed < 5
    assert "lollol" not in str(problems)


def test_the_parser_itself_refuses_entity_amplification() -> None:
    # given the bomb handed straight to the hardened parser, past the DOCTYPE scan
    source = (HOSTILE / "billion-laughs.bpmn").read_bytes()

    # when parsed
    started = time.perf_counter()
    try:
        root = etree.fromstring(source, parser=_parser())
        text = etree.tostring(root)
    except etree.XMLSyntaxError as exc:
        text = str(exc).encode()

    # then nothing was expanded
    assert time.perf_counter() - started < 5
    assert b"lollol" not in text


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file no diagram may read; its content and its name must never show up anywhere."""
    path = tmp_path / "rahasia-7f3a9c.txt"
    path.write_text("RAHASIA-7f3a9c-ISI-BERKAS\n", encoding="utf-8")
    return path


def _xxe_variants(url: str) -> dict[str, bytes]:
    """Ways to make a parser fetch `url`, some hidden from a byte scan by their encoding."""
    body = f'<bpmn:definitions {NS} id="D"><bpmn:process id="p" isExecutable="true" name="&x;"/></bpmn:definitions>'
    entity = f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "{url}">]>\n{body}'
    param = f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY % x SYSTEM "{url}"> %x;]>\n<d/>'
    external = f'<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "{url}">\n<d/>'
    utf7 = external.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-7"?>')
    return {
        "entity": entity.encode(),
        "entity-in-text": entity.replace('name="&x;"/>', 'name="n">&x;</bpmn:process>').encode(),
        "parameter-entity": param.encode(),
        "external-dtd": external.encode(),
        "utf16-bom": entity.replace("UTF-8", "UTF-16").encode("utf-16"),
        "utf16le-no-bom": entity.replace("UTF-8", "UTF-16LE").encode("utf-16-le"),
        "utf32be-no-bom": entity.replace("UTF-8", "UTF-32BE").encode("utf-32-be"),
        "utf7": utf7.encode("utf-7").replace(b"<!", b"+ADwAIQ-"),
    }


def test_no_file_content_or_name_leaks_into_messages(secret: Path) -> None:
    # given every XXE variant aimed at the secret file
    for variant, source in _xxe_variants(secret.as_uri()).items():
        # when linted and loaded
        lines = [str(p) for p in engine.lint(source, "xxe.bpmn")]
        with pytest.raises(engine.DefinitionError) as raised:
            engine.load_definition(source, "xxe.bpmn")
        text = "\n".join([*lines, str(raised.value)])

        # then the refusal is the DOCTYPE rule, and neither the content nor the file's name
        # (which libxml2 quotes in errors about files it opened) appears
        assert REFUSED_DTD in text, (variant, text)
        assert "RAHASIA" not in text, variant
        assert secret.name not in text, variant


def test_etc_passwd_never_appears_in_any_message() -> None:
    # given the committed fixtures aimed at /etc/passwd
    for name in ("xxe-file.bpmn", "xxe-parameter-entity.bpmn", "external-dtd.bpmn", "utf7-doctype.bpmn"):
        source = (HOSTILE / name).read_bytes()

        # when linted
        text = "\n".join(str(p) for p in engine.lint(source, name))

        # then no line of the password file shows, nor a sign that it was opened
        assert "root:" not in text and "/bin/" not in text, text
        assert "(passwd" not in text, text


def test_the_parser_opens_no_external_dtd_even_past_the_scan(tmp_path: Path, secret: Path) -> None:
    # given an external DTD file that would make libxml2 fail (and name it) if it were read
    dtd = tmp_path / "luar-5b1e.dtd"
    dtd.write_text("this is not a DTD <<<\n", encoding="utf-8")
    external = f'<?xml version="1.0"?>\n<!DOCTYPE d SYSTEM "{dtd.as_uri()}">\n<d/>'.encode()
    entity = f'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "{secret.as_uri()}">]>\n<d>&x;</d>'.encode()

    # when both go straight to the hardened parser
    parsed_external = etree.fromstring(external, parser=_parser())
    parsed_entity = etree.fromstring(entity, parser=_parser())

    # then parsing succeeded (the broken DTD was never opened) and the entity stayed a reference
    assert parsed_external.tag == "d"
    assert b"RAHASIA" not in etree.tostring(parsed_entity)


def test_no_network_connection_is_attempted() -> None:
    # given a local port that records any connection, and every variant aimed at it
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.setblocking(False)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/x"
        variants = {**_xxe_variants(url), **_xxe_variants("http://127.0.0.1:9/x")}

        # when each is linted, loaded and also handed straight to the parser
        for source in variants.values():
            assert engine.errors_of(engine.lint(source, "xxe.bpmn"))
            with pytest.raises(engine.DefinitionError):
                engine.load_definition(source, "xxe.bpmn")
            with contextlib.suppress(etree.XMLSyntaxError):
                etree.fromstring(source, parser=_parser())

        # then nobody connected
        with pytest.raises(BlockingIOError):
            listener.accept()


def test_xinclude_is_not_processed(secret: Path) -> None:
    # given an XInclude of the secret file (no DOCTYPE needed)
    source = (
        f'<bpmn:definitions {NS} xmlns:xi="http://www.w3.org/2001/XInclude" id="D">'
        f'<xi:include href="{secret}" parse="text"/></bpmn:definitions>'
    ).encode()

    # when linted
    text = "\n".join(str(p) for p in engine.lint(source, "xi.bpmn"))

    # then it is judged as a diagram without a process, and nothing was included
    assert "no executable process" in text
    assert "RAHASIA" not in text


def test_moderate_nesting_within_the_parser_limit_still_gets_a_verdict() -> None:
    # given 250 nested sub-processes (deep, but under libxml2's depth limit)
    source = (
        f'<bpmn:definitions {NS} id="D"><bpmn:process id="dalam" isExecutable="true">'.encode()
        + b"".join(b'<bpmn:subProcess id="S%d">' % i for i in range(250))
        + b"</bpmn:subProcess>" * 250
        + b"</bpmn:process></bpmn:definitions>"
    )

    # when linted and loaded
    problems = engine.lint(source, "dalam.bpmn")

    # then both give located errors rather than a crash
    assert engine.errors_of(problems)
    assert all(LINE.match(str(p)) for p in problems)
    with pytest.raises(engine.DefinitionError):
        engine.load_definition(source, "dalam.bpmn")


def test_text_instead_of_bytes_is_a_finding_not_a_crash() -> None:
    # given the diagram as str, not bytes
    # when linted
    problems = engine.lint(TEMPLATE, FILENAME)  # type: ignore[arg-type]

    # then lint says what it expected
    assert [p.message for p in problems] == ["refused: expected the file's bytes"]


@pytest.mark.parametrize("encoding", ["UTF-16", "ISO-8859-1", "windows-1252"])
def test_a_clean_diagram_in_another_encoding_still_loads(encoding: str) -> None:
    # given the valid template re-encoded, with a matching declaration and no DOCTYPE
    text = TEMPLATE.replace('encoding="UTF-8"', f'encoding="{encoding}"').replace("Layanan uji", "Layanan ujï")
    source = text.encode(encoding)

    # when linted and loaded
    # then the encoding alone is no reason to refuse it
    assert engine.lint(source, FILENAME) == []
    assert engine.load_definition(source, FILENAME).name == "Layanan ujï"
