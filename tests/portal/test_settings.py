"""Deployment settings come from the environment: SQLite and a serverless broker by default,
PostgreSQL and Redis when their URLs are given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRINT = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"), "port": db.get("PORT"),
    "user": db.get("USER"), "conn_max_age": db.get("CONN_MAX_AGE"), "broker": settings.CELERY_BROKER_URL,
    "transport": getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None),
    "secure_cookies": getattr(settings, "SESSION_COOKIE_SECURE", False),
    "csrf_origins": settings.CSRF_TRUSTED_ORIGINS, "hosts": settings.ALLOWED_HOSTS,
    "receipt_url": __import__("portal.core.http", fromlist=["public_url"]).public_url("/lacak/"),
}))
"""


def _settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    drop = ("DJANGO_SETTINGS_MODULE", "PORT")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PATEN_") and k not in drop}
    clean.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "PATEN_VAR_DIR": str(tmp_path), **env})
    out = subprocess.run([sys.executable, "-c", PRINT], cwd=ROOT, env=clean, capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_the_default_needs_no_server(tmp_path: Path) -> None:
    found = _settings(tmp_path)
    assert found["engine"] == "django.db.backends.sqlite3" and found["name"].startswith(str(tmp_path))
    assert found["broker"].startswith("sqla+sqlite:///") and found["transport"] is None
    assert found["secure_cookies"] is False


def test_postgresql_redis_and_a_public_https_address_from_the_environment(tmp_path: Path) -> None:
    found = _settings(
        tmp_path,
        PATEN_DATABASE_URL="postgres://paten:s%40cret@db.internal:6543/paten_prod",
        PATEN_BROKER_URL="redis://redis.internal:6379/2",
        PATEN_PUBLIC_URL="https://paten.babulu.example/",
        PATEN_ALLOWED_HOSTS="paten.babulu.example,10.0.0.5",
        PATEN_DB_CONN_MAX_AGE="120",
    )
    assert found["engine"] == "django.db.backends.postgresql"
    assert (found["host"], found["port"], found["name"], found["user"]) == ("db.internal", 6543, "paten_prod", "paten")
    assert found["conn_max_age"] == 120
    assert found["broker"] == "redis://redis.internal:6379/2"
    assert found["transport"] == {"visibility_timeout": 3600}
    assert found["secure_cookies"] is True and found["csrf_origins"] == ["https://paten.babulu.example"]
    assert found["hosts"] == ["paten.babulu.example", "10.0.0.5"]


def test_receipts_letters_and_qr_codes_point_at_the_port_make_run_serves(tmp_path: Path) -> None:
    assert _settings(tmp_path)["receipt_url"] == "http://127.0.0.1:8000/lacak/"
    assert _settings(tmp_path, PORT="8123")["receipt_url"] == "http://127.0.0.1:8123/lacak/"
    public = _settings(tmp_path, PORT="8123", PATEN_PUBLIC_URL="https://paten.babulu.example/")
    assert public["receipt_url"] == "https://paten.babulu.example/lacak/"
