"""The English catalogue: choosing English translates the pages, Indonesian stays the default."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path
from typing import Any

from django.test import Client

from tests.conftest import ROOT, SKTM_APPLICANT, files_under

MESSAGES = ROOT / "portal" / "locale" / "en" / "LC_MESSAGES"


def english(client: Client) -> Client:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_english(html: str, present: list[str], absent: list[str]) -> None:
    assert 'lang="en"' in html
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_english_home_page(client: Client, deployed: Any) -> None:
    html = page(english(client), "/")
    assert_english(
        html,
        present=[
            "Integrated Sub-district Administrative Services (PATEN)",
            "Penajam Paser Utara Regency",
            "Services and their requirements",
            "Track an application",
            "Skip to content",
            "For developers",
        ],
        absent=[
            "Pelayanan Administrasi Terpadu Kecamatan (PATEN)",
            "Kabupaten Penajam Paser Utara",
            "Daftar layanan dan persyaratannya",
            "Lacak permohonan",
            "Langsung ke isi",
            "Untuk pengembang",
        ],
    )


def test_english_service_list(client: Client, deployed: Any) -> None:
    html = page(english(client), "/layanan/")
    assert_english(
        html,
        present=["PATEN services of Penajam Paser Utara", "Delegated to the camat", '<th scope="col">Fee</th>'],
        absent=["Daftar layanan PATEN Penajam Paser Utara", "Dilimpahkan kepada camat", "Persyaratan, waktu, biaya"],
    )


def test_english_tracking_form(client: Client, db: Any) -> None:
    html = page(english(client), "/lacak/")
    assert_english(
        html,
        present=[
            "Enter the registration number and PIN printed on your application receipt",
            "Registration number",
            "Printed on the receipt, for example 261128-AB3DEF.",
        ],
        absent=["Masukkan nomor registrasi", "Nomor registrasi", "Tertera pada tanda terima"],
    )


def test_english_login_page_and_error(client: Client, users: Any) -> None:
    english(client)
    html = page(client, "/masuk/")
    assert_english(
        html,
        present=["Log in", "Username", "Password", "For kecamatan officers and applicants who have an account."],
        absent=["Nama pengguna", "Kata sandi", "Untuk petugas kecamatan", ">Masuk<"],
    )
    wrong = client.post("/masuk/", {"username": "loket1", "password": "salah"}).content.decode()
    assert "Incorrect username or password." in wrong and "Nama pengguna atau kata sandi salah" not in wrong


def test_english_worklist_of_a_section_head(
    client: Client, users: Any, deployed: Any, api: Any, settings: Any, tmp_path: Path
) -> None:
    from portal.workflow.models import HumanTask

    files_under(settings, tmp_path)
    body = {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Beasiswa sekolah anak"}}
    created = api("loket1").post("/api/v1/requests/", body, format="json")
    assert created.status_code == 201, created.content
    tracking_number = created.json()["tracking_number"]
    check = HumanTask.objects.get(instance__tracking_number=tracking_number, bpmn_id="Task_PeriksaKelengkapan")
    done = api("loket1").post(
        f"/api/v1/tasks/{check.pk}/complete/",
        {"data": {"hasil_pemeriksaan": "lengkap", "catatan": ""}},
        format="json",
    )
    assert done.status_code == 200, done.content

    client.force_login(users["kasi1"])
    html = page(english(client), "/kerja/")
    assert tracking_number in html
    assert_english(
        html,
        present=[
            "<h1>My work</h1>",
            "Steps waiting for your role: the ones you have taken first",
            "Section head",
            "not yet taken",
            "Registration number",
            "Log out",
        ],
        absent=["Pekerjaan saya", "Langkah yang menunggu peran Anda", "Kepala seksi", "belum diambil", "Keluar"],
    )


def test_indonesian_stays_the_default_for_a_new_client(client: Client, deployed: Any) -> None:
    english(Client())  # another visitor's choice does not leak
    html = page(client, "/")
    assert 'lang="id"' in html
    assert "Pelayanan Administrasi Terpadu Kecamatan (PATEN)" in html and "Lacak permohonan" in html
    assert "Integrated Sub-district Administrative Services" not in html
    assert "Nama pengguna" in page(Client(), "/masuk/")


def catalogue_entries(path: Path) -> list[dict[str, Any]]:
    """A tiny PO reader: each entry's flags, msgid, msgid_plural and msgstr (or msgstr[n]) strings."""
    entries: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if current is not None:
                entries.append(current)
            current = None
            continue
        if current is None:
            current = {"flags": [], "strings": {}}
        if line.startswith("#,"):
            current["flags"] += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current["strings"][key] += ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current["strings"][key] = ast.literal_eval(value)
    return entries


def test_the_english_catalogue_is_complete_and_compiled() -> None:
    entries = catalogue_entries(MESSAGES / "django.po")
    messages = [e for e in entries if e["strings"].get("msgid")]
    assert len(messages) > 500
    assert not [e["strings"]["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [
        e["strings"]["msgid"]
        for e in messages
        if any(not value for key, value in e["strings"].items() if key.startswith("msgstr"))
    ]
    assert empty == []

    with (MESSAGES / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Lacak permohonan") == "Track an application"
    assert catalogue.gettext("Petugas loket") == "Counter officer"
    assert catalogue.ngettext("%(days)s hari kerja", "%(days)s hari kerja", 2) == "%(days)s working days"
    # The .mo holds exactly what the .po says (run compilemessages after editing the .po).
    compiled = catalogue._catalog  # type: ignore[attr-defined]
    stale = []
    for e in messages:
        strings = e["strings"]
        if "msgid_plural" in strings:
            forms = sorted(k for k in strings if k.startswith("msgstr["))
            wanted = {(strings["msgid"], n): strings[k] for n, k in enumerate(forms)}
        else:
            wanted = {strings["msgid"]: strings["msgstr"]}
        stale += [msgid for msgid, text in wanted.items() if compiled.get(msgid) != text]
    assert stale == []


def test_letter_text_stays_in_indonesian() -> None:
    with (MESSAGES / "django.mo").open("rb") as mo:
        catalogue = gettext.GNUTranslations(mo)
    assert catalogue.gettext("Kepala Seksi") == "Kepala Seksi"  # printed under "a.n. Camat" on the letter
