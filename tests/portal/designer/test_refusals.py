"""What the definitions API refuses: hostile, malformed, oversized or non-XML files (400, nothing
stored), and everyone but designers and administrators (403); designers work regency-wide."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import officer_of
from tests.engine.test_migration import SKTM
from tests.portal.designer.conftest import SHORTENED, draft_of

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</bpmn:definitions>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>'
)
DMN = '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d"><decision id="x"/></definitions>'


def _stored() -> tuple[int, int, int]:
    from portal.designer.models import Draft
    from portal.workflow.models import DefinitionEvent, ProcessDefinition

    return Draft.objects.count(), ProcessDefinition.objects.count(), DefinitionEvent.objects.count()


@pytest.mark.parametrize(
    ("source", "why"),
    [
        (BILLION_LAUGHS, "DOCTYPE dan ENTITY tidak diizinkan"),
        (EXTERNAL_ENTITY, "DOCTYPE dan ENTITY tidak diizinkan"),
        ("Ini bukan berkas XML", "bukan XML yang utuh"),
        (SKTM[: len(SKTM) // 2], "bukan XML yang utuh"),
        (DMN, "bukan berkas BPMN 2.0"),
        ("   ", "kosong"),
        (SKTM.replace("Tandatangani SKTM", "Tandatangani \ud800"), "D800"),
    ],
    ids=["billion-laughs", "external-entity", "not-xml", "cut-short", "a-dmn-file", "blank", "lone-surrogate"],
)
def test_a_hostile_or_unreadable_draft_is_refused_and_nothing_is_stored(designer: Any, source: str, why: str) -> None:
    before = _stored()
    # A lone surrogate cannot be encoded as UTF-8, but JSON can carry it escaped.
    body = json.dumps({"source": source, "note": "uji"}, ensure_ascii=True)

    refused = designer.post("/api/v1/definitions/sktm/drafts/", body, content_type="application/json")

    assert refused.status_code == 400, refused.content
    assert why in json.dumps(refused.json(), ensure_ascii=False)
    assert "root:x:0:0" not in refused.content.decode()
    assert _stored() == before


def test_an_oversized_request_is_refused_with_the_limit_and_nothing_is_stored(designer: Any) -> None:
    from django.conf import settings

    before = _stored()
    padding = "<!-- " + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + " -->"
    big = SKTM.replace("</bpmn:definitions>", padding + "</bpmn:definitions>")

    refused = designer.post("/api/v1/definitions/sktm/drafts/", {"source": big}, format="json")
    linted = designer.post("/api/v1/definitions/lint/", {"source": big, "filename": "sktm.bpmn"}, format="json")

    for response in (refused, linted):
        assert response.status_code == 413, response.content
        assert "terlalu besar" in response.json()["detail"]
    assert _stored() == before


def test_a_file_over_the_deploy_limit_is_refused_by_the_service(users: Any) -> None:
    import engine
    from portal.core.errors import InvalidInput
    from portal.designer.services import draft_save

    big = SKTM.replace("</bpmn:definitions>", "<!-- " + "x" * engine.MAX_BPMN_BYTES + " --></bpmn:definitions>")

    with pytest.raises(InvalidInput) as refused:
        draft_save(kind="service", code="sktm", source=big, author=users["perancang1"])

    assert "terlalu besar" in str(refused.value.errors["source"])
    assert _stored()[0] == 0


def test_a_decision_table_draft_has_its_own_limit(designer: Any) -> None:
    import engine

    big = DMN.replace("</definitions>", "<!-- " + "x" * engine.MAX_DMN_BYTES + " --></definitions>")

    refused = designer.post("/api/v1/definitions/parts/decisions/rekomendasi_keramaian/drafts/", {"source": big},
                            format="json")  # fmt: skip

    assert refused.status_code == 400 and "terlalu besar" in refused.json()["source"][0]


def test_bad_codes_kinds_and_ids_are_refused(designer: Any) -> None:
    assert designer.post("/api/v1/definitions/a..b/drafts/", {"source": SKTM}, format="json").status_code == 400
    assert designer.get("/api/v1/definitions/parts/rahasia/x/drafts/").status_code == 404
    assert designer.get("/api/v1/definitions/drafts/01/").status_code == 404
    assert designer.get("/api/v1/definitions/drafts/999/").status_code == 404
    assert designer.get("/api/v1/definitions/sktm/versions/9/source/").status_code == 404
    assert designer.get(f"/api/v1/definitions/sktm/versions/{10**30}/source/").status_code == 404
    assert (
        designer.post("/api/v1/definitions/sktm/versions/9/activate/", {"note": "x"}, format="json").status_code == 404
    )
    based = designer.post("/api/v1/definitions/sktm/drafts/", {"source": SKTM, "based_on": 7}, format="json")
    assert based.status_code == 400 and "based_on" in based.json()
    assert _stored()[0] == 0


@pytest.mark.parametrize("username", ["loket1", "kasi1", "sekcam1", "camat1", "auditor1", "warga1", None])
def test_only_designers_and_administrators_use_the_definitions_api(api: Any, deployed: Any, username: str) -> None:
    designer = api("perancang1")
    draft = draft_of(designer, SHORTENED)
    client = api(username)
    expected = 403 if username else 401
    note = {"note": "tidak boleh"}

    answers = [
        client.get("/api/v1/definitions/"),
        client.get("/api/v1/definitions/sktm/versions/1/source/"),
        client.get("/api/v1/definitions/parts/shared/paraf-berjenjang/versions/1/source/"),
        client.get("/api/v1/definitions/sktm/drafts/"),
        client.post("/api/v1/definitions/sktm/drafts/", {"source": SKTM}, format="json"),
        client.post("/api/v1/definitions/lint/", {"source": SKTM, "filename": "sktm.bpmn"}, format="json"),
        client.get(f"/api/v1/definitions/drafts/{draft['id']}/"),
        client.get(f"/api/v1/definitions/drafts/{draft['id']}/compare/"),
        client.post(f"/api/v1/definitions/drafts/{draft['id']}/deploy/", note, format="json"),
        client.post("/api/v1/definitions/sktm/versions/1/activate/", note, format="json"),
        client.post("/api/v1/definitions/parts/shared/paraf-berjenjang/versions/1/activate/", note, format="json"),
    ]

    assert [a.status_code for a in answers] == [expected] * len(answers)
    assert all("Call_ParafBerjenjang" not in a.content.decode() for a in answers)
    from portal.designer.models import Draft
    from portal.workflow.models import ProcessDefinition

    assert Draft.objects.count() == 1 and ProcessDefinition.objects.filter(code="sktm").count() == 1


def test_an_administrator_may_design(api: Any, deployed: Any) -> None:
    admin = api("admin")

    assert admin.get("/api/v1/definitions/").status_code == 200
    assert draft_of(admin, SHORTENED)["author"] == "admin"


def test_designers_work_regency_wide_and_see_definitions_only(api: Any, deployed: Any, users: Any) -> None:
    from portal.accounts.services import api_token_issue

    officer_of("perancang_sepaku", "perancang", office="sepaku")
    from rest_framework.test import APIClient

    sepaku = APIClient()
    from django.contrib.auth import get_user_model

    sepaku_user = get_user_model().objects.get(username="perancang_sepaku")
    sepaku.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=sepaku_user, label='uji').key}")
    babulu = api("perancang1")
    draft = draft_of(babulu, SHORTENED)

    mine, theirs = babulu.get("/api/v1/definitions/").json(), sepaku.get("/api/v1/definitions/").json()

    assert mine == theirs  # no office scope: the same services, versions and drafts for both
    assert sepaku.get(f"/api/v1/definitions/drafts/{draft['id']}/").json()["source"] == SHORTENED
    listed = json.dumps(mine)
    assert "6409034508900002" not in listed and "applicant" not in listed  # counts of requests, never requests
    assert {s["code"] for s in mine["services"]} >= {"sktm", "sku", "domisili"}
    assert {(p["kind"], p["code"]) for p in mine["parts"]} >= {("shared", "paraf-berjenjang"),
                                                               ("decisions", "rekomendasi_keramaian")}  # fmt: skip
