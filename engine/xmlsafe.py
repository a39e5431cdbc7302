"""Hardened XML parsing for uploaded diagrams: no DTD, no entities, no network, bounded size."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

MAX_BPMN_BYTES = 5 * 1024 * 1024

_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnsafeXml(ValueError):
    """The document was refused before or while parsing; the message says why."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


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
    if _DTD.search(head):
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
