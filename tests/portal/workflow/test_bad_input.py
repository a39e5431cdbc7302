"""Bad requests to the REST API never give 500; each gets the documented status, and a refused
command changes nothing: no instance, task, timer or event is written."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.conftest import SKTM_APPLICANT, officer_of

REQUESTS = "/api/v1/requests/"
GOOD = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa sekolah anak"}}
COUNTER_DATA = {"hasil_pemeriksaan": "lengkap", "catatan": ""}


def _snapshot() -> dict[str, Any]:
    """Everything a command could write."""
    from portal.workflow.models import HumanTask, InstanceEvent, ProcessInstance, TimerSchedule

    return {
        "instances": list(
            ProcessInstance.objects.order_by("pk").values_list("pk", "status", "state", "request_data", "updated_at")
        ),
        "tasks": list(
            HumanTask.objects.order_by("pk").values_list("pk", "status", "assignee_id", "claimed_at", "completed_data")
        ),
        "timers": list(TimerSchedule.objects.order_by("pk").values_list("pk", "due_at", "fired_at", "cancelled_at")),
        "events": list(InstanceEvent.objects.order_by("pk").values_list("pk", "type", "hash")),
    }


def _raw_post(client: Any, url: str, body: str | bytes) -> Any:
    return client.generic("POST", url, body, content_type="application/json")


def _register(api: Any, username: str = "loket1") -> dict[str, Any]:
    response = api(username).post(REQUESTS, GOOD, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    tasks = api("loket1").get("/api/v1/tasks/", {"tracking_number": body["tracking_number"]}).json()["results"]
    return {"tn": body["tracking_number"], "id": body["id"], "task": tasks[0]["id"] if tasks else None}


@pytest.fixture
def registered(api: Any, deployed: Any) -> dict[str, Any]:
    """An sktm request registered at the counter, waiting at the counter's check."""
    return _register(api)


@pytest.fixture
def loket2(users: dict[str, Any]) -> Any:

    user = officer_of("loket2", "loket", password="uji-loket-2")
    users["loket2"] = user
    return user


# --- registering a request --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['{"service": ', "{'service': 'sktm'}", "[]", '"sktm"', "5", "null", "true", "", "{}", '{"service": "sktm"} x'],
    ids=[
        "truncated",
        "single-quotes",
        "array",
        "string",
        "number",
        "null",
        "true",
        "empty",
        "empty-object",
        "trailing",
    ],
)
def test_register_with_a_body_that_is_not_an_object(api: Any, deployed: Any, body: str) -> None:
    # given a database with the processes deployed
    before = _snapshot()

    # when the body is not a JSON object of the right shape
    response = _raw_post(api("loket1"), REQUESTS, body)

    # then 400 with a JSON explanation, and nothing written
    assert response.status_code == 400, response.content
    assert isinstance(response.json(), dict)
    assert _snapshot() == before


def test_register_with_invalid_utf8_or_another_media_type(api: Any, deployed: Any) -> None:
    before = _snapshot()
    assert _raw_post(api("loket1"), REQUESTS, b'{"service": "sktm\xff\xfe"}').status_code == 400
    assert api("loket1").post(REQUESTS, "service=sktm", content_type="text/plain").status_code == 415
    assert api("loket1").post(REQUESTS, {"service": "sktm", "applicant": "x"}).status_code == 400  # form-encoded
    assert _snapshot() == before


def _with(path: str, value: Any) -> dict[str, Any]:
    """GOOD with one value replaced ('applicant.nik') or removed (value=...)."""
    body = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    target: Any = body
    for key in parents:
        target = target[key]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return body


WRONG_TYPES = {
    "service int": ("service", 5, "service"),
    "service list": ("service", ["sktm"], "service"),
    "service null": ("service", None, "service"),
    "service object": ("service", {"code": "sktm"}, "service"),
    "service blank": ("service", "", "service"),
    "service very long": ("service", "s" * 100_000, "service"),
    "applicant string": ("applicant", "Siti Aminah", "applicant"),
    "applicant list": ("applicant", [SKTM_APPLICANT], "applicant"),
    "applicant null": ("applicant", None, "applicant"),
    "applicant number": ("applicant", 6409034508900002, "applicant"),
    "nik list": ("applicant.nik", ["6409034508900002"], "applicant"),
    "nik object": ("applicant.nik", {"v": 1}, "applicant"),
    "name huge": ("applicant.name", "S" * 1_000_000, "applicant"),
    "desa null": ("applicant.desa", None, "applicant"),
    "phone list": ("applicant.phone", ["0812"], "applicant"),
    "data list": ("data", ["Beasiswa"], "data"),
    "data string": ("data", "keperluan=Beasiswa", "data"),
    "data number": ("data", 1, "data"),
    "data null": ("data", None, "data"),
    "data huge string": ("data.keperluan", "x" * 1_000_000, "data"),
    "data nested object": ("data.keperluan", {"a": {"b": ["x" * 100_000]}}, "data"),
    "data number for text": ("data.keperluan", 12345, "data"),
    "data text for number": ("data.jumlah_tanggungan", "banyak", "data"),
    "data bool for number": ("data.jumlah_tanggungan", True, "data"),
    "data lone surrogate": ("data.keperluan", "Beasiswa \ud800", "data"),
    "data surrogate key": ("data.\udfff", 1, "data"),
    "data unknown key": ("data.nik_palsu", "1", "data"),
    "applicant surrogate": ("applicant.name", "Siti \ud800", "applicant"),
}


@pytest.mark.parametrize("case", list(WRONG_TYPES))
def test_register_with_a_wrong_type_in_any_field(api: Any, deployed: Any, case: str) -> None:
    # given an otherwise good request with one field of the wrong type or size
    path, value, key = WRONG_TYPES[case]
    body = json.dumps(_with(path, value))
    before = _snapshot()

    # when it is registered
    response = _raw_post(api("loket1"), REQUESTS, body)

    # then 400 with the error keyed by the offending top-level field, and nothing written
    assert response.status_code == 400, response.content[:300]
    assert key in response.json(), response.json()
    assert _snapshot() == before


def test_unknown_service_is_a_field_error(api: Any, deployed: Any) -> None:
    before = _snapshot()
    response = api("loket1").post(REQUESTS, _with("service", "surat-sakti"), format="json")
    assert response.status_code == 400
    assert response.json() == {"service": ["Layanan 'surat-sakti' tidak tersedia."]}
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nik", "123", "NIK harus terdiri dari 16 angka."),
        ("nik", "64090345089000AB", "NIK harus terdiri dari 16 angka."),
        ("nik", "64090345089000021", "NIK harus terdiri dari 16 angka."),
        ("nik", "0509034508900002", "Dua angka pertama NIK bukan kode provinsi yang berlaku."),
        ("nik", "6409039908900002", "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) bukan tanggal yang benar."),
        ("nik", "6409034513900002", "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) bukan tanggal yang benar."),
        ("nik", "6409034508900000", "Nomor urut NIK (4 angka terakhir) tidak boleh 0000."),
        ("nik", "6409037102900002", "Tanggal lahir pada NIK (angka ke-7 sampai ke-12) bukan tanggal yang benar."),
        ("nik", "6400034508900002", "Kode kabupaten/kota dan kecamatan pada NIK (angka ke-3 sampai ke-6) tidak valid."),
        ("kk", "640903120320000", "Nomor KK harus terdiri dari 16 angka."),
        (
            "kk",
            "6409033102200001",
            "Tanggal pencatatan pada Nomor KK (angka ke-7 sampai ke-12) bukan tanggal yang benar.",
        ),
        ("kk", "6409031203200000", "Nomor urut pada Nomor KK (4 angka terakhir) tidak boleh 0000."),
        ("kk", "9909031203200001", "Dua angka pertama Nomor KK bukan kode provinsi yang berlaku."),
        (
            "desa",
            "Atlantis",
            "Desa tidak dikenal. Pilih salah satu desa atau kelurahan di Kabupaten Penajam Paser Utara.",
        ),
        ("phone", "12345", "Nomor telepon tidak valid. Contoh: 081234567890."),
        ("phone", "0812-ABCD-7890", "Nomor telepon tidak valid. Contoh: 081234567890."),
        ("name", "N" * 150, "Nama paling banyak 100 karakter."),
    ],
)
def test_invalid_applicant_is_refused_in_indonesian_keyed_by_field(
    api: Any, deployed: Any, field: str, value: str, message: str
) -> None:
    before = _snapshot()
    response = api("loket1").post(REQUESTS, _with(f"applicant.{field}", value), format="json")
    assert response.status_code == 400
    assert response.json() == {"applicant": {field: [message]}}
    assert _snapshot() == before


def test_every_applicant_and_data_error_is_reported_at_once(api: Any, deployed: Any) -> None:
    body = _with("applicant.nik", "1")
    body["applicant"].update(desa="Atlantis", phone="99")
    body["data"] = {"keperluan": "ab", "jumlah_tanggungan": 31, "rahasia": 1}
    response = api("loket1").post(REQUESTS, body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "applicant": {
            "nik": ["NIK harus terdiri dari 16 angka."],
            "desa": ["Desa tidak dikenal. Pilih salah satu desa atau kelurahan di Kabupaten Penajam Paser Utara."],
            "phone": ["Nomor telepon tidak valid. Contoh: 081234567890."],
        },
        "data": {
            "rahasia": ["Isian ini tidak dikenal pada formulir langkah ini."],
            "keperluan": ["Paling sedikit 3 karakter."],
            "jumlah_tanggungan": ["Paling besar 30."],
        },
    }


@pytest.mark.parametrize(
    ("body", "keys"),
    [
        ({}, {"service", "applicant"}),
        ({"service": "sktm"}, {"applicant"}),
        ({"applicant": SKTM_APPLICANT}, {"service"}),
        (_with("applicant.nik", ...), {"applicant"}),
        (_with("data", ...), {"data"}),  # keperluan is required by the start form
    ],
    ids=["nothing", "no applicant", "no service", "no nik", "no data"],
)
def test_missing_fields_are_named(api: Any, deployed: Any, body: dict[str, Any], keys: set[str]) -> None:
    before = _snapshot()
    response = api("loket1").post(REQUESTS, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == keys
    assert "This field" not in response.content.decode()  # Indonesian, not DRF's English default
    assert _snapshot() == before


def test_missing_required_data_field_says_so_in_indonesian(api: Any, deployed: Any) -> None:
    response = api("loket1").post(REQUESTS, _with("data", {}), format="json")
    assert response.json() == {"data": {"keperluan": ["Wajib diisi."]}}


@pytest.mark.parametrize(("field", "ascii_value"), [("nik", SKTM_APPLICANT["nik"]), ("phone", "081234567890")])
def test_digits_of_other_scripts_are_refused(api: Any, deployed: Any, field: str, ascii_value: str) -> None:
    # given Arabic-Indic digits where ASCII ones belong (the phone keeps its ASCII "08" prefix)
    value = ascii_value[:2] + "".join(chr(0x0660 + int(d)) for d in ascii_value[2:])
    before = _snapshot()

    # when registered
    response = api("loket1").post(REQUESTS, _with(f"applicant.{field}", value), format="json")

    # then refused, nothing stored
    assert response.status_code == 400
    assert _snapshot() == before


@pytest.mark.parametrize("url", [REQUESTS, "/api/v1/tasks/{task}/complete/"])
def test_deeply_nested_json_is_a_400_not_a_500(api: Any, registered: dict[str, Any], url: str) -> None:
    client = api("loket1")
    client.raise_request_exception = False
    before = _snapshot()
    body = '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = _raw_post(client, url.format(task=registered["task"]), body)
    assert response.status_code == 400
    assert _snapshot() == before


# --- human tasks --------------------------------------------------------------------------------------


BAD_IDS = ["abc", "-1", "0", "99999999999999999999", "1.5", "1e3", "0x1", "%20", "9223372036854775807", "999999"]


@pytest.mark.parametrize("action", ["claim", "release", "complete"])
@pytest.mark.parametrize("task_id", BAD_IDS)
def test_task_endpoints_with_bad_ids_are_404(api: Any, registered: dict[str, Any], action: str, task_id: str) -> None:
    before = _snapshot()
    response = api("loket1").post(f"/api/v1/tasks/{task_id}/{action}/", {"data": COUNTER_DATA}, format="json")
    assert response.status_code == 404, response.content
    assert _snapshot() == before


@pytest.mark.parametrize("alias", ["+{id}", "%20{id}", "{arabic}"])
def test_a_task_id_has_one_spelling(api: Any, registered: dict[str, Any], alias: str) -> None:
    task_id = str(registered["task"])
    spelled = alias.format(id=task_id, arabic="".join(chr(0x0660 + int(d)) for d in task_id))
    before = _snapshot()
    response = api("loket1").post(f"/api/v1/tasks/{spelled}/claim/")
    assert response.status_code == 404
    assert _snapshot() == before


def _task_status(task_id: int) -> tuple[str, Any]:
    from portal.workflow.models import HumanTask

    row = HumanTask.objects.get(pk=task_id)
    return row.status, row.assignee_id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"hasil_pemeriksaan": "mungkin"}, "hasil_pemeriksaan"),
        ({}, "hasil_pemeriksaan"),
        ({"hasil_pemeriksaan": ["lengkap"]}, "hasil_pemeriksaan"),
        ({"hasil_pemeriksaan": "lengkap", "catatan": "x" * 501}, "catatan"),
        ({"hasil_pemeriksaan": "lengkap", "catatan": 5}, "catatan"),
        ({"hasil_pemeriksaan": "lengkap", "catatan": "a\ud800"}, "catatan"),
        ({"hasil_pemeriksaan": "lengkap", "disetujui_camat": True}, "disetujui_camat"),
        ({"hasil_pemeriksaan": "lengkap", "applicant": {"nik": "1"}}, "applicant"),
    ],
    ids=["bad choice", "missing", "list", "too long", "number", "surrogate", "unknown key", "overwrite applicant"],
)
def test_completing_with_data_the_form_refuses(
    api: Any, registered: dict[str, Any], data: dict[str, Any], field: str
) -> None:
    # given the counter's open task
    task_id = registered["task"]
    before = _snapshot()

    # when completed with data its form refuses
    response = _raw_post(api("loket1"), f"/api/v1/tasks/{task_id}/complete/", json.dumps({"data": data}))

    # then 400 naming the field under data, the task still open, no new event, state unchanged
    assert response.status_code == 400, response.content
    assert field in response.json()["data"]
    assert _task_status(task_id) == ("ready", None)
    assert _snapshot() == before


@pytest.mark.parametrize(
    "body",
    ['{"data": ', "[]", '"lengkap"', "null", '{"data": []}', '{"data": "lengkap"}', '{"data": null}'],
    ids=["truncated", "array", "string", "null", "data list", "data string", "data null"],
)
def test_completing_with_a_malformed_body(api: Any, registered: dict[str, Any], body: str) -> None:
    before = _snapshot()
    response = _raw_post(api("loket1"), f"/api/v1/tasks/{registered['task']}/complete/", body)
    assert response.status_code == 400
    assert _snapshot() == before


@pytest.mark.parametrize("username", ["kasi1", "sekcam1", "camat1", "auditor1", "perancang1", "warga1"])
@pytest.mark.parametrize("action", ["claim", "release", "complete"])
def test_acting_on_a_task_of_another_role_is_403(
    api: Any, registered: dict[str, Any], username: str, action: str
) -> None:
    before = _snapshot()
    url = f"/api/v1/tasks/{registered['task']}/{action}/"
    response = api(username).post(url, {"data": COUNTER_DATA}, format="json")
    assert response.status_code == 403, response.content
    assert "peran" in response.json()["detail"]
    assert _snapshot() == before


def test_completing_an_already_completed_task_is_409(api: Any, registered: dict[str, Any]) -> None:
    # given the counter's task completed once
    url = f"/api/v1/tasks/{registered['task']}/complete/"
    assert api("loket1").post(url, {"data": COUNTER_DATA}, format="json").status_code == 200
    before = _snapshot()

    # when completed, claimed or released again
    again = api("loket1").post(url, {"data": {"hasil_pemeriksaan": "tidak_lengkap"}}, format="json")
    claim = api("loket1").post(f"/api/v1/tasks/{registered['task']}/claim/")
    release = api("loket1").post(f"/api/v1/tasks/{registered['task']}/release/")

    # then each is a conflict and nothing changed
    assert (again.status_code, claim.status_code, release.status_code) == (409, 409, 409)
    assert again.json() == {"detail": "Langkah ini sudah diselesaikan atau dibatalkan."}
    assert _snapshot() == before


def test_a_task_claimed_by_someone_else_cannot_be_taken(
    api: Any, registered: dict[str, Any], loket2: Any, users: dict[str, Any]
) -> None:
    # given the counter's task claimed by loket1
    task_id = registered["task"]
    assert api("loket1").post(f"/api/v1/tasks/{task_id}/claim/").status_code == 200
    before = _snapshot()

    # when another counter officer claims, releases or completes it
    claim = api("loket2").post(f"/api/v1/tasks/{task_id}/claim/")
    release = api("loket2").post(f"/api/v1/tasks/{task_id}/release/")
    complete = api("loket2").post(f"/api/v1/tasks/{task_id}/complete/", {"data": COUNTER_DATA}, format="json")

    # then each is a conflict, and loket1 still holds it
    assert (claim.status_code, release.status_code, complete.status_code) == (409, 409, 409)
    assert claim.json() == {"detail": "Langkah ini sudah diambil petugas lain."}
    assert _task_status(task_id) == ("claimed", users["loket1"].pk)
    assert _snapshot() == before


def test_claiming_twice_by_the_holder_changes_nothing(api: Any, registered: dict[str, Any]) -> None:
    url = f"/api/v1/tasks/{registered['task']}/claim/"
    assert api("loket1").post(url).status_code == 200
    before = _snapshot()
    assert api("loket1").post(url).status_code == 200
    assert _snapshot() == before


# --- who may call what --------------------------------------------------------------------------------


def _all_calls(registered: dict[str, Any]) -> list[tuple[str, str, Any]]:
    task = registered["task"]
    return [
        ("post", REQUESTS, GOOD),
        ("get", f"{REQUESTS}{registered['tn']}/", None),
        ("get", "/api/v1/tasks/", None),
        ("post", f"/api/v1/tasks/{task}/claim/", None),
        ("post", f"/api/v1/tasks/{task}/release/", None),
        ("post", f"/api/v1/tasks/{task}/complete/", {"data": COUNTER_DATA}),
        ("get", f"/api/v1/instances/{registered['id']}/events/", None),
    ]


@pytest.mark.parametrize("token", [None, "Token 0123456789abcdef", "Bearer x", "Token "])
def test_anonymous_or_bad_token_calls_are_401(registered: dict[str, Any], token: str | None) -> None:
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=token)
    before = _snapshot()
    for method, url, body in _all_calls(registered):
        response = getattr(client, method)(url, body, format="json") if body else getattr(client, method)(url)
        assert response.status_code == 401, (url, response.status_code)
    assert _snapshot() == before


def test_a_citizen_cannot_read_someone_elses_request(api: Any, registered: dict[str, Any], users: Any) -> None:
    # given a request registered at the counter, and one the citizen registered herself
    own = _register(api, "warga1")

    # when the citizen reads both, and a number that does not exist
    other = api("warga1").get(f"{REQUESTS}{registered['tn']}/")
    missing = api("warga1").get(f"{REQUESTS}000000-XXXXXX/")
    mine = api("warga1").get(f"{REQUESTS}{own['tn']}/")

    # then someone else's is as unknown as a missing one, and her own is readable
    assert other.status_code == 404
    assert other.json() == missing.json()
    assert mine.status_code == 200 and mine.json()["tracking_number"] == own["tn"]


@pytest.mark.parametrize("username", ["loket1", "kasi1", "sekcam1", "camat1", "perancang1", "warga1"])
def test_event_log_is_for_auditors_only(api: Any, registered: dict[str, Any], username: str) -> None:
    response = api(username).get(f"/api/v1/instances/{registered['id']}/events/")
    assert response.status_code == 403
    assert "hash" not in response.content.decode()


@pytest.mark.parametrize("username", ["auditor1", "admin"])
def test_auditors_read_events_and_bad_ids_are_404(api: Any, registered: dict[str, Any], username: str) -> None:
    assert api(username).get(f"/api/v1/instances/{registered['id']}/events/").status_code == 200
    for bad in ["abc", "-1", "0", "99999999999999999999", "999999"]:
        assert api(username).get(f"/api/v1/instances/{bad}/events/").status_code == 404, bad


def test_only_the_counter_or_a_citizen_may_register(api: Any, deployed: Any) -> None:
    before = _snapshot()
    for username in ["kasi1", "sekcam1", "camat1", "auditor1", "perancang1"]:
        response = api(username).post(REQUESTS, GOOD, format="json")
        assert response.status_code == 403, username
    assert _snapshot() == before


def test_odd_query_parameters_do_not_break_listing(api: Any, registered: dict[str, Any]) -> None:
    for params in [
        {"limit": "abc"},
        {"offset": "-5"},
        {"limit": "99999999999999999999"},
        {"tracking_number": "x" * 10_000},
    ]:
        assert api("loket1").get("/api/v1/tasks/", params).status_code == 200, params
    assert api("loket1").get(f"{REQUESTS}{'x' * 5000}/").status_code == 404
