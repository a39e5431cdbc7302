"""`manage.py eventlog_export` writes the log to a file; bad options fail with the reason."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from .readback import events_in_db, read_csv, read_xes


def test_the_command_writes_the_log_of_the_period_to_the_file(built: dict[str, Any], tmp_path: Path) -> None:
    january = [built[key] for key in ("approved", "refused", "legalised", "sepaku", "reminded")]
    expected = events_in_db(january)
    out = io.StringIO()
    target = tmp_path / "januari.xes"
    options = ["--format", "xes", "--from", "2026-01-01", "--to", "2026-01-31", "--out", str(target)]
    call_command("eventlog_export", *options, stdout=out)
    assert out.getvalue().strip() == f"5 requests, {sum(expected.values())} events -> {target}"
    log = read_xes(target)
    assert log.groupby("case:concept:name").size().to_dict() == dict(expected)
    assert not list(tmp_path.glob("*.part"))

    target = tmp_path / "sktm-sepaku.csv"
    call_command("eventlog_export", "--format", "csv", "--service", "sktm", "--kecamatan", "sepaku", "--out",
                 str(target), stdout=io.StringIO())  # fmt: skip
    frame = read_csv(target)
    assert set(frame["case:concept:name"]) == {built["sepaku"].tracking_number}
    assert set(frame["concept:name"]) >= {"Permohonan didaftarkan", "Tandatangani SKTM", "Surat diserahkan"}


def test_bad_options_fail_without_writing(users: dict[str, Any], deployed: Any, tmp_path: Path) -> None:
    target = tmp_path / "log.csv"
    with pytest.raises(CommandError, match=r"to: Tanggal akhir tidak boleh sebelum tanggal awal\."):
        call_command("eventlog_export", "--format", "csv", "--from", "2026-02-01", "--to", "2026-01-01", "--out",
                     str(target))  # fmt: skip
    with pytest.raises(CommandError, match="kecamatan: Kecamatan 'atlantis' tidak dikenal"):
        call_command("eventlog_export", "--format", "csv", "--kecamatan", "atlantis", "--out", str(target))
    with pytest.raises(CommandError):
        call_command("eventlog_export", "--format", "pdf", "--out", str(target))
    assert not target.exists()
