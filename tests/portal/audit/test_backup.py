"""A backup restored elsewhere verifies clean against a checkpoint issued before the backup: SQLite's
backup API, and pg_dump/pg_restore on PostgreSQL. The restored copy is checked by `audit_verify`
in a process of its own, as an auditor would run it on the copy."""

from __future__ import annotations

import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import ROOT
from tests.portal.delegation.flow import sktm_at_signing


@pytest.fixture
def held(transactional_db: Any, droppable_audit_log: Any, users: Any, deployed: Any, tmp_path: Path,
         key: str) -> Path:  # fmt: skip
    """Two requests worked on, sealed, and a checkpoint kept outside; all committed."""
    for name in ("Siti Aminah", "Budi Santoso"):
        sktm_at_signing(users, name=name)
    path = tmp_path / "held.checkpoint"
    call_command("audit_checkpoint", "--out", str(path), stdout=io.StringIO())
    return path


def _verify_elsewhere(held: Path, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PATEN_") and k != "DJANGO_SETTINGS_MODULE"}
    clean.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "PATEN_VAR_DIR": str(tmp_path / "var"),
                  "PATEN_AUDIT_KEY_FILE": str(tmp_path / "checkpoint.key"), **env})  # fmt: skip
    command = [sys.executable, "manage.py", "audit_verify", "--checkpoint", str(held)]
    return subprocess.run(command, cwd=ROOT, env=clean, capture_output=True, text=True, timeout=300)


def test_a_sqlite_backup_verifies_clean_against_the_checkpoint_held_before(held: Path, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite backup API")
    copy = tmp_path / "cadangan.sqlite3"
    target = sqlite3.connect(copy)
    with target:
        connection.ensure_connection()
        connection.connection.backup(target)
    target.close()

    done = _verify_elsewhere(held, tmp_path, PATEN_DB_PATH=str(copy))

    assert done.returncode == 0, done.stdout + done.stderr
    _assert_clean(done.stdout)


def _assert_clean(stdout: str) -> None:
    summary = re.fullmatch(r"(\d+) requests, (\d+) events, (\d+) leaves, (\d+) checkpoints checked: 0 findings",
                           stdout.splitlines()[-1])  # fmt: skip
    assert summary is not None, stdout
    requests, events, leaves, checkpoints = map(int, summary.groups())
    assert requests == 2 and events == leaves > 0 and checkpoints >= 2  # the one held and the one stored


def test_a_postgresql_dump_restored_verifies_clean_against_the_checkpoint_held_before(
    held: Path, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump and pg_restore")
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump and pg_restore are not installed")
    params = connection.get_connection_params()
    env = {**os.environ, "PGPASSWORD": str(params.get("password") or "")}
    where = ["-h", str(params.get("host") or "127.0.0.1"), "-p", str(params.get("port") or 5432),
             "-U", str(params.get("user") or "")]  # fmt: skip
    dump = tmp_path / "cadangan.dump"
    subprocess.run(["pg_dump", *where, "-Fc", "-f", str(dump), str(params["dbname"])], env=env, check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    restored = f"paten_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(["pg_restore", *where, "-d", restored, "--no-owner", str(dump)], env=env, check=True,
                       capture_output=True, timeout=300)  # fmt: skip
        url = f"postgres://{where[5]}:{env['PGPASSWORD']}@{where[1]}:{where[3]}/{restored}"

        done = _verify_elsewhere(held, tmp_path, PATEN_DATABASE_URL=url)

        assert done.returncode == 0, done.stdout + done.stderr
        _assert_clean(done.stdout)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
