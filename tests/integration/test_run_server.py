"""`make run`'s processes (Procfile: gunicorn web; two Celery workers and beat, each under tasks.supervise)
really start, serve, and say they are alive."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


@pytest.mark.slow
def test_procfile_serves_portal_schema_docs_and_starts_worker(tmp_path: Path) -> None:
    env = {**os.environ, "PATEN_VAR_DIR": str(tmp_path), "PATEN_DB_PATH": str(tmp_path / "paten.sqlite3")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    port = _free_port()
    env["PORT"] = str(port)
    env["PATEN_TIMER_SWEEP_SECONDS"] = "1"
    env["PATEN_SWEEP_SECONDS"] = "1"
    for command in (["migrate", "--noinput", "-v", "0"], ["collectstatic", "--noinput", "-v", "0"], ["seed_demo"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
    log = (tmp_path / "honcho.log").open("w+")
    proc = subprocess.Popen(
        [str(BIN / "honcho"), "-f", "Procfile", "start"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    markers = [str(tmp_path), f"127.0.0.1:{port}"]  # in the processes' environment, gunicorn's command line
    try:
        deadline = time.monotonic() + 60
        status, home = 0, ""
        while time.monotonic() < deadline:
            try:
                status, home = _get(base + "/")
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200, "portal did not answer"
        assert "PATEN" in home and "Surat Keterangan Tidak Mampu" in home
        status, schema = _get(base + "/api/schema/")
        assert status == 200 and "openapi:" in schema and "/api/v1/tasks/" in schema
        status, docs = _get(base + "/api/docs/")
        assert status == 200 and "swagger" in docs.lower()
        asset = next(line.split('"')[1] for line in docs.splitlines() if "swagger-ui-bundle.js" in line and '"' in line)
        status, _ = _get(base + asset if asset.startswith("/") else asset)
        assert status == 200, "the docs page's script is not served locally"
        swept = "tasks.timers.fire_due_timers_task"
        while time.monotonic() < deadline:
            log.seek(0)
            text = log.read()
            if "ready." in text and any(swept in line and "succeeded" in line for line in text.splitlines()):
                break
            time.sleep(0.3)
        log.seek(0)
        output = log.read()
        assert "ready." in output, f"Celery worker did not start:\n{output[-3000:]}"
        # Beat scheduled the timer sweep and the worker ran it, with no broker server anywhere.
        assert any(swept in line and "succeeded" in line for line in output.splitlines()), output[-3000:]
        assert "Traceback" not in output, output[-3000:]
        _sktm_letter_is_drawn_by_the_worker(base, env.get("PATEN_DEMO_PASSWORD", "paten-demo-2026"), deadline)
        # The liveness check sees beat and both workers' sweeps (a probe, or an operator, runs it).
        health = subprocess.run(
            [sys.executable, "manage.py", "worker_health"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert health.returncode == 0 and health.stdout.rstrip().endswith("OK"), health.stdout + health.stderr
        # Ctrl-C stops everything: honcho exits and none of the processes it started is left
        # (honcho runs each in a session of its own, so look for them by their command lines).
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)
        assert _leftovers(markers, within=15) == [], "a process of make run survived Ctrl-C"
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=15)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        for pid in _leftovers(markers, within=0):  # started by this test: end them, by id
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log.close()


def _call(url: str, *, token: str = "", body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Token {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _sktm_letter_is_drawn_by_the_worker(base: str, password: str, deadline: float) -> None:
    """Through the API alone: register, pass every step; the worker draws the signed letter."""
    tokens = {
        u: _call(f"{base}/api/v1/auth/token/", body={"username": u, "password": password})["token"]
        for u in ("loket1", "kasi1", "sekcam1", "camat1")
    }
    applicant = {"nik": "6409034508900002", "name": "Siti Aminah", "desa": "Babulu Darat"}
    created = _call(
        f"{base}/api/v1/requests/", token=tokens["loket1"],
        body={"service": "sktm", "applicant": applicant, "data": {"keperluan": "Beasiswa"}},
    )  # fmt: skip
    tn = created["tracking_number"]
    steps = [
        ("loket1", {"hasil_pemeriksaan": "lengkap"}),
        ("kasi1", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
        ("kasi1", {"isi_keterangan": "Benar keluarga tidak mampu di desa kami."}),
        ("sekcam1", {"hasil_paraf": "setuju"}),
        ("camat1", {"keputusan": "setuju"}),
    ]
    for user, data in steps:
        (task,) = _call(f"{base}/api/v1/tasks/?tracking_number={tn}", token=tokens[user])["results"]
        _call(f"{base}/api/v1/tasks/{task['id']}/complete/", token=tokens[user], body={"data": data})
    letter: dict[str, Any] = {}
    while time.monotonic() < deadline + 30:
        (letter,) = _call(f"{base}/api/v1/requests/{tn}/", token=tokens["loket1"])["letters"]
        if letter["ready"]:
            break
        time.sleep(0.3)
    assert letter.get("ready"), "the worker did not draw the signed letter"
    token = letter["verification_url"].rstrip("/").rsplit("/", 1)[-1]
    verified = _call(f"{base}/api/v1/letters/verify/{token}/")
    assert verified["valid"] is True and verified["number"] == letter["number"] and len(verified["sha256"]) == 64


def _leftovers(markers: list[str], *, within: float) -> list[int]:
    """Ids of live processes whose command line or environment holds one of `markers`, after waiting
    up to `within` s (the workers' command lines name no directory, their environment does)."""
    deadline = time.monotonic() + within
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                cmdline += (entry / "environ").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                state = (entry / "stat").read_text().split(") ", 1)[1][:1]
            except OSError:
                continue
            if state != "Z" and any(m in cmdline for m in markers):
                found.append(int(entry.name))
        if not found or time.monotonic() >= deadline:
            return found
        time.sleep(0.2)
