"""Decodes one uploaded file in a process of its own, bounded in address space and CPU time.

content.py runs it as `python -I decoder.py KIND MAX_PIXELS MAX_SCANS MEMORY SECONDS` with the file on
standard input; it prints one word, OK or what is wrong (PROBLEMS). A decompression bomb, a JPEG of
thousands of scans or a decoder bug then costs this process, not the web worker: past its memory it
gets MemoryError, past its CPU time the kernel ends it, and the parent refuses the file either way.
Plain Python with Pillow and pypdf, no Django, so it starts in about 50 ms.
"""

from __future__ import annotations

import resource
import sys
import warnings
from io import BytesIO

OK = "ok"
PROBLEMS = (
    "pdf_damaged",
    "pdf_encrypted",
    "pdf_empty",
    "image_damaged",
    "image_pixels",
    "image_scans",
    "too_complex",
)
JPEG_SCAN_MARKER = b"\xff\xda"


def limits_set(*, memory: int, seconds: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))  # it writes no file
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def pdf_problem(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            return "pdf_encrypted"
        pages = len(reader.pages)
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for a broken file
        print(f"pdf: {exc!r}"[:500], file=sys.stderr)
        return "pdf_damaged"
    return OK if pages >= 1 else "pdf_empty"


def image_problem(data: bytes, *, expected: tuple[str, ...], max_pixels: int, max_scans: int) -> str:
    from PIL import Image

    # Pillow's own guard, at our limit: an image past it refuses to open instead of warning.
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    # Each scan of a progressive JPEG walks every block of the image again: a few bytes per scan can
    # cost minutes. A camera or scanner writes about ten (a thumbnail adds its own).
    if "JPEG" in expected and data.count(JPEG_SCAN_MARKER) > max_scans:
        return "image_scans"
    try:
        with Image.open(BytesIO(data)) as probe:
            width, height = probe.size
            if probe.format not in expected or width < 1 or height < 1:
                return "image_damaged"
            if width * height > max_pixels:
                return "image_pixels"
            probe.verify()
        # verify() leaves the image unusable; decoding every pixel needs a fresh open.
        with Image.open(BytesIO(data)) as image:
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return "image_pixels"
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken image raises whatever its decoder raises
        print(f"image: {exc!r}"[:500], file=sys.stderr)
        return "image_damaged"
    return OK


def main(argv: list[str]) -> int:
    kind, max_pixels, max_scans, memory, seconds = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5])
    limits_set(memory=memory, seconds=seconds)
    data = sys.stdin.buffer.read()
    try:
        if kind == "pdf":
            answer = pdf_problem(data)
        else:
            expected = ("JPEG", "MPO") if kind == "jpeg" else ("PNG",)
            answer = image_problem(data, expected=expected, max_pixels=max_pixels, max_scans=max_scans)
    except MemoryError:
        answer = "too_complex"
    sys.stdout.write(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
