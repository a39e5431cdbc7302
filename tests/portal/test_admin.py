"""The Django admin at /admin/: no page answers 500, records the services write stay as they were
written (no add, change or delete), and every name it shows is Indonesian, written through gettext."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, label_for_field
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from tests.conftest import files_under
from tests.portal.citizen.conftest import run_to_completion
from tests.portal.documents.samples import REQUESTS, pdf_bytes
from tests.portal.web.test_english import MESSAGES, catalogue_entries

# Rows the services write, most of them audit records: the admin shows them and nothing more.
AUDITED = [
    "audit.checkpoint",
    "audit.recordview",
    "audit.verificationrun",
    "catalogue.refusedrequest",
    "catalogue.servicedeclaration",
    "core.attempt",
    "core.lockout",
    "delegation.delegation",
    "designer.draft",
    "delegation.delegationrecord",
    "documents.requirementcheck",
    "documents.requirementdocument",
    "letters.letter",
    "letters.lettersequence",
    "notifications.notification",
    "operations.heartbeat",
    "survey.surveyresponse",
    "workflow.definitionevent",
    "workflow.definitionpart",
    "workflow.humantask",
    "workflow.humantaskhistory",
    "workflow.instanceevent",
    "workflow.instancemigration",
    "workflow.processdefinition",
    "workflow.processinstance",
    "workflow.timerschedule",
]
# Reference data the administrator keeps (Django's and DRF's own models included).
EDITABLE = [
    "auth.group",
    "auth.user",
    "catalogue.authorityrule",
    "catalogue.service",
    "catalogue.servicestandard",
    "directory.office",
    "directory.staff",
    "directory.village",
    "letters.lettertemplate",
    "officecalendar.calendaroverride",
    "officecalendar.ramadanhours",
    "survey.surveyelement",
    "survey.surveygrade",
]
SKTM = {
    "service_code": "sktm",
    "applicant": {"nik": "6409034508900002", "name": "Siti Aminah", "desa": "Babulu Darat", "phone": "081234567890"},
    "data": {"keperluan": "Beasiswa", "nomor_pengantar_desa": "1", "jumlah_tanggungan": 3},
}


def registry() -> dict[str, tuple[type[models.Model], admin.ModelAdmin[Any]]]:
    return {model._meta.label_lower: (model, model_admin) for model, model_admin in admin.site._registry.items()}


def url(model: type[models.Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def counts() -> dict[str, int]:
    return {label: model._default_manager.count() for label, (model, _) in registry().items()}


@pytest.fixture
def populated(users: dict[str, Any], deployed: Any, api: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    """At least one row of every model in the admin, written by a real sktm request and the services."""
    import importlib

    from django.apps import apps

    from portal.catalogue.models import Service
    from portal.catalogue.services import refusal_record
    from portal.delegation.services import delegation_create
    from portal.officecalendar.models import RamadanHours
    from portal.officecalendar.services import calendar_override_set
    from portal.survey.models import SurveyElement
    from portal.survey.services import survey_submit
    from portal.workflow.services.registration import request_register

    files_under(settings, tmp_path)
    # The survey's elements come from a data migration; load them again in case a flush removed them.
    importlib.import_module("portal.survey.migrations.0002_skm_elements").load(apps, None)

    instance = request_register(**SKTM, actor=users["loket1"])
    tn = instance.tracking_number
    ktp = SimpleUploadedFile("ktp.pdf", pdf_bytes(), content_type="application/pdf")
    uploaded = api("loket1").post(f"{REQUESTS}{tn}/documents/", {"requirement": "ktp", "file": ktp}, format="multipart")
    assert uploaded.status_code == 201, uploaded.content
    checked = api("loket1").post(f"{REQUESTS}{tn}/checklist/", {"items": {"ktp": "received"}}, format="json")
    assert checked.status_code == 200, checked.content
    run_to_completion(api, tn)  # steps, the camat's timer, the signed letter, notifications
    instance.refresh_from_db()
    # A second request, finished and archived: its steps are in the history table.
    from portal.workflow.services.archive import request_archive

    archived = request_register(**SKTM, actor=users["loket1"])
    run_to_completion(api, archived.tracking_number)
    later = timezone.now() + dt.timedelta(days=1)
    assert request_archive(instance_id=archived.pk, before=later, now=later)
    codes = SurveyElement.objects.filter(is_active=True).values_list("code", flat=True)
    survey_submit(instance=instance, answers=dict.fromkeys(codes, 4), via="pin")
    today = timezone.localdate()
    delegation_create(
        actor=users["camat1"], deputy=users["sekcam1"], kind="plh", starts_on=today.isoformat(),
        ends_on=(today + dt.timedelta(days=2)).isoformat(), reason="Dinas luar",
    )  # fmt: skip
    refusal_record(service=Service.objects.get(code="sktm"), rule=None, actor=users["loket1"], now=timezone.now())
    # A decision table deployed: a shared file's version.
    from portal.workflow.services.definitions import definitions_deploy
    from tests.engine.test_designer_elements import KERAMAIAN_DMN

    definitions_deploy(files=[("decisions/rekomendasi_acara.dmn", KERAMAIAN_DMN)], by_name="perancang1")
    # A designer's draft, deployed as sktm's next version, and a running request moved onto it.
    from portal.designer.services import draft_deploy, draft_save
    from portal.workflow.services.migration import instance_migrate
    from tests.migration_setup import sktm_shortened

    running = request_register(**SKTM, actor=users["loket1"])
    draft = draft_save(kind="service", code="sktm", source=sktm_shortened().decode(), author=users["perancang1"])
    deployed_draft = draft_deploy(draft_id=draft.pk, actor=users["perancang1"], note="tanpa paraf")
    instance_migrate(instance_id=running.pk, to_definition_id=deployed_draft.version.pk, actor=users["perancang1"])
    # The office's calendar decisions, years away so the request above counted with the usual days.
    calendar_override_set(day=dt.date(2031, 1, 2), open=False, reason="Acara daerah", by=users["admin"])
    RamadanHours.objects.create(hijri_year=1452, start=dt.date(2031, 1, 24), end=dt.date(2031, 2, 22))
    # Tries and a lockout: five wrong passwords from one address (the throttle's records).
    from portal.accounts.throttle import login_record

    for _ in range(5):
        login_record(username="camat1", client_ip="203.0.113.9", succeeded=False)

    # The audit log: a checkpoint signed, a verification run, an auditor's reading on record.
    from portal.audit.checkpoints import checkpoint_issue, key_create
    from portal.audit.services import record_viewed, verification_run

    settings.PATEN_AUDIT_KEY_FILE = tmp_path / "checkpoint.key"
    key_create()
    checkpoint_issue()
    verification_run(trigger="admin")
    record_viewed(viewer=users["auditor1"], instance=instance, what="history")

    # A background sweep's heartbeat, as a worker writes it.
    from portal.operations.services import heartbeat_finish, heartbeat_start

    heartbeat_finish(
        name="tasks.core.prune_attempts_task",
        started_at=heartbeat_start(name="tasks.core.prune_attempts_task", host="test"),
    )

    empty = [label for label, n in counts().items() if n == 0]
    assert empty == [], "no row to open in the admin"
    return {"instance": instance, "users": users}


@pytest.fixture
def staff(users: dict[str, Any]) -> Client:
    client = Client(raise_request_exception=False)  # a 500 is a status to report, not an exception
    client.force_login(users["admin"])
    return client


def test_every_model_in_the_admin_is_classified() -> None:
    assert sorted(registry()) == sorted(AUDITED + EDITABLE)


def test_every_admin_page_answers(populated: dict[str, Any], staff: Client) -> None:
    failures = []
    pages = ["/admin/", *{f"/admin/{label.split('.')[0]}/" for label in registry()}]
    for model, model_admin in registry().values():
        pages.append(url(model, "changelist"))
        if model_admin.search_fields:
            pages.append(url(model, "changelist") + "?q=Siti")
        if model._meta.label_lower in EDITABLE:
            pages.append(url(model, "add"))
        row = model._default_manager.order_by("pk").first()
        pages.append(url(model, "change", row.pk))
        pages.append(url(model, "history", row.pk))
    for page in pages:
        response = staff.get(page)
        if response.status_code != 200:
            failures.append((page, response.status_code))
    assert failures == []


def test_the_admin_speaks_indonesian(populated: dict[str, Any], staff: Client) -> None:
    html = staff.get("/admin/").content.decode()
    assert 'lang="id"' in html
    for name in ("Pemberitahuan", "Surat", "Alur layanan", "Pelimpahan tanda tangan", "Kalender kerja kantor"):
        assert name in html, name
    listing = staff.get("/admin/notifications/notification/").content.decode()
    assert "Penerima" in listing and "Dibuat" in listing


def test_an_empty_add_form_saves_nothing(populated: dict[str, Any], staff: Client) -> None:
    before = counts()
    failures = []
    for label, (model, _) in registry().items():
        response = staff.post(url(model, "add"), {})
        expected = 403 if label in AUDITED else 200  # 200: the form again, with what is missing
        if response.status_code != expected:
            failures.append((label, response.status_code))
    assert failures == []
    assert counts() == before


def _template_content(service_code: str) -> Any:
    from portal.letters.models import LetterTemplate

    return LetterTemplate.objects.filter(service_code=service_code).order_by("-id").first().content


def test_bad_input_on_an_editable_form_comes_back_on_the_form(populated: dict[str, Any], staff: Client) -> None:
    import json

    from portal.catalogue.models import Service, ServiceStandard
    from portal.letters.models import LetterTemplate

    sktm = Service.objects.get(code="sktm")
    standard = ServiceStandard.objects.get(service=sktm, is_current=True)
    template = LetterTemplate.objects.filter(service_code="sktm").order_by("-id").first()
    # Another service's template with sktm's classification would print the same letter numbers.
    clash = json.dumps({**_template_content("sku"), "classification": _template_content("sktm")["classification"]})
    cases = [
        ("/admin/catalogue/servicestandard/add/", {"service": sktm.pk, "content": "{not json"}),
        ("/admin/catalogue/servicestandard/add/", {"service": sktm.pk, "content": "1"}),
        ("/admin/catalogue/servicestandard/add/", {"service": sktm.pk, "content": '{"code": "sktm"}'}),
        (
            "/admin/catalogue/servicestandard/add/",
            {"service": sktm.pk, "content": json.dumps(standard.content | {"code": "sku"})},
        ),
        (f"/admin/catalogue/servicestandard/{standard.pk}/change/", {"content": '["a list"]'}),
        (f"/admin/catalogue/servicestandard/{standard.pk}/change/", {"content": '{"code": "sktm", "kind": 3}'}),
        ("/admin/letters/lettertemplate/add/", {"service_code": "sku", "content": "{not json"}),
        ("/admin/letters/lettertemplate/add/", {"service_code": "sku", "content": "[]"}),
        ("/admin/letters/lettertemplate/add/", {"service_code": "Bukan Kode", "content": json.dumps(template.content)}),
        ("/admin/letters/lettertemplate/add/", {"service_code": "sku", "content": clash}),
        (f"/admin/letters/lettertemplate/{template.pk}/change/", {"service_code": "sku", "content": clash}),
        ("/admin/officecalendar/calendaroverride/add/", {"day": "2026-13-40", "open": "on", "reason": "x"}),
        ("/admin/officecalendar/calendaroverride/add/", {"day": "2026-03-02", "opens_at": "12:00", "reason": "x"}),
        ("/admin/officecalendar/ramadanhours/add/", {"hijri_year": "1448", "start": "2027-02-01", "end": "2026-01-01"}),
        ("/admin/survey/surveygrade/add/", {"grade": "Z", "label": "x", "lower": "abc", "upper": "1e999"}),
        ("/admin/directory/village/add/", {"code": "x" * 50, "name": "", "kind": "desa"}),
    ]
    before = counts()
    failures = []
    for page, data in cases:
        response = staff.post(page, data)
        if response.status_code != 200 or not response.context["errors"]:
            failures.append((page, data, response.status_code))
    assert failures == []
    assert counts() == before


def test_an_edited_letter_template_is_saved_as_a_new_version(populated: dict[str, Any], staff: Client) -> None:
    import json

    from portal.letters.models import LetterTemplate

    # given the sktm template with a new title
    content = {**_template_content("sktm"), "title": "SURAT KETERANGAN TIDAK MAMPU (BARU)"}
    before = LetterTemplate.objects.count()
    # when it is saved through the add form
    response = staff.post(
        "/admin/letters/lettertemplate/add/", {"service_code": "sktm", "content": json.dumps(content)}
    )
    # then a new version is stored and used
    assert response.status_code == 302
    assert LetterTemplate.objects.count() == before + 1
    assert _template_content("sktm")["title"] == "SURAT KETERANGAN TIDAK MAMPU (BARU)"


def test_a_revised_standard_is_published_as_a_new_version(populated: dict[str, Any], staff: Client) -> None:
    import json

    from portal.catalogue.models import ServiceStandard

    current = ServiceStandard.objects.get(service__code="sktm", is_current=True)
    content = {**current.content, "fee": {"amount": 0, "text": "Gratis, tanpa biaya"}}
    response = staff.post(f"/admin/catalogue/servicestandard/{current.pk}/change/", {"content": json.dumps(content)})
    assert response.status_code == 302
    revised = ServiceStandard.objects.get(service__code="sktm", is_current=True)
    assert revised.version == current.version + 1 and revised.content["fee"]["text"] == "Gratis, tanpa biaya"


@pytest.mark.parametrize("label", AUDITED)
def test_an_audited_record_cannot_be_added_changed_or_deleted(
    label: str, populated: dict[str, Any], staff: Client
) -> None:
    model, model_admin = registry()[label]
    row = model._default_manager.order_by("pk").first()
    request = RequestFactory().get("/admin/")
    request.user = populated["users"]["admin"]
    before = counts()

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    assert "delete_selected" not in model_admin.get_actions(request)
    for inline in model_admin.get_inline_instances(request, row):
        assert not inline.has_add_permission(request, row)
        assert not inline.has_change_permission(request, row)
        assert not inline.has_delete_permission(request, row) or not inline.can_delete

    listing = staff.get(url(model, "changelist"))
    assert listing.status_code == 200
    assert "delete_selected" not in listing.content.decode()
    assert staff.get(url(model, "delete", row.pk)).status_code == 403
    assert staff.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert staff.post(url(model, "change", row.pk), {}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [row.pk], "index": "0", "post": "yes"}
    assert staff.post(url(model, "changelist"), bulk).status_code < 500
    assert counts() == before


def names_shown(model: type[models.Model], model_admin: admin.ModelAdmin[Any]) -> list[tuple[str, Any]]:
    """(where, name) for the model's names, its fields and the admin's columns, filters and searches."""
    meta = model._meta
    label = meta.label_lower
    names: list[tuple[str, Any]] = [
        (f"{label} verbose_name", meta.verbose_name),
        (f"{label} verbose_name_plural", meta.verbose_name_plural),
    ]
    # The view page shows every field, so each needs its own name (not the one Django derives).
    names += [(f"{label}.{f.name}", f.verbose_name) for f in meta.concrete_fields if not f.auto_created]
    for column in model_admin.list_display:
        if column != "__str__":
            names.append((f"{label} list_display {column}", label_for_field(column, model, model_admin)))
    for entry in model_admin.list_filter:
        if isinstance(entry, (tuple, list)):
            entry = entry[0]
        if isinstance(entry, str):
            names.append((f"{label} list_filter {entry}", get_fields_from_path(model, entry)[-1].verbose_name))
        else:
            names.append((f"{label} list_filter {entry.__name__}", entry.title))
    for search in model_admin.search_fields:
        path = search.lstrip("^=@")
        names.append((f"{label} search {search}", get_fields_from_path(model, path)[-1].verbose_name))
    return names


def _portal_admins() -> list[tuple[type[models.Model], admin.ModelAdmin[Any]]]:
    return [(m, a) for m, a in registry().values() if m._meta.app_config.name.startswith("portal.")]


def test_every_name_the_admin_shows_goes_through_gettext() -> None:
    not_lazy = [
        (where, name)
        for model, model_admin in _portal_admins()
        for where, name in names_shown(model, model_admin)
        if not isinstance(name, Promise)
    ]
    assert not_lazy == []


@pytest.mark.parametrize(
    "app_label",
    sorted({label.split(".")[0] for label in AUDITED + EDITABLE} - {"auth"}),
)
def test_every_app_in_the_admin_has_an_indonesian_name(app_label: str) -> None:
    from django.apps import apps

    assert isinstance(apps.get_app_config(app_label).verbose_name, Promise)


def test_every_name_the_admin_shows_is_in_the_english_catalogue() -> None:
    from django.apps import apps

    msgids = {e["strings"]["msgid"] for e in catalogue_entries(MESSAGES / "django.po") if e["strings"].get("msgid")}
    with translation.override(None):  # the message itself, not a translation of it
        shown = [(where, str(name)) for m, a in _portal_admins() for where, name in names_shown(m, a)]
        shown += [
            (f"app {label}", str(apps.get_app_config(label).verbose_name))
            for label in {m._meta.app_label for m, _ in _portal_admins()}
        ]
    missing = sorted((where, text) for where, text in shown if text not in msgids)
    assert missing == []


def test_a_refusal_the_form_could_not_foresee_comes_back_as_a_message(
    populated: dict[str, Any], staff: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from django.contrib.admin.models import LogEntry

    from portal.letters.models import LetterTemplate

    # given another administrator stored a clashing template after this form was checked
    monkeypatch.setattr("portal.letters.services.letter_template_problems", lambda **kwargs: [])
    clash = {**_template_content("sku"), "classification": _template_content("sktm")["classification"]}
    before, logged = LetterTemplate.objects.count(), LogEntry.objects.count()
    # when the form is saved
    page = "/admin/letters/lettertemplate/add/"
    response = staff.post(page, {"service_code": "sku", "content": json.dumps(clash)}, follow=True)
    # then the same form comes back with the service's refusal, and nothing is stored or logged
    assert response.redirect_chain == [(page, 302)]
    assert "klasifikasi" in " ".join(str(m) for m in response.context["messages"])
    assert LetterTemplate.objects.count() == before and LogEntry.objects.count() == logged
