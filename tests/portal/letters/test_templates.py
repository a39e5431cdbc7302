"""Loading `<code>.letter.yaml`: new versions only on change, a bad file refused with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from .conftest import FIXTURES


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "processes"
    target.mkdir()
    for path in FIXTURES.glob("*.letter.yaml"):
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture
def empty(db: Any) -> None:
    from portal.letters.models import LetterTemplate

    LetterTemplate.objects.all().delete()


def _latest(code: str) -> Any:
    from portal.letters.selectors import letter_template_latest

    return letter_template_latest(service_code=code)


def test_sync_stores_a_version_only_when_a_file_changed(empty: None, folder: Path) -> None:
    from portal.letters.models import LetterTemplate
    from portal.letters.services import letter_templates_sync

    assert letter_templates_sync(directory=folder) == 2
    assert letter_templates_sync(directory=folder) == 0
    sktm = _latest("sktm")
    assert sktm.content["title"] == "SURAT KETERANGAN TIDAK MAMPU" and sktm.source == "sktm.letter.yaml"
    assert sktm.content["paragraphs"][1] == {
        "fields": [["Nama", "{{ applicant.name }}"], ["NIK", "{{ applicant.nik }}"], ["Desa", "{{ applicant.desa }}"]]
    }
    path = folder / "sktm.letter.yaml"
    path.write_text(path.read_text().replace("SURAT KETERANGAN TIDAK MAMPU", "SURAT KETERANGAN MISKIN"))
    assert letter_templates_sync(directory=folder) == 1
    assert _latest("sktm").content["title"] == "SURAT KETERANGAN MISKIN"
    assert LetterTemplate.objects.filter(service_code="sktm").count() == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("title: X\nclassification: '1'\nparagraphs:\n  - 'Nama {{ applicant.name }'\n",
         "sktm.letter.yaml: paragraphs[0]: ada {{, {% atau {# tanpa penutup"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - 'Nama {{ }}'\n",
         "sktm.letter.yaml: paragraphs[0]: sintaks templat salah: Empty variable tag on line 1"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - '{% if a %}tanpa penutup'\n",
         "sktm.letter.yaml: paragraphs[0]: sintaks templat salah: Unclosed tag on line 1: 'if'"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - fields: [[Nama, '{{ a|nofilter }}']]\n",
         "sktm.letter.yaml: paragraphs[0].fields[0][1]: sintaks templat salah: Invalid filter: 'nofilter'"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - '{{ applicant.name|safe }}'\n", "Invalid filter: 'safe'"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - \"{% include 'x.html' %}\"\n",
         "Invalid block tag on line 1: 'include'"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - '{% autoescape off %}{{ a }}{% endautoescape %}'\n",
         "Invalid block tag on line 1: 'autoescape'"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - '<img src=\"/etc/passwd\"/>'\n",
         "penanda <img src=\"/etc/passwd\"/> tidak diizinkan"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - Camat menerangkan bahwa:\n",
         "teks yang diakhiri titik dua dibaca YAML sebagai kunci; beri tanda kutip"),
        ("title: X\nclassification: 474\nparagraphs: [a]\n", 'classification: wajib berupa teks dalam tanda kutip'),
        ("title: X\nclassification: '4/7'\nparagraphs: [a]\n", "classification: hanya boleh berisi huruf, angka"),
        ("title: X\nclassification: '1'\nparagraphs: []\n", "paragraphs: wajib berupa daftar yang tidak kosong"),
        ("title: X\nclassification: '1'\nparagraphs: [a]\nfooter: b\n", "kunci tidak dikenal: footer"),
        ("classification: '1'\nparagraphs: [a]\n", "kunci wajib tidak ada: title"),
        ("title: X\n  bad: [indent\n", "sktm.letter.yaml: YAML tidak valid"),
        ("title: X\nclassification: '1'\nparagraphs:\n  - fields: [[Nama]]\n", "fields[0]: harus berupa pasangan"),
    ],
)  # fmt: skip
def test_a_bad_template_is_refused_and_nothing_changes(empty: None, folder: Path, text: str, message: str) -> None:
    from portal.letters.errors import LetterTemplateInvalid
    from portal.letters.models import LetterTemplate
    from portal.letters.services import letter_templates_sync

    letter_templates_sync(directory=folder)
    before = list(LetterTemplate.objects.values_list("pk", "sha256"))
    (folder / "sku.letter.yaml").write_text(
        (folder / "sku.letter.yaml").read_text().replace("SURAT KETERANGAN USAHA", "SURAT USAHA")
    )  # a valid change in the same run is not stored either
    (folder / "sktm.letter.yaml").write_text(text)
    with pytest.raises(LetterTemplateInvalid) as caught:
        letter_templates_sync(directory=folder)
    assert message in str(caught.value), caught.value.problems
    assert list(LetterTemplate.objects.values_list("pk", "sha256")) == before
    assert _latest("sku").content["title"] == "SURAT KETERANGAN USAHA"


def test_two_services_with_one_classification_are_refused(empty: None, folder: Path) -> None:
    from portal.letters.errors import LetterTemplateInvalid
    from portal.letters.models import LetterTemplate
    from portal.letters.services import letter_templates_sync

    (folder / "domisili.letter.yaml").write_text("title: SURAT DOMISILI\nclassification: '474'\nparagraphs: [a]\n")
    with pytest.raises(LetterTemplateInvalid, match="klasifikasi 474 dipakai oleh lebih dari satu layanan"):
        letter_templates_sync(directory=folder)
    assert not LetterTemplate.objects.exists()


def test_the_command_loads_a_folder_and_reports_problems(empty: None, folder: Path, capsys: Any) -> None:
    from django.core.management.base import CommandError

    call_command("letter_templates_sync", str(folder))
    assert "letter templates: 2 new versions" in capsys.readouterr().out
    (folder / "sku.letter.yaml").write_text("title: X\nclassification: '9'\nparagraphs: ['{% for %}']\n")
    with pytest.raises(CommandError, match="nothing loaded"):
        call_command("letter_templates_sync", str(folder))
    assert "sku.letter.yaml: paragraphs[0]: sintaks templat salah" in capsys.readouterr().err


def test_admin_saves_an_edited_template_as_a_new_version(empty: None, folder: Path, users: Any) -> None:
    import json

    from django.test import Client

    from portal.letters.models import LetterTemplate
    from portal.letters.services import letter_templates_sync

    letter_templates_sync(directory=folder)
    original = _latest("sku")
    client = Client()
    client.force_login(users["admin"])
    assert client.get("/admin/letters/lettertemplate/").status_code == 200
    content = {**original.content, "title": "SURAT KETERANGAN USAHA MIKRO"}
    url = f"/admin/letters/lettertemplate/{original.pk}/change/"
    refused = client.post(url, {"service_code": "sku", "content": json.dumps({**content, "paragraphs": ["{% if %}"]})})
    assert refused.status_code == 200 and "sintaks templat salah" in refused.content.decode()
    saved = client.post(url, {"service_code": "sku", "content": json.dumps(content)})
    assert saved.status_code == 302
    assert _latest("sku").content["title"] == "SURAT KETERANGAN USAHA MIKRO"
    assert LetterTemplate.objects.get(pk=original.pk).content == original.content
    assert _latest("sku").source == "admin:admin"
