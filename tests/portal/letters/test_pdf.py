"""The letter PDF: letterhead, number, title, body, date, signature wording, QR of the verification link."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings

from .conftest import PUBLIC_URL, wita
from .pdfcheck import pdf_text, qr_dark_modules, qr_expected

SIGNING_STEPS = [
    ("loket1", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap", "catatan": ""}),
    ("kasi1", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi1", "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."}),
    ("sekcam1", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
]


def babulu() -> Any:
    from portal.directory.models import Office
    from portal.directory.services import regions_sync

    regions_sync()  # reference data from a migration; a transactional test's flush removes it
    return Office.objects.get(slug="babulu")


def test_a_letter_signed_at_the_signing_step_shows_what_it_must(
    templates: Any, register: Any, users: Any, letters_dir: Any
) -> None:
    from django.db import transaction

    from portal.letters.selectors import letter_pdf_bytes
    from portal.letters.services import capacity_for, letter_issue, letter_render
    from portal.workflow.models import HumanTask
    from portal.workflow.services.human_tasks import human_task_complete

    from .conftest import workflow_data

    instance = register("sktm")
    for username, bpmn_id, data in SIGNING_STEPS:
        task = HumanTask.objects.get(instance=instance, bpmn_id=bpmn_id, status="ready")
        human_task_complete(human_task_id=task.pk, actor=users[username], data=data)
    signing = HumanTask.objects.get(instance=instance, bpmn_id="Task_TandatanganCamat", status="ready")
    camat = users["camat1"]
    with transaction.atomic():
        numbered = letter_issue(
            instance=instance, human_task=signing, signer=camat, capacity=capacity_for(camat),
            data=workflow_data(instance), now=wita(2026, 11, 27, 10, 15),
        )  # fmt: skip
    assert numbered.rendered_at is None and numbered.sha256 == ""  # drawn after the signing commits
    letter = letter_render(letter_id=numbered.pk)

    assert letter.number == "474/0001/KEC-BBL/XI/2026"
    assert letter.signer_capacity == "camat" and letter.signature_lines == ["Camat Babulu"]
    assert letter.signer_name == "Ahmad Camat"
    path = letters_dir / letter.file_path
    assert path.parent == letters_dir / "2026" / "sktm" and path.suffix == ".pdf"
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == letter.sha256 == hashlib.sha256(letter_pdf_bytes(letter)).hexdigest()

    text = pdf_text(content)
    for expected in [
        "PEMERINTAH KABUPATEN PENAJAM PASER UTARA", "KECAMATAN BABULU", babulu().address,
        "SURAT KETERANGAN TIDAK MAMPU", "Nomor: 474/0001/KEC-BBL/XI/2026", "Siti Aminah", "6409034508900002",
        "Babulu Darat", "dengan 4 orang tanggungan", "keperluan Beasiswa sekolah anak", "Babulu, 27 November 2026",
        "Camat Babulu", "Ahmad Camat",
    ]:  # fmt: skip
        assert expected in text, expected
    assert "a.n." not in text and "Plh." not in text

    url = f"{PUBLIC_URL}/verifikasi/{letter.verification_token}/"
    assert url in text.replace("\n", "")
    count, dark = qr_expected(url)
    assert qr_dark_modules(content, count) == dark


def test_signing_for_the_camat_says_so(templates: Any, register: Any, issue: Any, users: Any) -> None:
    from portal.letters.services import capacity_for, signature_lines

    assert capacity_for(users["camat1"]) == "camat"
    assert capacity_for(users["sekcam1"]) == "atas_nama"
    assert capacity_for(users["sekcam1"], delegation=object()) == "plh"
    assert signature_lines("camat", office=babulu().letterhead()) == ["Camat Babulu"]
    assert signature_lines("atas_nama", office=babulu().letterhead()) == ["a.n. Camat Babulu", "Sekretaris Kecamatan"]
    assert signature_lines("plh", office=babulu().letterhead()) == ["Plh. Camat Babulu"]

    deputy = issue(register("sktm"), wita(2026, 11, 27, 9), signer="sekcam1", capacity="atas_nama")
    text = pdf_text((settings.PATEN_LETTERS_DIR / deputy.file_path).read_bytes())
    assert "a.n. Camat Babulu\nSekretaris Kecamatan\nSri Sekcam" in text
    assert deputy.signature_lines == ["a.n. Camat Babulu", "Sekretaris Kecamatan"]

    acting = issue(register("sktm"), wita(2026, 11, 27, 10), signer="sekcam1", capacity="plh")
    text = pdf_text((settings.PATEN_LETTERS_DIR / acting.file_path).read_bytes())
    assert "Plh. Camat Babulu\nSri Sekcam" in text


def test_the_same_letter_renders_to_the_same_bytes_and_data_cannot_inject_markup(db: Any) -> None:
    from portal.letters.pdf import LetterDocument, letter_pdf
    from portal.letters.templating import blocks_render

    content = {
        "title": "SURAT UJI & COBA",
        "classification": "000",
        "paragraphs": [
            "Nama: {{ applicant.name }}; catatan: {{ catatan|default:'<img src=\"/etc/passwd\"/>' }}",
            {"fields": [["Alamat <i>", "{{ alamat }}"]]},
        ],
    }
    data = {"applicant": {"name": "Siti <img src='/etc/passwd'/> & <b>Co</b> Ā"}, "alamat": "Jl. <u>Poros</u>"}
    blocks = blocks_render(content, data)
    doc = LetterDocument(
        office=babulu().letterhead(), title=content["title"], number="000/0001/KEC-BBL/XI/2026", blocks=blocks,
        place_and_date="Babulu, 27 November 2026", signature_lines=["Camat Babulu"], signer_name="Ahmad Camat",
        verification_url=f"{PUBLIC_URL}/verifikasi/{'a' * 32}/",
    )  # fmt: skip
    first, second = letter_pdf(doc), letter_pdf(doc)
    assert first == second
    text = pdf_text(first)
    assert "Nama: Siti <img src='/etc/passwd'/> & <b>Co</b> A;" in text  # shown as text, accent folded
    assert 'catatan: <img src="/etc/passwd"/>' in text  # even a literal of the template itself
    assert "Alamat <i>" in text and "Jl. <u>Poros</u>" in text
    assert "SURAT UJI & COBA" in text


def test_letters_check_finds_changed_missing_and_stray_files(
    templates: Any, register: Any, issue: Any, letters_dir: Any, capsys: Any
) -> None:
    import pytest
    from django.core.management import call_command
    from django.core.management.base import CommandError

    kept = issue(register("sktm"), wita(2026, 11, 27, 9))
    changed = issue(register("sktm"), wita(2026, 11, 27, 10))
    missing = issue(register("sktm"), wita(2026, 11, 27, 11))
    call_command("letters_check")
    assert "all files intact" in capsys.readouterr().out

    (letters_dir / changed.file_path).write_bytes(b"%PDF-1.4 palsu")
    (letters_dir / missing.file_path).unlink()
    (letters_dir / "2026" / "sktm" / "sisa.pdf").write_bytes(b"%PDF-")
    with pytest.raises(CommandError, match="3 problems"):
        call_command("letters_check")
    err = capsys.readouterr().err
    assert f"Berkas surat {changed.number} telah berubah." in err
    assert f"Berkas surat {missing.number} tidak ditemukan." in err
    assert "Berkas 2026/sktm/sisa.pdf bukan milik surat mana pun." in err
    assert kept.number not in err


def test_the_office_s_emblem_heads_its_letters_and_an_unreadable_one_is_left_out(
    letters_dir: Any, db: Any, tmp_path: Any
) -> None:
    import io

    from PIL import Image

    from portal.core.storage import LETTERS, file_save
    from portal.letters.pdf import LetterDocument, letter_pdf
    from portal.letters.selectors import emblem_of

    picture = io.BytesIO()
    Image.new("RGB", (120, 120), (200, 30, 30)).save(picture, format="PNG")
    office = babulu()
    office.emblem.name = file_save(LETTERS, "kop/ppu.png", picture.getvalue())
    office.save(update_fields=["emblem"])
    head = office.letterhead()
    doc = LetterDocument(
        office=head, title="SURAT UJI", number="000/0001/KEC-BBL/XII/2026", blocks=[],
        place_and_date="Babulu, 7 Desember 2026", signature_lines=["Camat Babulu"], signer_name="Ahmad Camat",
        verification_url=f"{PUBLIC_URL}/verifikasi/{'b' * 32}/",
    )  # fmt: skip
    with_emblem = letter_pdf(doc, emblem=emblem_of(head))
    without = letter_pdf(doc)
    assert b"/Subtype /Image" in with_emblem and b"/Subtype /Image" not in without
    assert "KECAMATAN BABULU" in pdf_text(with_emblem)
    # a file that is not an image, or one that is gone, leaves the letterhead without an emblem
    assert letter_pdf(doc, emblem=b"not a picture") == without
    file_save(LETTERS, "kop/rusak.png", b"\x89PNG broken")
    assert letter_pdf(doc, emblem=emblem_of({**head, "emblem": "kop/rusak.png"})) == without
    assert emblem_of({**head, "emblem": "kop/tidak-ada.png"}) is None
    assert emblem_of({**head, "emblem": "../../etc/passwd"}) is None
