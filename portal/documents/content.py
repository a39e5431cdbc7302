"""What an uploaded file really is, decided by its content (never by its name or declared type).

Accepted: PDF (not encrypted, at least one page), JPEG and PNG (fully decodable, bounded pixel
count). Everything else is refused with a message the citizen can act on. Files are decoded in a
child process bounded in memory and CPU time (decoder.py, settings PATEN_DOCUMENT_CHECK_MEMORY and
PATEN_DOCUMENT_CHECK_SECONDS), never in the web worker: a bomb costs that process only.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import decoder

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_EOF_WINDOW = 1024  # a PDF's last %%EOF must lie within its last KiB (as readers require)

ACCEPTED_TEXT = gettext_lazy("PDF, JPEG, atau PNG")


class ContentRefused(Exception):
    """The file is not one we accept; `message` says why, in Indonesian."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class DetectedContent:
    content_type: str
    extension: str


PDF = DetectedContent("application/pdf", "pdf")
JPEG = DetectedContent("image/jpeg", "jpg")
PNG = DetectedContent("image/png", "png")


def _upload_hint() -> str:
    return _("Unggah dokumen berformat %(types)s.") % {"types": ACCEPTED_TEXT}


def _refuse(reason: str) -> ContentRefused:
    return ContentRefused(f"{reason} {_upload_hint()}")


def size_text(size: int) -> str:
    """A byte count for people: '5 MB', '2,5 MB', '300 KB'."""
    if size >= 1024 * 1024:
        value = f"{size / (1024 * 1024):.1f}".removesuffix(".0")
        return f"{value.replace('.', ',')} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} byte"


def content_detect(data: bytes, *, max_pixels: int) -> DetectedContent:
    """The type of `data` after checking it decodes (in a bounded child process); ContentRefused otherwise."""
    if not data:
        raise ContentRefused(_("Berkas kosong. Pilih berkas yang berisi dokumen."))
    if data.startswith(PDF_MAGIC):
        if b"%%EOF" not in data[-_EOF_WINDOW:]:
            raise _refuse(_("Berkas PDF rusak atau tidak lengkap (terpotong)."))
        _decoded(PDF, data, max_pixels=max_pixels)
        return PDF
    if data.startswith(JPEG_MAGIC):
        _decoded(JPEG, data, max_pixels=max_pixels)
        return JPEG
    if data.startswith(PNG_MAGIC):
        _decoded(PNG, data, max_pixels=max_pixels)
        return PNG
    raise _refuse(_unaccepted_reason(data))


def _unaccepted_reason(data: bytes) -> str:
    """A specific reason for the common kinds of wrong files."""
    head = data[:16]
    if head.startswith((b"MZ", b"\x7fELF", b"\xfe\xed\xfa", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"#!")):
        return _("Berkas program (aplikasi atau skrip) tidak diterima.")
    if head.startswith((b"\xca\xfe\xba\xbe", b"\x00asm", b"dex\n")):
        return _("Berkas program (aplikasi atau skrip) tidak diterima.")
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return _("Berkas arsip (ZIP, RAR, dan sejenisnya) atau dokumen Office tidak diterima.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("Dokumen Office tidak diterima; simpan sebagai PDF terlebih dahulu.")
    if head.startswith((b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*")) or (
        head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    ):
        return _("Format gambar ini (GIF, BMP, TIFF, WebP) tidak diterima.")
    if head[4:8] == b"ftyp":
        return _("Foto HEIC/HEIF dan berkas video tidak diterima.")
    text = data[:1024].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n").lower()
    if text.startswith(b"<") or b"<svg" in text or b"<html" in text or b"<script" in text:
        return _("Halaman web (HTML), gambar SVG, dan berkas XML tidak diterima.")
    if b"%pdf-" in data[:1024].lower():
        return _("Berkas PDF tidak diawali dengan tanda PDF yang benar.")
    return _("Jenis berkas tidak dikenali.")


# --- decoding, in a child process (decoder.py) -----------------------------------------------------------

# A progressive JPEG of more scans than this is refused before it is decoded (see decoder.py).
MAX_JPEG_SCANS = 100
_DECODER = Path(__file__).with_name("decoder.py")
# Answers kept per process, by the file's digest and the limits: a page's form and the service check the
# same file twice. Only definite answers are kept; a check cut short by load is done again.
_ANSWERS: OrderedDict[tuple[Any, ...], str] = OrderedDict()
_ANSWERS_KEPT = 64
_ANSWERS_LOCK = threading.Lock()


def _decoded(kind: DetectedContent, data: bytes, *, max_pixels: int) -> None:
    """Refuse `data` unless the decoder finds it whole, within the pixel, memory and time limits."""
    answer = _decoder_answer(kind.content_type.split("/")[1], data, max_pixels=max_pixels)
    if answer == decoder.OK:
        return
    pixels = _too_many_pixels(max_pixels)
    reasons = {
        "pdf_damaged": _("Berkas PDF rusak atau tidak dapat dibaca."),
        "pdf_encrypted": _("PDF yang dikunci dengan kata sandi (terenkripsi) tidak diterima."),
        "pdf_empty": _("Berkas PDF tidak berisi halaman."),
        "image_damaged": _("Berkas gambar rusak atau tidak lengkap."),
        "image_pixels": pixels,
        "image_scans": _("Gambar JPEG ini tersusun dari terlalu banyak lapisan (progresif); simpan ulang gambar."),
        "unavailable": _("Berkas belum dapat diperiksa saat ini; coba lagi sebentar lagi."),
    }
    too_complex = _(
        "Berkas terlalu berat untuk diperiksa (waktu atau memori); simpan ulang dengan resolusi lebih kecil."
    )
    raise _refuse(reasons.get(answer, too_complex))


def _decoder_answer(kind: str, data: bytes, *, max_pixels: int) -> str:
    memory, seconds = int(settings.PATEN_DOCUMENT_CHECK_MEMORY), int(settings.PATEN_DOCUMENT_CHECK_SECONDS)
    remembered = (hashlib.sha256(data).digest(), kind, max_pixels, MAX_JPEG_SCANS, memory, seconds)
    with _ANSWERS_LOCK:
        if remembered in _ANSWERS:
            _ANSWERS.move_to_end(remembered)
            return _ANSWERS[remembered]
    command = [
        sys.executable,
        "-I",
        str(_DECODER),
        kind,
        str(max_pixels),
        str(MAX_JPEG_SCANS),
        str(memory),
        str(seconds),
    ]
    try:
        # The CPU limit ends a busy child; the wall-clock bound covers one starved of CPU by a busy machine.
        done = subprocess.run(command, input=data, capture_output=True, timeout=3 * seconds + 2, check=False, env={})
    except subprocess.TimeoutExpired:
        log.warning("document check of %s bytes (%s) ran out of time", len(data), kind)
        return "too_complex"
    except OSError:
        log.exception("document check could not start")
        return "unavailable"
    answer = done.stdout.decode("ascii", "replace").strip()
    if done.stderr:
        log.info("document check (%s): %s", kind, done.stderr.decode("utf-8", "replace")[-500:])
    if done.returncode != 0 or (answer != decoder.OK and answer not in decoder.PROBLEMS):
        log.warning("document check of %s bytes (%s) ended with %s", len(data), kind, done.returncode)
        return "too_complex"
    if answer != "too_complex":
        with _ANSWERS_LOCK:
            _ANSWERS[remembered] = answer
            while len(_ANSWERS) > _ANSWERS_KEPT:
                _ANSWERS.popitem(last=False)
    return answer


def _too_many_pixels(max_pixels: int) -> str:
    megapixels = f"{max_pixels / 1_000_000:.1f}".removesuffix(".0").replace(".", ",")
    return _("Resolusi gambar terlalu besar (lebih dari %(mp)s megapiksel); perkecil gambar terlebih dahulu.") % {
        "mp": megapixels
    }


_NAME_DROP = set('/\\:*?"<>|')


def filename_clean(name: str, *, max_length: int = 120) -> str:
    """The user's file name made safe to store and show: no path, control or reserved characters."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _NAME_DROP or category in ("Zl", "Zp"):
            continue
        if char.isspace() or category[0] == "Z":
            kept.append(" ")
        elif category[0] != "C":
            kept.append(char)
    cleaned = " ".join("".join(kept).split()).lstrip(". ")
    if len(cleaned) > max_length:
        stem, dot, extension = cleaned.rpartition(".")
        if dot and 0 < len(extension) <= 8 and stem:
            cleaned = stem[: max_length - len(extension) - 1].rstrip() + "." + extension
        else:
            cleaned = cleaned[:max_length].rstrip()
    return cleaned or "dokumen"


def download_name(original_name: str, extension: str) -> str:
    """The name a download is saved under: the user's name, ending with the detected type's extension."""
    aliases = {"jpg": (".jpg", ".jpeg", ".jpe"), "pdf": (".pdf",), "png": (".png",)}
    if original_name.lower().endswith(aliases.get(extension, (f".{extension}",))):
        return original_name
    return f"{original_name}.{extension}"
