"""A service a designer drew with everything at once, deployed with process_deploy and run through the
REST API on every path: a decision table picks the way (each rule row), a manual task on one way, a
call into a shared initials chain, then an event-based gateway that takes the village's
recommendation (a message) or closes the file when 14 days pass."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import SKTM_APPLICANT
from tests.portal.workflow.test_lint_deploy_commands import _run

FILES = Path(__file__).resolve().parents[2] / "fixtures" / "designer" / "perancang"


@pytest.fixture
def drawn(users: dict[str, Any], deployed: Any) -> None:
    paths = [FILES / "decisions" / "rekomendasi_acara.dmn", FILES / "shared" / "paraf-dua-tingkat.bpmn",
             FILES / "uji-perancang.bpmn"]  # fmt: skip
    code, lines = _run("process_deploy", "--by", "perancang1", "--note", "uji", *map(str, paths))
    assert code == 0, lines


def _register(api: Any, peserta: int, tempat: str) -> str:
    body = {"service": "uji-perancang", "applicant": SKTM_APPLICANT, "data": {"peserta": peserta, "tempat": tempat}}
    response = api("loket1").post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["tracking_number"])


def _step(api: Any, username: str, number: str) -> dict[str, Any]:
    found = api(username).get("/api/v1/tasks/", {"tracking_number": number}).json()["results"]
    assert len(found) == 1, (username, found)
    return dict(found[0])


def _do(api: Any, username: str, number: str, data: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    step = _step(api, username, number)
    data = (
        data if data is not None else {f["id"]: (True if f["type"] == "boolean" else "12/X/2026") for f in step["form"]}
    )
    done = api(username).post(f"/api/v1/tasks/{step['id']}/complete/", {"data": data}, format="json")
    assert done.status_code == 200, done.content
    return str(step["bpmn_id"]), done.json()


@pytest.mark.parametrize(
    ("peserta", "tempat", "first"),
    [(1500, "gedung", ("kasi1", "KirimPolres")), (200, "jalan", ("kasi1", "KirimPolsek")),
     (200, "gedung", ("loket1", "SampaikanDesa"))],
)  # fmt: skip
def test_each_rule_row_leads_its_way_and_the_message_ends_the_request(
    drawn: None, api: Any, peserta: int, tempat: str, first: tuple[str, str]
) -> None:
    number = _register(api, peserta, tempat)
    assert _do(api, first[0], number)[0] == first[1]
    assert _do(api, "kasi1", number)[0] == "ParafKasi"  # the shared file's steps, in their lanes
    assert _do(api, "sekcam1", number)[0] == "ParafSekcam"
    sent = api("kasi1").post(f"/api/v1/requests/{number}/messages/",
                             {"name": "rekomendasi_desa", "data": {"nomor": "7/DS/2026"}}, format="json")  # fmt: skip
    assert sent.status_code == 200, sent.content
    bpmn_id, status = _do(api, "loket1", number, {})
    assert bpmn_id == "Arsipkan" and status["status"] == "completed"
    detail = api("kasi1").get(f"/api/v1/requests/{number}/").json()
    assert [h["type"] for h in detail["history"]][-1] == "instance_completed"


def test_when_no_recommendation_comes_the_file_closes_after_14_days(drawn: None, api: Any) -> None:
    from portal.workflow.services.timers import timers_fire_due

    number = _register(api, 200, "gedung")
    for username in ("loket1", "kasi1", "sekcam1"):
        _do(api, username, number, {} if username == "loket1" else None)
    assert timers_fire_due(now=timezone.now() + timedelta(days=14, minutes=5)) == 1
    detail = api("kasi1").get(f"/api/v1/requests/{number}/").json()
    assert detail["status"] == "completed" and detail["current_steps"] == []
    late = api("kasi1").post(f"/api/v1/requests/{number}/messages/", {"name": "rekomendasi_desa"}, format="json")
    assert late.status_code == 409


def test_a_table_that_would_break_a_catalogue_service_is_refused_and_nothing_changes(
    users: dict[str, Any], deployed: Any, tmp_path: Path
) -> None:
    # given the catalogue deployed, with izin-keramaian asking rekomendasi_keramaian
    from portal.workflow.models import DefinitionPart, ProcessDefinition

    before = sorted(ProcessDefinition.objects.values_list("code", "version"))
    parts_before = DefinitionPart.objects.count()
    # when a designer deploys a table of that id that reads data the service does not have
    other = (
        (FILES / "decisions" / "rekomendasi_acara.dmn")
        .read_text("utf-8")
        .replace("rekomendasi_acara", "rekomendasi_keramaian")
    )
    path = tmp_path / "decisions" / "rekomendasi_keramaian.dmn"
    path.parent.mkdir()
    path.write_text(other, "utf-8")
    code, lines = _run("process_deploy", "--by", "perancang1", str(path))

    # then the deploy names the service the change would break, and nothing was deployed
    assert code == 1
    assert any(line.startswith("izin-keramaian.bpmn:Task_TentukanRekomendasi:") and "peserta" in line for line in lines)
    assert sorted(ProcessDefinition.objects.values_list("code", "version")) == before
    assert DefinitionPart.objects.count() == parts_before
