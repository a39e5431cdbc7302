"""Content detection, file-name cleaning and the bounded upload handler, without a database."""

from __future__ import annotations

import pytest

from portal.documents.content import (
    JPEG,
    PDF,
    PNG,
    ContentRefused,
    content_detect,
    download_name,
    filename_clean,
    size_text,
)
from tests.portal.documents.samples import bomb_png, image_bytes, pdf_bytes, png_claiming

PIXELS = 40_000_000


def test_accepted_types_are_told_apart_by_content() -> None:
    assert content_detect(pdf_bytes(pages=2), max_pixels=PIXELS) == PDF
    assert content_detect(image_bytes("JPEG"), max_pixels=PIXELS) == JPEG
    assert content_detect(image_bytes("PNG", mode="L"), max_pixels=PIXELS) == PNG
    assert content_detect(image_bytes("PNG", mode="RGBA"), max_pixels=PIXELS) == PNG


def test_the_pixel_limit_is_the_one_given() -> None:
    assert content_detect(bomb_png(), max_pixels=64_000_000) == PNG
    with pytest.raises(ContentRefused, match=r"lebih dari 63,9 megapiksel\)"):
        content_detect(bomb_png(), max_pixels=63_900_000)
    with pytest.raises(ContentRefused, match="megapiksel"):
        content_detect(png_claiming(1_000_000, 1_000_000), max_pixels=PIXELS)


def test_every_refusal_says_what_to_upload_instead() -> None:
    for data in [b"MZ", b"<svg/>", b"PK\x03\x04", b"%PDF-1.7\n%%EOF", image_bytes("PNG")[:40]]:
        with pytest.raises(ContentRefused) as refused:
            content_detect(data, max_pixels=PIXELS)
        assert refused.value.message.endswith("Unggah dokumen berformat PDF, JPEG, atau PNG.")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("KTP Siti.pdf", "KTP Siti.pdf"),
        ("C:\\Users\\siti\\Desktop\\kk.jpg", "kk.jpg"),
        ("/home/siti/kk.jpg", "kk.jpg"),
        ("  surat\tpengantar \n desa.pdf ", "surat pengantar desa.pdf"),
        ("ktp\u202egpj.exe", "ktpgpj.exe"),
        ("a\u2028b\u2029c.png", "abc.png"),
        ("Kartu Keluarga \u2013 Siti (2).PDF", "Kartu Keluarga \u2013 Siti (2).PDF"),
        ("e\u0301.png", "\u00e9.png"),
        (".htaccess", "htaccess"),
        ("", "dokumen"),
        ("\x00\x01", "dokumen"),
        ("x" * 500, "x" * 120),
        ("x" * 500 + ".jpeg", "x" * 115 + ".jpeg"),
    ],
)
def test_file_names_are_cleaned(raw: str, clean: str) -> None:
    assert filename_clean(raw) == clean


def test_download_names_end_with_the_detected_type() -> None:
    assert download_name("ktp.pdf", "pdf") == "ktp.pdf"
    assert download_name("ktp.JPEG", "jpg") == "ktp.JPEG"
    assert download_name("ktp.pdf", "png") == "ktp.pdf.png"
    assert download_name("dokumen", "jpg") == "dokumen.jpg"


def test_sizes_are_written_for_people() -> None:
    assert size_text(5 * 1024 * 1024) == "5 MB"
    assert size_text(5 * 1024 * 1024 // 2) == "2,5 MB"
    assert size_text(300 * 1024) == "300 KB"
    assert size_text(12) == "12 byte"


def test_the_upload_handler_keeps_one_file_and_at_most_limit_plus_one_bytes() -> None:
    from django.core.files.uploadhandler import SkipFile

    from portal.core.uploads import BoundedUploadHandler

    handler = BoundedUploadHandler(None, limit=10)
    with pytest.raises(SkipFile):
        handler.new_file("lampiran", "x.pdf", "application/pdf", None)
    handler.new_file("file", "ktp.pdf", "application/pdf", None)
    for start, chunk in enumerate([b"0123456", b"789abcdef", b"ghij"]):
        handler.receive_data_chunk(chunk, start)
    uploaded = handler.file_complete(20)
    assert uploaded.size == 20 and uploaded.read() == b"0123456789a"
    with pytest.raises(SkipFile):
        handler.new_file("file", "kedua.pdf", "application/pdf", None)
