"""One deployment, four kecamatan: no officer sees or acts on another office's request.

Every officer role of Babulu tries every endpoint and page that names a request, a step, a document
or a letter of a Sepaku request: each is refused (403 in the API, a page that says which kecamatan
serves it) and nothing changes. Lists simply do not show it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import files_under, step_due_set
from tests.portal.documents.samples import pdf_bytes

SEPAKU_APPLICANT = {"nik": "6409044508900003", "name": "Wulan Sari", "desa": "Tengin Baru", "phone": "081234567891"}
BABULU_OFFICERS = ["loket1", "kasi1", "sekcam1", "camat1"]
SIGNING = [
    ("loket_sepaku", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"}),
    ("kasi_sepaku", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi_sepaku", "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."}),
    ("sekcam_sepaku", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
]
# Routes that name a request but answer to its applicant (PIN, own account) or to the public, or that
# name no request at all: the officers' scope does not apply to them.
NOT_OFFICE_SCOPED = {
    "service-page", "declaration-office", "api-service-detail", "auth-token-revoke", "delegation-end-api",
    "delegation-end", "letter-verify-api", "letter-verify-page", "tracking-status", "tracking-diagram",
    "citizen-fix", "my-request-open", "citizen-letter", "survey-page",
    "audit-checkpoint-download",  # a checkpoint states the whole log, not a request of an office
    # The designer's files and versions are the regency's (designers serve every kecamatan); the two
    # routes that name a request (moving one back) are tried below.
    "definitions-draft", "definitions-draft-compare", "definitions-draft-deploy", "definitions-drafts",
    "definitions-migration", "definitions-part-drafts", "definitions-part-version-activate",
    "definitions-part-version-source", "definitions-version-activate", "definitions-version-source",
    "designer-draft", "designer-draft-compare", "designer-draft-deploy", "designer-migrate",
    "designer-migrate-submit", "designer-part-edit", "designer-part-save", "designer-service",
    "designer-service-activate", "designer-service-edit", "designer-service-save",
}  # fmt: skip


def register(api: Any, username: str) -> str:
    body = {"service": "sktm", "applicant": SEPAKU_APPLICANT, "data": {"keperluan": "Beasiswa sekolah anak"}}
    response = api(username).post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["tracking_number"])


def complete(api: Any, username: str, tracking_number: str, bpmn_id: str, data: dict[str, Any]) -> None:
    tasks = api(username).get("/api/v1/tasks/", {"tracking_number": tracking_number}).json()["results"]
    (task,) = [t for t in tasks if t["bpmn_id"] == bpmn_id]
    response = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
    assert response.status_code == 200, response.content


@pytest.fixture
def sepaku(api: Any, deployed: Any, users: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    """Two Sepaku requests: one signed (its letter issued, a document on file, the hand-over open at
    the counter) and one waiting for the camat's signature (its step overdue)."""
    from portal.documents.models import RequirementDocument
    from portal.letters.models import Letter
    from portal.workflow.models import HumanTask, ProcessInstance

    files_under(settings, tmp_path)
    signed, waiting = register(api, "loket_sepaku"), register(api, "loket_sepaku")
    upload = api("loket_sepaku").post(
        f"/api/v1/requests/{signed}/documents/",
        {"requirement": "ktp", "file": _pdf("ktp.pdf")},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    for tracking_number in (signed, waiting):
        for username, bpmn_id, data in SIGNING:
            complete(api, username, tracking_number, bpmn_id, data)
    complete(api, "camat_sepaku", signed, "Task_TandatanganCamat", {"keputusan": "setuju"})
    instance = ProcessInstance.objects.get(tracking_number=signed)
    camat_step = HumanTask.objects.get(instance__tracking_number=waiting, bpmn_id="Task_TandatanganCamat")
    step_due_set(camat_step, camat_step.created_at)  # already late
    return {
        "tn": signed,
        "waiting": waiting,
        "instance_id": instance.pk,
        "office": instance.office.name,
        "step": HumanTask.objects.get(instance=instance, bpmn_id="Task_PenyerahanSurat").pk,
        "camat_step": camat_step.pk,
        "document": RequirementDocument.objects.get(instance=instance).pk,
        "letter": Letter.objects.get(instance=instance).pk,
    }


def _pdf(name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def state() -> dict[str, Any]:
    """Everything a refused attempt could have changed."""
    from portal.delegation.models import Delegation
    from portal.documents.models import RequirementCheck, RequirementDocument
    from portal.letters.models import Letter
    from portal.notifications.models import Notification
    from portal.workflow.models import HumanTask, InstanceEvent, ProcessInstance

    return {
        "instances": list(
            ProcessInstance.objects.order_by("pk").values_list(
                "pk", "status", "updated_at", "last_event_seq", "last_event_hash", "access_pin_hash"
            )
        ),
        "steps": list(HumanTask.objects.order_by("pk").values_list("pk", "status", "assignee_id", "completed_at")),
        "events": InstanceEvent.objects.count(),
        "documents": list(RequirementDocument.objects.order_by("pk").values_list("pk", "sha256")),
        "checks": RequirementCheck.objects.count(),
        "letters": list(Letter.objects.order_by("pk").values_list("pk", "number", "sha256")),
        "notifications": Notification.objects.count(),
        "delegations": Delegation.objects.count(),
    }


# (route name, method, path, body): every route that names a request, a step, a document or a letter.
ATTEMPTS_API: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("request-detail", "get", "/api/v1/requests/{tn}/", None),
    ("request-diagram", "get", "/api/v1/requests/{tn}/diagram/", None),
    ("request-messages", "post", "/api/v1/requests/{tn}/messages/", {"name": "rekomendasi_desa", "data": {}}),
    ("request-documents", "get", "/api/v1/requests/{tn}/documents/", None),
    ("request-documents", "post", "/api/v1/requests/{tn}/documents/", {"requirement": "kk"}),
    ("request-document-download", "get", "/api/v1/requests/{tn}/documents/{document}/", None),
    ("request-checklist", "post", "/api/v1/requests/{tn}/checklist/", {"items": {"ktp": "received"}}),
    ("human-task-claim", "post", "/api/v1/tasks/{step}/claim/", None),
    ("human-task-release", "post", "/api/v1/tasks/{step}/release/", None),
    ("human-task-complete", "post", "/api/v1/tasks/{step}/complete/", {"data": {"dokumen_diserahkan": True}}),
    ("human-task-claim", "post", "/api/v1/tasks/{camat_step}/claim/", None),
    ("human-task-complete", "post", "/api/v1/tasks/{camat_step}/complete/", {"data": {"keputusan": "setuju"}}),
    ("instance-events", "get", "/api/v1/instances/{instance_id}/events/", None),
    ("audit-request-export", "get", "/api/v1/audit/requests/{tn}/export/", None),
    ("letter-pdf", "get", "/api/v1/letters/{letter}/pdf/", None),
    ("incident-retry-api", "post", "/api/v1/incidents/{tn}/retry/", None),
    ("incident-cancel-api", "post", "/api/v1/incidents/{tn}/cancel/", {"reason": "uji"}),
    ("definitions-migration-revert", "post", "/api/v1/definitions/migrations/{tn}/revert/", None),
]
ATTEMPTS_PAGES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("step", "get", "/kerja/langkah/{step}/", None),
    ("step", "post", "/kerja/langkah/{step}/", {"dokumen_diserahkan": "on"}),
    ("step-claim", "post", "/kerja/langkah/{step}/ambil/", {}),
    ("step-release", "post", "/kerja/langkah/{step}/lepas/", {}),
    ("step-upload", "post", "/kerja/langkah/{step}/unggah/", {"requirement": "kk"}),
    ("step", "get", "/kerja/langkah/{camat_step}/", None),
    ("officework-document", "get", "/kerja/permohonan/{tn}/dokumen/{document}/", None),
    ("counter-receipt", "get", "/loket/tanda-terima/{tn}/", None),
    ("counter-pin-reissue", "post", "/loket/tanda-terima/{tn}/pin-baru/", {}),
    ("approval-draft-pdf", "get", "/persetujuan/{camat_step}/draf.pdf", None),
    ("audit-log", "get", "/audit/{tn}/", None),
    ("audit-history-pdf", "get", "/audit/{tn}/riwayat.pdf", None),
    ("incident-retry", "post", "/insiden/{tn}/coba-lagi/", {}),
    ("designer-migrate-undo", "post", "/perancang/sktm/pindah/kembalikan/{tn}/", {}),
    ("incident-cancel", "post", "/insiden/{tn}/batalkan/", {"reason": "uji"}),
]


def _routes_naming_a_record() -> set[str]:
    def walk(patterns: list[Any], prefix: str = "") -> Any:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name and "<" in (route := prefix + str(p.pattern)):
                yield from [p.name] if not route.startswith("admin/") else []

    return set(walk(get_resolver().url_patterns)) - NOT_OFFICE_SCOPED


def test_every_route_that_names_a_record_is_tried() -> None:
    tried = {name for name, *_ in ATTEMPTS_API + ATTEMPTS_PAGES}
    assert _routes_naming_a_record() <= tried, "a new route names a request: add it to the attempts"


def _fill(path: str, ids: dict[str, Any]) -> str:
    return path.format(**ids)


@pytest.mark.parametrize("username", BABULU_OFFICERS)
def test_another_office_s_request_is_refused_everywhere_in_the_api(
    api: Any, sepaku: dict[str, Any], username: str
) -> None:
    client = api(username)
    before = state()
    for name, method, path, body in ATTEMPTS_API:
        url = _fill(path, sepaku)
        data = dict(body or {})
        if name == "request-documents" and method == "post":
            data["file"] = _pdf("kk.pdf")
        kwargs: dict[str, Any] = {"format": "multipart" if "file" in data else "json"} if method == "post" else {}
        response = getattr(client, method)(url, data, **kwargs) if method == "post" else client.get(url)
        assert response.status_code == 403, (username, name, url, response.status_code, response.content[:300])
    assert state() == before


def _page(users: dict[str, Any], username: str) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is a status to report, not an exception
    client.force_login(users[username])
    return client


@pytest.mark.parametrize("username", BABULU_OFFICERS)
def test_another_office_s_request_is_refused_on_every_page(
    users: dict[str, Any], sepaku: dict[str, Any], username: str
) -> None:
    client = _page(users, username)
    before = state()
    for name, method, path, body in ATTEMPTS_PAGES:
        url = _fill(path, sepaku)
        if method == "post":
            data = dict(body or {})
            if name == "step-upload":
                data["file"] = _pdf("kk.pdf")
            response = client.post(url, data)
        else:
            response = client.get(url)
        assert response.status_code in (403, 404), (username, name, url, response.status_code)
        assert sepaku["tn"] not in response.content.decode() or response.status_code == 403, (name, url)
    assert state() == before


@pytest.mark.parametrize("username", BABULU_OFFICERS)
def test_the_refusal_page_says_which_kecamatan_serves_the_request(
    users: dict[str, Any], sepaku: dict[str, Any], username: str
) -> None:
    page = _page(users, username).get(f"/kerja/langkah/{sepaku['step']}/")
    assert page.status_code == 403
    assert "Permohonan ini ditangani Kecamatan Sepaku; Anda bertugas di Kecamatan Babulu." in page.content.decode()
    detail = _page(users, username).get(f"/api/v1/requests/{sepaku['tn']}/")
    assert detail.status_code == 403


@pytest.mark.parametrize("username", BABULU_OFFICERS)
def test_lists_do_not_show_another_office_s_requests(
    api: Any, users: dict[str, Any], sepaku: dict[str, Any], username: str
) -> None:
    client = api(username)
    tasks = client.get("/api/v1/tasks/", {"limit": 200}).json()["results"]
    assert all(t["tracking_number"] not in (sepaku["tn"], sepaku["waiting"]) for t in tasks)
    assert client.get("/api/v1/tasks/", {"tracking_number": sepaku["tn"]}).json()["results"] == []
    approvals = client.get("/api/v1/approvals/")
    assert approvals.status_code in (200, 403)
    if approvals.status_code == 200:
        assert sepaku["camat_step"] not in [a["human_task_id"] for a in approvals.json()["results"]]
    overdue = client.get("/api/v1/tasks/overdue/")  # Sepaku's late camat step is not counted here
    assert overdue.status_code == 403 or overdue.json() == []
    before = state()
    decided = client.post(
        "/api/v1/approvals/", {"human_task_ids": [sepaku["camat_step"]], "decision": "approve"}, format="json"
    )
    if decided.status_code == 200:
        assert [r["ok"] for r in decided.json()] == [False]
    else:
        assert decided.status_code == 403
    pages = _page(users, username)
    for url in ("/kerja/", "/persetujuan/"):
        shown = pages.get(url)
        assert shown.status_code in (200, 403)
        assert sepaku["tn"] not in shown.content.decode() and sepaku["waiting"] not in shown.content.decode()
    pages.post("/persetujuan/", {"human_task_ids": [sepaku["camat_step"]], "decision": "approve"})
    assert state() == before


def test_sepaku_s_own_staff_see_and_act_on_it(api: Any, sepaku: dict[str, Any]) -> None:
    assert api("loket_sepaku").get(f"/api/v1/requests/{sepaku['tn']}/").status_code == 200
    assert api("camat_sepaku").get("/api/v1/tasks/overdue/").json() == [{"role": "camat", "officer": "", "count": 1}]
    claimed = api("loket_sepaku").post(f"/api/v1/tasks/{sepaku['step']}/claim/")
    assert claimed.status_code == 200, claimed.content


def test_the_regency_s_auditor_reads_every_office(api: Any, sepaku: dict[str, Any]) -> None:
    events = api("auditor1").get(f"/api/v1/instances/{sepaku['instance_id']}/events/")
    assert events.status_code == 200 and events.json()


def test_each_office_numbers_its_letters_and_prints_its_own_letterhead(
    api: Any, sepaku: dict[str, Any], deployed: Any
) -> None:
    from portal.letters.models import Letter

    babulu = api("loket1").post(
        "/api/v1/requests/",
        {
            "service": "sktm",
            "applicant": {**SEPAKU_APPLICANT, "desa": "Babulu Darat", "nik": "6409034508900002"},
            "data": {"keperluan": "Beasiswa"},
        },
        format="json",
    )
    tn = babulu.json()["tracking_number"]
    for username, bpmn_id, data in SIGNING:
        complete(api, username.replace("_sepaku", "1"), tn, bpmn_id, data)
    complete(api, "camat1", tn, "Task_TandatanganCamat", {"keputusan": "setuju"})
    sepaku_letter = Letter.objects.get(pk=sepaku["letter"])
    babulu_letter = Letter.objects.get(instance__tracking_number=tn)
    assert "/KEC-SPK/" in sepaku_letter.number and sepaku_letter.sequence == 1
    assert "/KEC-BBL/" in babulu_letter.number and babulu_letter.sequence == 1  # each office counts from one
    assert sepaku_letter.document["office"]["district"] == "KECAMATAN SEPAKU"
    assert babulu_letter.document["office"]["district"] == "KECAMATAN BABULU"
    assert sepaku_letter.signature_lines == ["Camat Sepaku"] and babulu_letter.signature_lines == ["Camat Babulu"]


def test_a_citizen_s_request_goes_to_her_village_s_kecamatan(api: Any, deployed: Any) -> None:
    from portal.workflow.models import ProcessInstance

    tn = register(api, "loket_sepaku")
    assert ProcessInstance.objects.get(tracking_number=tn).office.slug == "sepaku"
    wrong_counter = api("loket1").post(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": SEPAKU_APPLICANT, "data": {"keperluan": "Beasiswa"}},
        format="json",
    )
    assert wrong_counter.status_code == 400
    assert wrong_counter.json()["applicant"]["desa"] == [
        "Desa Tengin Baru termasuk Kecamatan Sepaku; permohonan warganya diajukan di Kecamatan Sepaku."
    ]


def test_an_office_that_takes_other_villages_registers_them(api: Any, deployed: Any) -> None:
    from portal.directory.models import Office
    from portal.workflow.models import ProcessInstance

    Office.objects.filter(slug="babulu").update(accepts_other_villages=True)
    response = api("loket1").post(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": SEPAKU_APPLICANT, "data": {"keperluan": "Beasiswa"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert ProcessInstance.objects.get(tracking_number=response.json()["tracking_number"]).office.slug == "babulu"


def test_an_officer_posted_nowhere_sees_nothing_and_is_told_why(
    api: Any, sepaku: dict[str, Any], users: dict[str, Any]
) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    loose = get_user_model().objects.create_user("loket_lepas", password="x-uji-lepas")
    loose.groups.add(Group.objects.get(name="loket"))
    users["loket_lepas"] = loose
    client = api("loket_lepas")
    assert client.get("/api/v1/tasks/").json()["results"] == []
    refused = client.get(f"/api/v1/requests/{sepaku['tn']}/")
    assert refused.status_code == 403 and "belum ditempatkan" in refused.json()["detail"]


def test_a_camat_cannot_name_a_deputy_of_another_office(api: Any, users: dict[str, Any]) -> None:
    from portal.delegation.models import Delegation

    response = api("camat1").post(
        "/api/v1/delegations/",
        {"deputy": "sekcam_sepaku", "kind": "an", "starts_on": "2026-12-07", "ends_on": "2026-12-08"},
        format="json",
    )
    assert response.status_code == 400
    assert "kecamatan yang sama" in str(response.json())
    assert not Delegation.objects.exists()


def test_authority_of_one_office_does_not_change_another(api: Any, deployed: Any) -> None:
    from datetime import date

    from portal.catalogue.enums import AuthorityStatus
    from portal.catalogue.models import AuthorityRule, RefusedRequest, Service
    from portal.directory.models import Office

    AuthorityRule.objects.create(
        service=Service.objects.get(code="sktm"), kecamatan=Office.objects.get(slug="sepaku"),
        status=AuthorityStatus.NOT_AVAILABLE, office="Dinas Sosial", in_force_from=date(2020, 1, 1),
    )  # fmt: skip
    refused = api("loket_sepaku").post(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": SEPAKU_APPLICANT, "data": {"keperluan": "Beasiswa"}},
        format="json",
    )
    assert refused.status_code == 400 and "service" in refused.json()
    assert RefusedRequest.objects.get().office.slug == "sepaku"
    served: Callable[..., Any] = api("loket1").post
    response = served(
        "/api/v1/requests/",
        {"service": "sktm", "applicant": {**SEPAKU_APPLICANT, "desa": "Babulu Darat"}, "data": {"keperluan": "x1y"}},
        format="json",
    )
    assert response.status_code == 201, response.content
