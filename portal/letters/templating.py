"""Letter templates: checking their content and rendering it with the workflow data.

Content (as read from `<code>.letter.yaml`)::

    {"title": str, "classification": str, "paragraphs": [str | {"fields": [[label, value], ...]}, ...]}

Paragraph strings and field values are Django templates, autoescaped, on a restricted engine
(see template_library). Their output becomes reportlab Paragraph markup; the only markup a
template may write itself is <b>, <i>, <u>, <sup>, <sub> and <br/>. Titles and labels are plain text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import override

TEMPLATE_KEYS = ("title", "classification", "paragraphs")
MAX_PARAGRAPHS = 60
MAX_FIELDS = 40
MAX_TEXT = 4000
MAX_TITLE = 200
CLASSIFICATION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,29}")
ALLOWED_MARKUP = ("b", "i", "u", "sup", "sub", "br")
_TAG = re.compile(r"(<[^<>]*>)")
_ALLOWED_TAG = re.compile(r"<\s*(/?)\s*(b|i|u|sup|sub)\s*>|<\s*(br)\s*/?\s*>", re.IGNORECASE)


class _LetterEngine(Engine):
    # Nothing of Django's default tags and filters but what template_library copies in.
    default_builtins = ["portal.letters.template_library"]


@cache
def letter_engine() -> Engine:
    return _LetterEngine(loaders=[], autoescape=True, string_if_invalid="", debug=False)


@lru_cache(maxsize=512)
def _compile(source: str) -> Template:
    """A paragraph's template, parsed once per process (a page of drafts renders the same ones)."""
    return Template(source, engine=letter_engine())


def _markup_problems(source: str) -> list[str]:
    """Tags written in the literal text of a template that Paragraph markup must not receive."""
    problems = []
    for token in Lexer(source).tokenize():
        if token.token_type is not TokenType.TEXT:
            continue
        if any(mark in token.contents for mark in ("{{", "{%", "{#")):
            problems.append(_("ada {{, {% atau {# tanpa penutup yang cocok (}}, %} atau #})."))
        for piece in _TAG.findall(token.contents):
            if not _ALLOWED_TAG.fullmatch(piece):
                problems.append(
                    _("penanda %(tag)s tidak diizinkan; yang boleh hanya <b>, <i>, <u>, <sup>, <sub> dan <br/>.")
                    % {"tag": piece[:40]}
                )
    return problems


def _template_text_problems(where: str, source: Any) -> list[str]:
    if not isinstance(source, str):
        return [f"{where}: " + _("harus berupa teks.")]
    if len(source) > MAX_TEXT:
        return [f"{where}: " + _("terlalu panjang (paling banyak %(n)d karakter).") % {"n": MAX_TEXT}]
    try:
        _compile(source)
    except (TemplateSyntaxError, ValueError, TypeError) as exc:
        return [f"{where}: " + _("sintaks templat salah: %(error)s") % {"error": str(exc)[:300]}]
    return [f"{where}: {p}" for p in _markup_problems(source)]


def _paragraph_problems(index: int, paragraph: Any) -> list[str]:
    where = f"paragraphs[{index}]"
    if isinstance(paragraph, str):
        return _template_text_problems(where, paragraph)
    if isinstance(paragraph, dict) and len(paragraph) == 1 and next(iter(paragraph.values())) is None:
        # `- Camat menerangkan bahwa:` is a YAML mapping, not a sentence ending in a colon.
        return [f"{where}: " + _("teks yang diakhiri titik dua dibaca YAML sebagai kunci; beri tanda kutip.")]
    if not isinstance(paragraph, dict) or set(paragraph) != {"fields"}:
        return [f"{where}: " + _("harus berupa teks atau {fields: [[label, nilai], ...]}.")]
    fields = paragraph["fields"]
    if not isinstance(fields, list) or not fields:
        return [f"{where}.fields: " + _("harus berupa daftar pasangan [label, nilai] yang tidak kosong.")]
    if len(fields) > MAX_FIELDS:
        return [f"{where}.fields: " + _("terlalu banyak baris (paling banyak %(n)d).") % {"n": MAX_FIELDS}]
    problems = []
    for row_index, row in enumerate(fields):
        row_where = f"{where}.fields[{row_index}]"
        if not (isinstance(row, list) and len(row) == 2 and isinstance(row[0], str) and row[0].strip()):
            problems.append(f"{row_where}: " + _("harus berupa pasangan [label, nilai] berupa teks."))
            continue
        if len(row[0]) > MAX_TITLE:
            problems.append(f"{row_where}: " + _("label terlalu panjang."))
        problems.extend(_template_text_problems(f"{row_where}[1]", row[1]))
    return problems


def template_problems(content: Any) -> list[str]:
    """Everything wrong with a template's content, each message prefixed with where it is; [] when valid."""
    if not isinstance(content, dict):
        return [_("isi templat harus berupa pemetaan dengan kunci title, classification dan paragraphs.")]
    problems = []
    unknown = sorted(str(k)[:40] for k in content if k not in TEMPLATE_KEYS)
    if unknown:
        problems.append(_("kunci tidak dikenal: %(keys)s.") % {"keys": ", ".join(unknown)})
    missing = [k for k in TEMPLATE_KEYS if k not in content]
    if missing:
        problems.append(_("kunci wajib tidak ada: %(keys)s.") % {"keys": ", ".join(missing)})
    title = content.get("title")
    if "title" in content and not (isinstance(title, str) and title.strip() and len(title) <= MAX_TITLE):
        problems.append("title: " + _("wajib berupa teks (paling banyak %(n)d karakter).") % {"n": MAX_TITLE})
    classification = content.get("classification")
    if "classification" in content:
        if not isinstance(classification, str):
            problems.append("classification: " + _('wajib berupa teks dalam tanda kutip, misalnya "474".'))
        elif not CLASSIFICATION.fullmatch(classification):
            problems.append("classification: " + _("hanya boleh berisi huruf, angka, titik dan tanda hubung."))
    paragraphs = content.get("paragraphs")
    if "paragraphs" in content:
        if not isinstance(paragraphs, list) or not paragraphs:
            problems.append("paragraphs: " + _("wajib berupa daftar yang tidak kosong."))
        elif len(paragraphs) > MAX_PARAGRAPHS:
            problems.append("paragraphs: " + _("terlalu banyak (paling banyak %(n)d).") % {"n": MAX_PARAGRAPHS})
        else:
            for index, paragraph in enumerate(paragraphs):
                problems.extend(_paragraph_problems(index, paragraph))
    return problems


# --- rendering -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextBlock:
    markup: str


@dataclass(frozen=True)
class FieldsBlock:
    rows: tuple[tuple[str, str], ...]  # (label markup, value markup)


Block = TextBlock | FieldsBlock


def printable(text: str) -> str:
    """Text the PDF's standard fonts (WinAnsi) can show: accents folded, other characters replaced."""
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" ")
            continue
        if unicodedata.category(ch) == "Cc":
            continue
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        folded = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        try:
            folded.encode("cp1252")
            out.append(folded or "?")
        except UnicodeEncodeError:
            out.append("?")
    return "".join(out)


def plain_markup(text: str) -> str:
    """Plain text as Paragraph markup."""
    return printable(str(escape(text)))


def markup_clean(rendered: str) -> str:
    """Rendered template output as Paragraph markup: allowed tags kept, anything else shown as text."""
    out = []
    for piece in _TAG.split(rendered):
        match = _ALLOWED_TAG.fullmatch(piece) if piece.startswith("<") else None
        if match is not None:
            out.append("<br/>" if match.group(3) else f"<{match.group(1)}{match.group(2).lower()}>")
        else:
            out.append(piece.replace("<", "&lt;").replace(">", "&gt;"))
    return printable("".join(out))


def markup_strip(markup: str) -> str:
    """The markup without its tags (when unbalanced tags make it unusable)."""
    return _ALLOWED_TAG.sub(lambda m: " " if m.group(3) else "", markup)


def _render(source: str, data: dict[str, Any]) -> str:
    return markup_clean(_compile(source).render(Context(data, autoescape=True)))


def blocks_render(content: dict[str, Any], data: dict[str, Any]) -> list[Block]:
    """The letter body: each paragraph rendered over `data` (the workflow data), in Indonesian."""
    blocks: list[Block] = []
    with override("id"):
        for paragraph in content["paragraphs"]:
            if isinstance(paragraph, str):
                blocks.append(TextBlock(_render(paragraph, data)))
            else:
                rows = tuple((plain_markup(label), _render(value, data)) for label, value in paragraph["fields"])
                blocks.append(FieldsBlock(rows))
    return blocks
