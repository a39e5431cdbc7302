"""Every page each role can reach, by following the links the portal itself shows: none answers 500,
and no link it shows leads to a missing page or a refusal.

The database holds what makes the pages non-trivial: a request at each stage (registered, waiting
for the camat, completed with a signed letter and the applicant's own), a delegation in force and an
incident. The admin's own pages are visited by test_admin.py; here only its home.
"""

from __future__ import annotations

import re
from collections import deque
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import SKTM_APPLICANT, files_under
from tests.portal.citizen.conftest import SKTM_FORM, run_to_completion
from tests.portal.delegation.flow import sktm_at_signing

ROLES = [None, "loket1", "kasi1", "sekcam1", "camat1", "auditor1", "perancang1", "warga1", "admin"]
MAX_PAGES = 400
# Visited elsewhere (test_admin, test_schema) or not pages: the language switch, static files, logout.
SKIP = ("/static/", "/i18n/", "/api/schema/", "/api/docs/", "/keluar/")
HREF = re.compile(r'href="([^"#]*)"')


@pytest.fixture
def populated(settings: Any, tmp_path: Path, users: dict[str, Any], deployed: Any, api: Any, failed: Any) -> None:
    files_under(settings, tmp_path)
    citizen = Client()
    citizen.force_login(users["warga1"])
    assert citizen.post("/ajukan/", SKTM_FORM).status_code == 302
    from portal.workflow.models import ProcessInstance

    own = ProcessInstance.objects.filter(applicant_user=users["warga1"]).get()
    run_to_completion(api, own.tracking_number)
    sktm_at_signing(users, name="Rahmawati Dewi")
    registered = {
        "service": "sku",
        "applicant": SKTM_APPLICANT,
        "data": {"nama_usaha": "Warung Makan Berkah", "jenis_usaha": "Warung makan", "alamat_usaha": "Jl. Poros RT 03"},
    }
    response = api("loket1").post("/api/v1/requests/", registered, format="json")
    assert response.status_code == 201, response.content
    at_verification = sktm_at_signing(users, name="Budi Santoso", stop_before="Task_VerifikasiData")
    assert at_verification.bpmn_id == "Task_VerifikasiData"
    today = timezone.localdate().isoformat()
    body = {"deputy": "sekcam1", "kind": "an", "starts_on": today, "ends_on": today, "services": ["sktm"]}
    assert api("camat1").post("/api/v1/delegations/", body, format="json").status_code == 201
    _designed(users)


def _designed(users: dict[str, Any]) -> None:
    """A designer's draft, deployed as sktm v2 while requests run on v1, and a newer draft not deployed."""
    from portal.designer.services import draft_deploy, draft_save
    from tests.migration_setup import sktm_shortened

    source = sktm_shortened().decode()
    draft = draft_save(kind="service", code="sktm", source=source, author=users["perancang1"], note="tanpa paraf")
    draft_deploy(draft_id=draft.pk, actor=users["perancang1"], note="paraf sekcam dihapus")
    draft_save(kind="service", code="sktm", source=source.replace("Tanda tangan", "Tanda tangan camat", 1),
               author=users["perancang1"])  # fmt: skip


def _links(base: str, html: str) -> list[str]:
    found = []
    for raw in HREF.findall(html):
        url = urljoin(base, unescape(raw))
        parts = urlsplit(url)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith(SKIP) or (path.startswith("/admin/") and path != "/admin/"):
            continue
        found.append(path)
    return found


def _crawl(client: Client) -> dict[str, tuple[int, str]]:
    """path -> (status, the page that linked it), breadth first from the home page."""
    seen: dict[str, tuple[int, str]] = {}
    queue = deque([("/", "(start)")])
    while queue and len(seen) < MAX_PAGES:
        path, source = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = (response.status_code, source)
        if response.status_code in (301, 302):
            queue.append((urlsplit(response["Location"]).path, path))
        elif "text/html" in response.get("Content-Type", "") and response.status_code == 200:
            queue.extend((link, path) for link in _links(path, response.content.decode()) if link not in seen)
    return seen


@pytest.mark.parametrize("username", ROLES, ids=[r or "anonymous" for r in ROLES])
def test_every_page_a_role_can_reach_answers_and_every_link_it_shows_works(
    populated: None, users: dict[str, Any], username: str | None
) -> None:
    client = Client()
    if username is not None:
        client.force_login(users[username])
    visited = _crawl(client)
    broken = {path: found for path, found in visited.items() if found[0] >= 400}
    assert broken == {}
    assert len(visited) >= 5  # the home, the menu's pages and what they link to
