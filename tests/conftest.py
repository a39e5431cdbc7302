"""Shared fixtures: demo users with roles, deployed processes, API clients per user."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "uji-rahasia-2026"

NEVER = datetime(9999, 1, 1, tzinfo=UTC)
SKTM_APPLICANT = {"nik": "6409034508900002", "name": "Siti Aminah", "desa": "Babulu Darat", "phone": "0812-3456-7890"}


@pytest.fixture(autouse=True)
def default_language() -> Any:
    """Each test starts in the portal's language: a page fetched in English by an earlier test in the
    same process leaves English active on the thread (the locale middleware never switches back)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def users(db: Any, settings: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    # Tests check who may do what, not password hashing strength; PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    from portal.accounts.services import demo_users_ensure
    from portal.directory.services import demo_postings_ensure

    demo_users_ensure(password=PASSWORD)
    demo_postings_ensure()  # with the kecamatan and villages: a transactional test's flush removes them
    return {u.username: u for u in get_user_model().objects.all()}


# What engine.load_definition made of each file of processes/ (lint and parse are pure functions of the
# bytes); kept for the session, so each test that deploys the catalogue pays for the rows only.
_PARSED: dict[tuple[bytes, str], Any] = {}


def _load_definition_once(source: bytes, filename: str, *, code: str | None = None, **options: Any) -> Any:
    import importlib

    load = importlib.import_module("engine.lint").load_definition  # the package's `lint` is the function
    library = options.get("library")
    if code is not None or (library is not None and (library.decisions or library.processes)) or len(options) > 1:
        return load(source, filename, code=code, **options)
    key = (source, filename)
    if key not in _PARSED:
        _PARSED[key] = load(source, filename, **options)
    return _PARSED[key]


@pytest.fixture
def deployed(db: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every service of processes/ deployed, with its standard, authority row and letter template."""
    import engine
    from portal.directory.services import regions_sync
    from portal.operations.services import catalogue_load
    from portal.workflow.services.definitions import catalogue_files, definitions_deploy

    regions_sync()  # reference data from a migration; a transactional test's flush removes it

    files = catalogue_files(ROOT / "processes")
    with monkeypatch.context() as patch:
        patch.setattr(engine, "load_definition", _load_definition_once)
        result = {r.definition.code: r.definition for r in definitions_deploy(files=files)}
    catalogue_load(directory=ROOT / "processes")
    return result


def authority_set(code: str, status: str, *, office: str = "", note: str = "") -> Any:
    """Put one service under `status` from today on (the registry as an admin would edit it)."""
    from django.utils import timezone

    from portal.catalogue.models import AuthorityRule, Service

    service, _ = Service.objects.get_or_create(code=code, defaults={"name": code, "kind": "non_perizinan"})
    return AuthorityRule.objects.create(
        service=service, status=status, office=office, note=note, in_force_from=timezone.localdate()
    )


@pytest.fixture
def api(users: dict[str, Any]) -> Callable[[str | None], Any]:
    """api("loket1") -> a DRF client authenticated with a token of that user; api(None) is anonymous."""
    from rest_framework.test import APIClient

    from portal.accounts.services import api_token_issue

    keys: dict[str, str] = {}

    def make(username: str | None) -> Any:
        client = APIClient()
        if username is not None:
            if username not in keys:
                issued = api_token_issue(user=users[username], label="tests")
                # Tests move the clock by days and years: this client's token outlives any of them
                # (tests/portal/accounts/test_api_tokens.py checks expiry with tokens of its own).
                type(issued.token).objects.filter(pk=issued.token.pk).update(expires_at=NEVER)
                keys[username] = issued.key
            client.credentials(HTTP_AUTHORIZATION=f"Token {keys[username]}")
        return client

    return make


@pytest.fixture
def droppable_audit_log(transactional_db: Any) -> Any:
    """Transactional tests end with a flush, which the append-only triggers would refuse on SQLite."""
    yield
    from django.db import connection

    from portal.workflow import audit_sql

    audit_sql.execute(connection, audit_sql.DROP)


@pytest.fixture
def append_only_audit_log(db: Any) -> Any:
    """Make sure the append-only triggers exist (a transactional test may have dropped them)."""
    from django.db import connection

    from portal.workflow import audit_sql

    audit_sql.execute(connection, audit_sql.CREATE)


@pytest.fixture
def builtin_calendar() -> Any:
    """The engine's built-in office calendar for the test (the portal installs one reading its tables)."""
    import engine
    from engine import workcal

    installed = workcal._default
    engine.set_default_calendar(None)
    yield
    engine.set_default_calendar(installed)


def files_under(settings: Any, root: Path) -> None:
    """Keep the test's letters and documents under `root` (both storages and the settings naming them)."""
    from portal.settings import file_storages

    settings.PATEN_LETTERS_DIR = root / "letters"
    settings.PATEN_MEDIA_DIR = root / "media"
    settings.STORAGES = file_storages(letters_dir=settings.PATEN_LETTERS_DIR, documents_dir=settings.PATEN_MEDIA_DIR)


def officer_of(username: str, *roles: str, office: str = "babulu", password: str = "x-uji-petugas") -> Any:
    """A new account holding `roles`, posted to the kecamatan `office` (its slug)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from portal.directory.models import Office
    from portal.directory.services import staff_post

    user = get_user_model().objects.create_user(username, password=password)
    user.groups.add(*Group.objects.filter(name__in=roles))
    staff_post(user=user, office=Office.objects.get(slug=office))
    return user


def step_due_set(step: Any, due_at: datetime) -> None:
    """Move an open step's due time, as if its diagram had set it so: its row and the lists' row."""
    from portal.workflow.models import HumanTask, WorkItem

    HumanTask.objects.filter(pk=step.pk).update(due_at=due_at)
    WorkItem.objects.filter(pk=step.pk).update(due_at=due_at)
    step.due_at = due_at
