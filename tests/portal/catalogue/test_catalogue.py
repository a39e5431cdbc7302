"""Loading standards and the registry, the public pages and JSON, refusals of unavailable services."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import CommandError, call_command

from tests.conftest import SKTM_APPLICANT

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "catalogue"


@pytest.fixture
def catalogue_dir(tmp_path: Path) -> Path:
    for f in FIXTURES.iterdir():
        shutil.copy(f, tmp_path / f.name)
    return tmp_path


def _sync(directory: Path) -> Any:
    from portal.catalogue.services import catalogue_sync
    from portal.directory.services import regions_sync

    regions_sync()  # the kecamatan a maklumat names (a migration's rows, which a transactional test's flush removes)
    return catalogue_sync(directory=directory)


def test_sync_loads_versions_and_is_idempotent(db: Any, catalogue_dir: Path) -> None:
    from portal.catalogue.models import AuthorityRule, Service, ServiceDeclaration, ServiceStandard

    first = _sync(catalogue_dir)
    assert (first.services, first.standards_new, first.authority_rules_new, first.declaration_new) == (2, 2, 2, True)
    again = _sync(catalogue_dir)
    assert (again.standards_new, again.authority_rules_new, again.declaration_new) == (0, 0, False)
    assert Service.objects.count() == 2 and ServiceDeclaration.objects.count() == 1

    path = catalogue_dir / "uji-layanan.standard.yaml"
    content = yaml.safe_load(path.read_text())
    content["fee"]["text"] = "Gratis"
    path.write_text(yaml.safe_dump(content, allow_unicode=True))
    changed = _sync(catalogue_dir)
    assert changed.standards_new == 1
    versions = list(ServiceStandard.objects.filter(service__code="uji-layanan").values_list("version", "is_current"))
    assert sorted(versions) == [(1, False), (2, True)]
    # The registry belongs to the admin once loaded: the file does not overwrite it.
    AuthorityRule.objects.filter(service__code="uji-layanan").update(status="forwarded")
    _sync(catalogue_dir)
    assert AuthorityRule.objects.get(service__code="uji-layanan").status == "forwarded"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c.pop("fee"), "missing fee"),
        (lambda c: c.update(kind="lainnya"), "kind must be one of"),
        (lambda c: c.update(requirements=[{"code": "KTP!", "name": "x"}]), "snake_case code"),
        (lambda c: c.update(completion_time={"text": "cepat"}), "working_days"),
        (lambda c: c.update(code="lain"), "does not match the file name"),
    ],
)
def test_a_bad_standard_is_refused_and_nothing_changes(db: Any, catalogue_dir: Path, mutate: Any, message: str) -> None:
    from portal.catalogue.models import Service

    path = catalogue_dir / "uji-layanan.standard.yaml"
    content = yaml.safe_load(path.read_text())
    mutate(content)
    path.write_text(yaml.safe_dump(content, allow_unicode=True))
    with pytest.raises(CommandError, match=message):
        call_command("catalogue_load", str(catalogue_dir))
    assert Service.objects.count() == 0


def test_every_deployed_service_has_a_published_standard(db: Any) -> None:
    from django.conf import settings

    codes = {p.stem for p in settings.PATEN_PROCESSES_DIR.glob("*.bpmn")}
    standards = {p.name.removesuffix(".standard.yaml") for p in settings.PATEN_PROCESSES_DIR.glob("*.standard.yaml")}
    assert codes <= standards, f"BPMN without a standard: {sorted(codes - standards)}"
    result = _sync(settings.PATEN_PROCESSES_DIR)
    assert result.services == len(standards) >= 12


def test_public_pages_and_json_need_no_login(client: Any, db: Any, catalogue_dir: Path) -> None:
    _sync(catalogue_dir)
    listing = client.get("/layanan/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "Surat Keterangan Uji" in html and "Tidak dapat dilayani di kecamatan" in html
    page = client.get("/layanan/uji-layanan/").content.decode()
    for text in (
        "Surat pengantar Kepala Desa",
        "Pas foto",
        "1 hari kerja",
        "Tidak dipungut biaya",
        "SP4N-LAPOR!",
        "Setiap triwulan",
        "Peraturan Bupati Contoh Nomor 1 Tahun 2020",
        "Senin-Jumat 08.00-15.00 WITA",
    ):
        assert text in page, text
    closed = client.get("/layanan/tutup-layanan/").content.decode()
    assert "DPMPTSP Kabupaten Contoh" in closed and "Ajukan melalui sistem daring instansi." in closed
    assert client.get("/layanan/tidak-ada/").status_code == 404
    maklumat = client.get("/maklumat/").content.decode()
    assert "Kami sanggup menyelenggarakan pelayanan sesuai standar." in maklumat

    services = client.get("/api/v1/services/").json()
    assert {s["code"] for s in services} == {"uji-layanan", "tutup-layanan"}
    detail = client.get("/api/v1/services/uji-layanan/").json()
    assert [r["code"] for r in detail["requirements"]] == ["pengantar_desa", "ktp", "foto"]
    assert detail["fee"]["text"] == "Tidak dipungut biaya" and detail["authority"]["status"] == "delegated"
    assert detail["management"]["performance_review"] == "Setiap triwulan"
    assert client.get("/api/v1/services/tidak-ada/").status_code == 404


def test_procedure_is_drawn_from_the_bpmn(client: Any, db: Any, deployed: Any) -> None:
    from django.conf import settings

    _sync(settings.PATEN_PROCESSES_DIR)
    detail = client.get("/api/v1/services/sktm/").json()
    names = [s["name"] for s in detail["steps"]]
    assert names[0] == "Periksa kelengkapan berkas"
    assert any(s["role"] == "camat" for s in detail["steps"]) and detail["online"] is True
    page = client.get("/layanan/sktm/").content.decode()
    assert "Periksa kelengkapan berkas" in page and "Camat" in page


def test_a_not_available_service_is_refused_with_where_to_go_and_counted(
    api: Any, users: Any, deployed: Any, catalogue_dir: Path
) -> None:
    from django.conf import settings

    from portal.catalogue.models import AuthorityRule, RefusedRequest
    from portal.workflow.models import ProcessInstance

    _sync(settings.PATEN_PROCESSES_DIR)
    rule = AuthorityRule.objects.filter(service__code="sktm").first()
    assert rule is not None
    rule.status, rule.office, rule.note = "not_available", "DPMPTSP Kabupaten Penajam Paser Utara", "Bawa KTP asli."
    rule.save()
    body = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Sekolah"}}
    for _ in range(2):
        refused = api("loket1").post("/api/v1/requests/", body, format="json")
        assert refused.status_code == 400
        message = refused.json()["service"][0]
        assert (
            "tidak dapat diproses di Kecamatan Babulu" in message
            and "DPMPTSP" in message
            and "Bawa KTP asli." in message
        )
    assert ProcessInstance.objects.count() == 0
    assert RefusedRequest.objects.filter(service__code="sktm").count() == 2

    counts = api("camat1").get("/api/v1/services/refusals/").json()
    assert [(c["service"], c["count"]) for c in counts] == [("sktm", 2)]
    assert api("loket1").get("/api/v1/services/refusals/").status_code == 403

    rule.status = "delegated"
    rule.save()
    assert api("loket1").post("/api/v1/requests/", body, format="json").status_code == 201


def _first_steps_after_counter(api: Any, tn: str) -> list[tuple[str, str]]:
    counter = api("loket1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"][0]
    done = api("loket1").post(
        f"/api/v1/tasks/{counter['id']}/complete/", {"data": {"hasil_pemeriksaan": "lengkap"}}, format="json"
    )
    return [(s["bpmn_id"], s["role"]) for s in done.json()["current_steps"]]


def test_switching_the_registry_changes_what_a_new_request_does(api: Any, deployed: Any) -> None:
    from portal.catalogue.models import RefusedRequest
    from tests.conftest import authority_set

    body = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Berobat"}}
    delegated = api("loket1").post("/api/v1/requests/", body, format="json").json()["tracking_number"]
    assert _first_steps_after_counter(api, delegated) == [("Task_VerifikasiData", "kasi")]

    authority_set("sktm", "forwarded", office="Dinas Sosial Kabupaten Penajam Paser Utara")
    forwarded = api("loket1").post("/api/v1/requests/", body, format="json").json()["tracking_number"]
    assert _first_steps_after_counter(api, forwarded) == [("Task_TeruskanBerkas", "loket")]

    authority_set("sktm", "not_available", office="Dinas Sosial Kabupaten Penajam Paser Utara")
    refused = api("loket1").post("/api/v1/requests/", body, format="json")
    assert refused.status_code == 400 and "Dinas Sosial" in refused.json()["service"][0]
    assert RefusedRequest.objects.filter(service__code="sktm").count() == 1
    # Requests registered before the switch keep the path they started on.
    still = api("kasi1").get("/api/v1/tasks/", {"tracking_number": delegated}).json()["results"]
    assert [t["bpmn_id"] for t in still] == ["Task_VerifikasiData"]


def test_every_published_service_is_on_the_public_list_and_in_json(client: Any, deployed: Any) -> None:
    from django.conf import settings

    standards = sorted(
        p.name.removesuffix(".standard.yaml") for p in settings.PATEN_PROCESSES_DIR.glob("*.standard.yaml")
    )
    services = {s["code"]: s for s in client.get("/api/v1/services/").json()}
    assert sorted(services) == standards
    html = client.get("/layanan/").content.decode()
    for code in standards:
        assert services[code]["name"] in html
        detail = client.get(f"/api/v1/services/{code}/").json()
        assert detail["requirements"] and detail["procedure"] and detail["completion_time"]["text"]
        assert all(detail["management"][k] for k in ("legal_basis", "facilities", "staff_count", "performance_review"))
        assert client.get(f"/layanan/{code}/").status_code == 200
    assert services["imb-kecil"]["authority"]["status"] == "not_available" and not services["imb-kecil"]["online"]
    assert services["pengantar-ktp-kk"]["authority"]["status"] == "forwarded"
    assert services["sktm"]["online"] is True
