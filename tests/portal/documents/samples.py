"""Files to upload, generated (valid ones, and hostile ones too large or binary to keep), and a
snapshot of everything an upload or a check could write."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

from tests.conftest import SKTM_APPLICANT

REQUESTS = "/api/v1/requests/"
SKTM_REQUEST = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa sekolah anak"}}
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "documents"
MB = 1024 * 1024


def pdf_bytes(*, pages: int = 1, password: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str, size: tuple[int, int] = (64, 48), mode: str = "RGB") -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new(mode, size, "red" if mode == "RGB" else 0).save(out, fmt)
    return out.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width` x `height` pixels (1-bit grey) over a few bytes of data."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + png_chunk(b"IEND", b"")


def bomb_png() -> bytes:
    """A real, fully decodable 8000 x 8000 (64 megapixel) PNG of a few kilobytes."""
    return image_bytes("PNG", (8000, 8000), mode="1")


def png_rgba(width: int, height: int) -> bytes:
    """A real RGBA PNG of one colour, written row by row so this process never holds it decoded:
    a few hundred kilobytes that decode to width x height x 4 bytes."""
    compressor = zlib.compressobj(9)
    row = b"\0" + b"\x10\x20\x30\xff" * width
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", data) + png_chunk(b"IEND", b"")


def _jpeg_scans(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of each scan of a JPEG: its SOS segment and the entropy-coded data after it."""
    scans, i = [], 2
    while i < len(data) and data[i + 1] != 0xD9:
        end = i + 2 + int.from_bytes(data[i + 2 : i + 4], "big")
        if data[i + 1] == 0xDA:  # the data runs to the next marker that is neither a stuffed 0xFF nor a restart
            while True:
                end = data.index(b"\xff", end)
                if data[end + 1] != 0 and not 0xD0 <= data[end + 1] <= 0xD7:
                    break
                end += 2
            scans.append((i, end))
        i = end
    return scans


def progressive_scan_bomb(side: int, copies: int) -> bytes:
    """A real progressive JPEG (grey, side x side) whose last scan is repeated `copies` times: a few
    bytes each, and each makes the decoder walk every block of the image again."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (side, side), 128).save(out, "JPEG", progressive=True, quality=90)
    data = out.getvalue()
    start, end = _jpeg_scans(data)[-1]
    return data[:end] + data[start:end] * copies + data[end:]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def media_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def snapshot(media_root: Path) -> dict[str, Any]:
    """Every row and file an upload or a check could write."""
    from portal.documents.models import RequirementCheck, RequirementDocument
    from portal.workflow.models import InstanceEvent, ProcessInstance

    return {
        "documents": list(RequirementDocument.objects.order_by("pk").values_list("pk", "sha256", "file_path")),
        "checks": list(RequirementCheck.objects.order_by("pk").values_list("pk", "status", "note", "checked_at")),
        "events": list(InstanceEvent.objects.order_by("pk").values_list("pk", "type", "hash")),
        "heads": list(ProcessInstance.objects.order_by("pk").values_list("pk", "last_event_seq", "last_event_hash")),
        "files": media_files(media_root),
    }


def register(api: Any, username: str) -> dict[str, Any]:
    """Register an sktm request through the API as `username`; its tracking number and id."""
    response = api(username).post(REQUESTS, SKTM_REQUEST, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    return {"tn": body["tracking_number"], "id": body["id"]}
