"""Files crafted to cost the server: decoded in a child process bounded in memory and CPU time, never
in the web worker, and refused with a message the citizen can act on."""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from portal.documents import content
from portal.documents.content import JPEG, PNG, ContentRefused, content_detect
from tests.portal.documents.samples import image_bytes, png_rgba, progressive_scan_bomb

PIXELS = 40_000_000
STATUS = Path("/proc/self/status")


@cache
def big_png() -> bytes:
    """39.7 megapixels (under the limit) of RGBA in 169 KB: 159 MB once decoded."""
    return png_rgba(6400, 6200)


def _peak_mb() -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", STATUS.read_text()).group(1)) // 1024  # type: ignore[union-attr]


def test_a_progressive_jpeg_of_a_thousand_scans_is_refused_before_it_is_decoded() -> None:
    # 32 KB that keep a decoder busy for seconds (a 5 MB one: for hours)
    bomb = progressive_scan_bomb(2048, 1000)
    with pytest.raises(ContentRefused) as refused:
        content_detect(bomb, max_pixels=PIXELS)
    assert "terlalu banyak lapisan" in refused.value.message and "PDF, JPEG, atau PNG" in refused.value.message
    # an ordinary progressive JPEG is fine
    assert content_detect(progressive_scan_bomb(256, 0), max_pixels=PIXELS) == JPEG


def test_a_decode_past_its_cpu_time_is_stopped_and_refused(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # given the scan count not checked, and one CPU second per file
    monkeypatch.setattr(content, "MAX_JPEG_SCANS", 10**9)
    settings.PATEN_DOCUMENT_CHECK_SECONDS = 1
    bomb = progressive_scan_bomb(4096, 3000)  # about 30 s of decoding
    started = time.monotonic()
    with pytest.raises(ContentRefused) as refused:
        content_detect(bomb, max_pixels=PIXELS)
    assert time.monotonic() - started < 6
    assert "terlalu berat untuk diperiksa" in refused.value.message


def test_an_image_that_needs_more_memory_than_allowed_is_refused(settings: Any) -> None:
    settings.PATEN_DOCUMENT_CHECK_MEMORY = 128 * 1024 * 1024
    with pytest.raises(ContentRefused) as refused:
        content_detect(big_png(), max_pixels=PIXELS)
    assert "terlalu berat untuk diperiksa" in refused.value.message
    assert content_detect(image_bytes("PNG", (2000, 1500), mode="RGBA"), max_pixels=PIXELS) == PNG


@pytest.mark.skipif(not STATUS.exists(), reason="needs Linux's /proc")
def test_the_web_worker_never_holds_a_decoded_image() -> None:
    data = big_png()
    try:
        Path("/proc/self/clear_refs").write_text("5")  # start the peak resident size afresh
    except OSError:
        pytest.skip("the peak resident size cannot be reset here")
    before = _peak_mb()
    assert content_detect(data, max_pixels=PIXELS) == PNG
    # decoding it here would have taken 159 MB
    assert _peak_mb() - before < 40
