"""Hardened XML parsing for uploaded diagrams: no DTD, no entities, no network, bounded size."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

MAX_BPMN_BYTES = 5 * 1024 * 1024

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_TEXT = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DECLARED = re.compile(rb"<\?xml[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._:-]*)[\"']")


class UnsafeXml(ValueError):
    """The document was refused before or while parsing; the message says why."""


class _NothingExternal(etree.Resolver):
    """Answers every request for an external DTD or entity with nothing: no file is ever read.

    libxml2 still opens a DOCTYPE's external subset with load_dtd=False; this stops it.
    """

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:  # type: ignore[override]  # stubs lag
        return self.resolve_string("", context, base_url=None)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NothingExternal())
    return parser


def _declared_text(source: bytes, head: bytes) -> str | None:
    """The document decoded as its XML declaration says (UTF-7 and the like hide `<!` from a byte scan)."""
    match = _DECLARED.search(head[:1024])
    if match is None:
        return None
    name = match.group(1).decode("ascii")
    try:
        return source.decode(name, errors="replace")
    except LookupError as exc:
        raise UnsafeXml(f"unsupported encoding '{name}'") from exc


def parse_xml(source: bytes, *, max_bytes: int = MAX_BPMN_BYTES) -> etree._Element:
    """Parse `source` or raise UnsafeXml with a message fit to show the person who sent it."""
    if not isinstance(source, bytes | bytearray):
        raise UnsafeXml("expected the file's bytes")
    if len(source) > max_bytes:
        raise UnsafeXml(f"file is larger than {max_bytes // (1024 * 1024)} MB ({len(source)} bytes)")
    if not source.strip():
        raise UnsafeXml("file is empty")
    # UTF-16 files hide the marker from a byte scan; decode the prolog in that case.
    head = bytes(source)
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            head = head.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeXml("file is not valid UTF-16") from exc
    # Without a BOM, UTF-16/32 still hide it: their NUL bytes sit between the marker's letters.
    bare = head.replace(b"\x00", b"")
    declared = _declared_text(bytes(source), bare)
    if _DTD.search(head) or _DTD.search(bare) or (declared is not None and _DTD_TEXT.search(declared)):
        raise UnsafeXml("DOCTYPE and ENTITY declarations are not allowed")
    try:
        root = etree.fromstring(bytes(source), parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXml(f"malformed XML: {exc}") from exc
    except (ValueError, etree.LxmlError) as exc:
        raise UnsafeXml(f"malformed XML: {exc}") from exc
    tree = root.getroottree()
    docinfo: Any = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise UnsafeXml("DOCTYPE and ENTITY declarations are not allowed")
    return root
