"""The designer's pages without a browser: the workspace, a service's versions, the modeler page with
the diagram embedded, saving a draft, the comparison, deploying (refused with each problem on its
element while lint fails), putting an earlier version back, and who may open them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.migration_setup import sktm_shortened

# The camat's step taken out of every lane: lint refuses it (nobody's role would do it).
BROKEN = sktm_shortened().decode().replace("<bpmn:flowNodeRef>Task_TandatanganCamat</bpmn:flowNodeRef>", "")


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def _embedded(html: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert found, element_id
    return json.loads(found.group(1))


def _save(client: Client, source: str, note: str = "tanpa paraf") -> Any:
    return client.post("/perancang/sktm/simpan/", {"source": source, "note": note, "based_on": 1})


@pytest.fixture
def designer(users: dict[str, Any], deployed: Any) -> Client:
    return _client("perancang1")


def test_the_workspace_lists_services_parts_and_opens_the_modeler(designer: Client) -> None:
    home = designer.get("/perancang/").content.decode()
    assert 'id="layanan-sktm"' in home and 'id="bagian-shared-paraf-berjenjang"' in home
    assert "bagian-decisions-rekomendasi_keramaian" in home
    service = designer.get("/perancang/sktm/")
    assert service.status_code == 200 and 'id="versi-1"' in service.content.decode()
    page = designer.get("/perancang/sktm/ubah/").content.decode()
    assert "Call_ParafBerjenjang" in _embedded(page, "diagram-xml")
    assert 'data-lint-url="/api/v1/definitions/lint/"' in page and 'data-filename="sktm.bpmn"' in page
    assert "vendor/designer/modeler.js" in page and "memerlukan layar yang lebih lebar" in page
    table = designer.get("/perancang/bagian/decisions/rekomendasi_keramaian/ubah/").content.decode()
    assert 'data-kind="decisions"' in table and "<decisionTable" in _embedded(table, "diagram-xml")
    for missing in ("/perancang/sktm/ubah/?versi=9", "/perancang/sktm/ubah/?versi=x", "/perancang/tidak-ada/",
                    "/perancang/tidak-ada/ubah/", "/perancang/bagian/lain/x/ubah/", "/perancang/draf/999999/",
                    "/perancang/draf/999999/banding/"):  # fmt: skip
        assert designer.get(missing).status_code == 404, missing


def test_a_draft_is_saved_compared_and_deployed_with_a_note(designer: Client) -> None:
    from portal.designer.models import Draft
    from portal.workflow.models import DefinitionEvent, ProcessDefinition

    saved = _save(designer, sktm_shortened().decode())
    assert saved.status_code == 302
    draft = Draft.objects.get(code="sktm")
    assert saved["Location"] == f"/perancang/draf/{draft.pk}/"
    assert ProcessDefinition.objects.get(code="sktm", is_active=True).version == 1  # a draft is not live
    page = designer.get(saved["Location"]).content.decode()
    assert "Draf 1" in page and "Task_ParafSekcam" not in _embedded(page, "diagram-xml")
    compare = designer.get(f"/perancang/draf/{draft.pk}/banding/").content.decode()
    data = _embedded(compare, "banding-data")
    assert "Call_ParafBerjenjang" in data["diff"]["removed"] and "Call_ParafBerjenjang" in data["left"]
    assert 'id="beda-dihapus"' in compare and 'id="petunjuk-standar"' in compare
    assert "<strong>Prosedur</strong>" in compare
    refused = designer.post(f"/perancang/draf/{draft.pk}/pasang/", {"note": " "}, follow=True)
    assert ProcessDefinition.objects.filter(code="sktm").count() == 1
    assert "wajib" in refused.content.decode().lower()
    done = designer.post(f"/perancang/draf/{draft.pk}/pasang/", {"note": "paraf sekcam dihapus"}, follow=True)
    assert "versi 2 dipasang" in done.content.decode()
    assert ProcessDefinition.objects.get(code="sktm", is_active=True).version == 2
    event = DefinitionEvent.objects.filter(code="sktm").order_by("-seq").first()
    assert event is not None and event.actor_username == "perancang1"
    assert event.payload["note"] == "paraf sekcam dihapus" and event.payload["previous_sha256"]

    back = designer.post("/perancang/sktm/versi/1/pakai/", {"note": "kembali dulu"}, follow=True)
    assert back.status_code == 200
    assert ProcessDefinition.objects.get(code="sktm", is_active=True).version == 1


def test_a_draft_with_a_lint_error_is_not_deployed_and_each_problem_is_named_on_its_element(designer: Client) -> None:
    from portal.designer.models import Draft
    from portal.workflow.models import ProcessDefinition

    _save(designer, BROKEN)
    draft = Draft.objects.get(code="sktm")
    refused = designer.post(f"/perancang/draf/{draft.pk}/pasang/", {"note": "coba"})
    assert refused.status_code == 400
    problems = _embedded(refused.content.decode(), "masalah-server")
    assert problems and any(p["element_id"] == "Task_TandatanganCamat" for p in problems), problems
    assert ProcessDefinition.objects.filter(code="sktm").count() == 1
    assert Draft.objects.get(pk=draft.pk).deployed_version is None


def test_bad_input_is_refused_plainly_and_saves_nothing(designer: Client) -> None:
    from portal.designer.models import Draft

    hostile = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    for source in (hostile, "bukan xml", "", "x" * (2 * 1024 * 1024 + 1)):
        answer = designer.post("/perancang/sktm/simpan/", {"source": source, "based_on": 1}, follow=True)
        assert answer.status_code == 200 and 'class="error"' in answer.content.decode()
    too_big = designer.post("/perancang/sktm/simpan/", {"source": "x" * (3 * 1024 * 1024)})
    assert too_big.status_code == 400  # past what the server reads of a form at all
    assert designer.post("/perancang/sktm/simpan/", {"source": "<x/>", "based_on": "dua"}).status_code == 302
    assert designer.post("/perancang/bagian/lain/x/simpan/", {"source": "<x/>"}).status_code == 302
    assert not Draft.objects.exists()
    assert designer.post("/perancang/sktm/versi/1/pakai/", {"note": "x"}, follow=True).status_code == 200
    assert designer.post("/perancang/sktm/versi/7/pakai/", {"note": "x"}, follow=True).status_code == 200


def test_other_roles_cannot_open_or_act(users: dict[str, Any], deployed: Any, designer: Client) -> None:
    from portal.designer.models import Draft
    from portal.workflow.models import ProcessDefinition

    _save(designer, sktm_shortened().decode())
    draft = Draft.objects.get(code="sktm")
    for username in ("loket1", "camat1", "auditor1", "warga1"):
        client = _client(username)
        pages = ["/perancang/", "/perancang/sktm/", "/perancang/sktm/ubah/", f"/perancang/draf/{draft.pk}/",
                 f"/perancang/draf/{draft.pk}/banding/", "/perancang/bagian/shared/paraf-berjenjang/ubah/"]  # fmt: skip
        for url in pages:
            assert client.get(url).status_code == 403, (username, url)
        assert client.post(f"/perancang/draf/{draft.pk}/pasang/", {"note": "x"}).status_code == 403
        assert client.post("/perancang/sktm/simpan/", {"source": sktm_shortened().decode()}).status_code == 403
        assert client.post("/perancang/sktm/versi/1/pakai/", {"note": "x"}).status_code == 403
    assert Draft.objects.count() == 1 and ProcessDefinition.objects.filter(code="sktm").count() == 1
    assert Client().get("/perancang/sktm/").status_code == 302  # to the login page


def test_only_the_modeler_allows_the_watermark_styles_and_by_hash(designer: Client) -> None:
    from django.conf import settings

    from portal.core.content_policy import WATERMARK_STYLE_HASHES

    modeler = designer.get("/perancang/sktm/ubah/")["Content-Security-Policy"]
    assert modeler == f"{settings.PATEN_CSP}; style-src-attr 'unsafe-hashes' {WATERMARK_STYLE_HASHES}"
    assert "unsafe-inline" not in modeler and "unsafe-eval" not in modeler
    assert "unsafe" not in designer.get("/perancang/sktm/")["Content-Security-Policy"]
