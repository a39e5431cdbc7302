"""What an uploaded file really is, decided by its content (never by its name or declared type).

Accepted: PDF (not encrypted, at least one page), JPEG and PNG (fully decodable, bounded pixel
count). Everything else is refused with a message the citizen can act on.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image

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
    """The type of `data` after checking it decodes; ContentRefused otherwise."""
    if not data:
        raise ContentRefused(_("Berkas kosong. Pilih berkas yang berisi dokumen."))
    if data.startswith(PDF_MAGIC):
        _pdf_check(data)
        return PDF
    if data.startswith(JPEG_MAGIC):
        _image_check(data, expected=("JPEG", "MPO"), max_pixels=max_pixels)
        return JPEG
    if data.startswith(PNG_MAGIC):
        _image_check(data, expected=("PNG",), max_pixels=max_pixels)
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


def _pdf_check(data: bytes) -> None:
    from pypdf import PdfReader

    if b"%%EOF" not in data[-_EOF_WINDOW:]:
        raise _refuse(_("Berkas PDF rusak atau tidak lengkap (terpotong)."))
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        encrypted = reader.is_encrypted
        pages = 0 if encrypted else len(reader.pages)
    except Exception:
        log.info("uploaded PDF could not be read", exc_info=True)
        raise _refuse(_("Berkas PDF rusak atau tidak dapat dibaca.")) from None
    if encrypted:
        raise _refuse(_("PDF yang dikunci dengan kata sandi (terenkripsi) tidak diterima."))
    if pages < 1:
        raise _refuse(_("Berkas PDF tidak berisi halaman."))


def _image_check(data: bytes, *, expected: tuple[str, ...], max_pixels: int) -> None:
    damaged = _("Berkas gambar rusak atau tidak lengkap.")
    try:
        with Image.open(BytesIO(data)) as probe:
            if probe.format not in expected:
                raise _refuse(damaged)
            width, height = probe.size
            if width < 1 or height < 1:
                raise _refuse(damaged)
            if width * height > max_pixels:
                raise _refuse(_too_many_pixels(max_pixels))
            probe.verify()
        # verify() leaves the image unusable; decoding every pixel needs a fresh open.
        with Image.open(BytesIO(data)) as image:
            image.load()
    except ContentRefused:
        raise
    except Image.DecompressionBombError:
        raise _refuse(_too_many_pixels(max_pixels)) from None
    except Exception:
        log.info("uploaded image could not be decoded", exc_info=True)
        raise _refuse(damaged) from None


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
