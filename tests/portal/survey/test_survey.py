"""The satisfaction survey: once per completed request by its applicant; NRR, IKM and grade."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from tests.portal.citizen.conftest import run_to_completion, submit

ALL = [f"U{i}" for i in range(1, 10)]


def answers(score: int | dict[str, int]) -> dict[str, Any]:
    if isinstance(score, dict):
        return score
    return dict.fromkeys(ALL, score)


def _submitted(client: Client) -> Any:
    from portal.workflow.models import ProcessInstance

    assert submit(client).status_code == 302
    client.get("/ajukan/terkirim/")
    return ProcessInstance.objects.order_by("-id").first()


@pytest.fixture
def completed(users: Any, deployed: Any, skm: None, api: Any) -> tuple[Client, Any]:
    client = Client()
    instance = _submitted(client)
    run_to_completion(api, instance.tracking_number)
    instance.refresh_from_db()
    return client, instance


def test_the_elements_and_grades_are_data(skm: None) -> None:
    from portal.survey.models import SurveyElement, SurveyGrade

    assert list(SurveyElement.objects.values_list("code", flat=True)) == ALL
    u4 = SurveyElement.objects.get(code="U4")
    assert u4.name == "Biaya/tarif" and u4.answers()[3] == (4, "Gratis")
    assert list(SurveyGrade.objects.values_list("grade", "lower", "upper")) == [
        ("A", Decimal("88.31"), Decimal("100.00")), ("B", Decimal("76.61"), Decimal("88.30")),
        ("C", Decimal("65.00"), Decimal("76.60")), ("D", Decimal("25.00"), Decimal("64.99")),
    ]  # fmt: skip


def test_the_page_takes_one_survey_per_completed_request(completed: tuple[Client, Any]) -> None:
    from portal.survey.models import SurveyResponse

    client, instance = completed
    url = f"/survei/{instance.tracking_number}/"
    page = client.get(url).content.decode()
    assert "kesesuaian persyaratan pelayanan" in page and "Sangat sopan dan ramah" in page
    missing = client.post(url, {"U1": "4"})
    assert missing.status_code == 400 and "Wajib dijawab." in missing.content.decode()
    assert SurveyResponse.objects.count() == 0
    done = client.post(url, {**dict.fromkeys(ALL, "3"), "suggestion": "Ruang tunggu perlu kipas angin."})
    assert done.status_code == 200 and "Terima kasih" in done.content.decode()
    response = SurveyResponse.objects.get()
    assert response.via == "pin" and response.service_code == "sktm"
    assert sorted(response.answers.values_list("score", flat=True)) == [3] * 9
    again = client.post(url, dict.fromkeys(ALL, "4"))
    assert again.status_code == 409 and SurveyResponse.objects.count() == 1
    assert "Isi survei kepuasan" not in client.get(f"/lacak/{instance.tracking_number}/").content.decode()


def test_not_before_completion(users: Any, deployed: Any, skm: None, api: Any) -> None:
    client = Client()
    instance = _submitted(client)
    page = client.post(f"/survei/{instance.tracking_number}/", dict.fromkeys(ALL, "4"))
    assert page.status_code == 409 and "setelah permohonan selesai" in page.content.decode()
    body = {"tracking_number": instance.tracking_number, "answers": answers(4)}
    assert api(None).post("/api/v1/survey/", body, format="json").status_code == 404  # no session, no PIN
    from portal.survey.models import SurveyResponse

    assert SurveyResponse.objects.count() == 0


def test_the_api_takes_the_pin_once_and_refuses_odd_input(completed: tuple[Client, Any], api: Any) -> None:
    from portal.survey.models import SurveyResponse
    from portal.workflow.models import ProcessInstance
    from portal.workflow.pins import pin_new

    _, instance = completed
    pin, digest = pin_new()
    ProcessInstance.objects.filter(pk=instance.pk).update(access_pin_hash=digest)
    tn = instance.tracking_number
    odd_bodies = [
        {"tracking_number": tn, "pin": pin, "answers": "semua bagus"},
        {"tracking_number": tn, "pin": pin, "answers": {**answers(4), "U3": 5}},
        {"tracking_number": tn, "pin": pin, "answers": {**answers(4), "U3": True}},
        {"tracking_number": tn, "pin": pin, "answers": {**answers(4), "U10": 4}},
        {"tracking_number": tn, "pin": pin, "answers": {"U1": 4}},
        {"tracking_number": tn, "pin": pin, "answers": answers(4), "suggestion": "x" * 100_000},
        {"tracking_number": ["a"], "pin": pin, "answers": answers(4)},
        {"tracking_number": "Z" * 5000, "pin": pin, "answers": answers(4)},
        [1, 2, 3],
    ]
    for body in odd_bodies:
        response = api(None).post("/api/v1/survey/", body, format="json")
        assert response.status_code == 400, (body if not isinstance(body, dict) else list(body), response.content)
    wrong_pin = {"tracking_number": tn, "pin": f"{(int(pin) + 1) % 1_000_000:06d}", "answers": answers(4)}
    assert api(None).post("/api/v1/survey/", wrong_pin, format="json").status_code == 404
    assert SurveyResponse.objects.count() == 0
    ok = api(None).post("/api/v1/survey/", {"tracking_number": tn, "pin": pin, "answers": answers(4)}, format="json")
    assert ok.status_code == 201, ok.content
    second = api(None).post(
        "/api/v1/survey/", {"tracking_number": tn, "pin": pin, "answers": answers(2)}, format="json"
    )
    assert second.status_code == 409


def _respond(instance: Any, scores: dict[str, int]) -> None:
    from portal.survey.services import survey_submit

    survey_submit(instance=instance, answers=scores, via="pin")


@pytest.mark.parametrize(
    ("score", "ikm", "grade"),
    [(4, Decimal("100.00"), "A"), (3, Decimal("75.00"), "C"), (2, Decimal("50.00"), "D"), (1, Decimal("25.00"), "D")],
)
def test_ikm_and_grade_for_uniform_answers(completed: tuple[Client, Any], score: int, ikm: Decimal, grade: str) -> None:
    from portal.survey.selectors import ikm_summary

    _, instance = completed
    _respond(instance, answers(score))
    summary = ikm_summary(service_code="sktm")
    assert summary["respondents"] == 1 and summary["ikm"] == ikm and summary["grade"] == grade
    assert [e["nrr"] for e in summary["elements"]] == [Decimal(score).quantize(Decimal("0.01"))] * 9


def test_nrr_per_element_and_ikm_with_the_exact_ninth(users: Any, deployed: Any, skm: None, api: Any) -> None:
    from portal.survey.selectors import grade_for, ikm_summary

    first, second = Client(), Client()
    a, b = _submitted(first), _submitted(second)
    for instance in (a, b):
        run_to_completion(api, instance.tracking_number)
        instance.refresh_from_db()
    _respond(a, {**answers(4), "U3": 2, "U9": 3})
    _respond(b, {**answers(3), "U3": 3, "U8": 4})
    summary = ikm_summary(service_code="sktm")
    nrr = {e["code"]: e["nrr"] for e in summary["elements"]}
    assert nrr["U1"] == Decimal("3.50") and nrr["U3"] == Decimal("2.50") and nrr["U8"] == Decimal("4.00")
    assert nrr["U9"] == Decimal("3.00")
    # Sum of NRR = 3.5*6 + 2.5 + 4 + 3 = 30.5; IKM = 30.5 / 9 * 25 = 84.7222...
    assert summary["ikm"] == Decimal("84.72") and summary["grade"] == "B"
    assert summary["ikm_weight_0111"] == Decimal("84.64")  # 30.5 * 0.111 * 25 = 84.6375
    assert grade_for(Decimal("76.60")).grade == "C" and grade_for(Decimal("76.61")).grade == "B"  # type: ignore[union-attr]
    assert grade_for(Decimal("88.31")).grade == "A" and grade_for(Decimal("64.99")).grade == "D"  # type: ignore[union-attr]
    assert ikm_summary(service_code="sku")["respondents"] == 0


def test_the_summary_api_is_for_camat_admin_and_auditor(completed: tuple[Client, Any], api: Any) -> None:
    from django.utils import timezone

    _, instance = completed
    _respond(instance, answers(4))
    today = timezone.localdate().isoformat()
    for username in ("camat1", "admin", "auditor1"):
        response = api(username).get("/api/v1/survey/summary/", {"service": "sktm", "from": today, "to": today})
        assert response.status_code == 200, response.content
        assert response.json()["ikm"] == "100.00" and response.json()["grade"] == "A"
    empty = api("camat1").get("/api/v1/survey/summary/", {"from": "2000-01-01", "to": "2000-01-31"}).json()
    assert empty["respondents"] == 0 and empty["ikm"] is None
    assert api("camat1").get("/api/v1/survey/summary/", {"from": "kemarin"}).status_code == 400
    assert api("camat1").get("/api/v1/survey/summary/", {"service": "s" * 5000}).status_code == 400
    assert api("loket1").get("/api/v1/survey/summary/").status_code == 403
    assert api("warga1").get("/api/v1/survey/summary/").status_code == 403
    assert api(None).get("/api/v1/survey/summary/").status_code in (401, 403)


def test_the_admin_lists_responses_with_the_index(completed: tuple[Client, Any], users: Any) -> None:
    _, instance = completed
    _respond(instance, answers(4))
    admin = Client()
    admin.force_login(users["admin"])
    page = admin.get("/admin/survey/surveyresponse/")
    assert page.status_code == 200 and "100,00 (A, Sangat baik)" in page.content.decode()
