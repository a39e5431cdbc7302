"""A signed letter is numbered inside the signing command and drawn after it, once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import SKTM_APPLICANT

STEPS = [
    ("loket1", {"hasil_pemeriksaan": "lengkap"}),
    ("kasi1", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
    ("kasi1", {"isi_keterangan": "Benar keluarga tidak mampu di desa kami."}),
    ("sekcam1", {"hasil_paraf": "setuju"}),
    ("camat1", {"keputusan": "setuju"}),
]


def test_a_letter_not_yet_drawn_is_announced_then_drawn_once(api: Any, deployed: Any, settings: Any) -> None:
    from portal.letters.services import letter_render, letters_render_pending
    from portal.workflow.events import chain_verify
    from portal.workflow.models import InstanceEvent, ProcessInstance

    # As with `make run`: the signing leaves the drawing to the worker's sweep, which does not run here.
    letter = _signed_not_drawn(api, settings)
    tn = letter.instance.tracking_number
    assert letter.rendered_at is None and letter.number.startswith("474/0001/")
    detail = api("loket1").get(f"/api/v1/requests/{tn}/").json()
    assert detail["letters"][0]["ready"] is False
    waiting = api("loket1").get(detail["letters"][0]["pdf_url"])
    assert waiting.status_code == 409 and "sedang disiapkan" in waiting.json()["detail"]
    page = api(None).get(f"/verifikasi/{letter.verification_token}/").content.decode()
    assert "sedang disiapkan" in page

    assert letters_render_pending() == 1  # the beat sweep, as after a lost task
    drawn = letter_render(letter_id=letter.pk)  # and again: nothing more happens
    assert drawn.rendered_at is not None and len(drawn.sha256) == 64
    assert letters_render_pending() == 0
    from portal.notifications.models import Notification

    ready = Notification.objects.filter(kind="ready")
    assert [(n.channel, n.recipient) for n in ready] == [("sms", "081234567890")]
    assert letter.number not in ready[0].body and "SURAT KETERANGAN TIDAK MAMPU" in ready[0].body
    instance = ProcessInstance.objects.get(tracking_number=tn)
    types = list(InstanceEvent.objects.filter(instance=instance).values_list("type", flat=True))
    assert types.count("letter_numbered") == 1 and types.count("letter_issued") == 1
    assert chain_verify(instance) == []
    assert api("loket1").get(detail["letters"][0]["pdf_url"]).status_code == 200


def _signed_not_drawn(api: Any, settings: Any) -> Any:
    from portal.letters.models import Letter

    settings.PATEN_LETTER_RENDER = "celery"
    created = api("loket1").post(
        "/api/v1/requests/", {"service": "sktm", "applicant": SKTM_APPLICANT, "data": {"keperluan": "Sekolah"}},
        format="json",
    )  # fmt: skip
    tn = created.json()["tracking_number"]
    for username, data in STEPS:
        (task,) = api(username).get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
        done = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
        assert done.status_code == 200, done.content
    return Letter.objects.get()


def test_a_drawing_killed_after_writing_its_file_leaves_one_file_not_two(
    api: Any, deployed: Any, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from portal.core.storage import LETTERS, file_names
    from portal.letters.services import letter_render
    from tests.conftest import files_under

    files_under(settings, tmp_path)
    letter = _signed_not_drawn(api, settings)
    # A worker drew and wrote the file, and was killed before its command committed.
    with monkeypatch.context() as patch:
        patch.setattr("portal.letters.services.instance_command", _killed)
        with pytest.raises(SystemExit):
            letter_render(letter_id=letter.pk)
    assert len(list(file_names(LETTERS))) == 1
    drawn = letter_render(letter_id=letter.pk)  # the next sweep
    assert list(file_names(LETTERS)) == [drawn.file_path]


def _killed(*args: Any, **kwargs: Any) -> Any:
    raise SystemExit("SIGKILL")


def test_a_second_drawer_never_deletes_the_file_the_first_recorded(
    api: Any, deployed: Any, settings: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    from portal.core.storage import LETTERS, file_names, file_read
    from portal.letters.models import Letter
    from portal.letters.services import letter_render
    from tests.conftest import files_under

    files_under(settings, tmp_path)
    letter = _signed_not_drawn(api, settings)
    first = letter_render(letter_id=letter.pk)
    # A racing worker read the row before the first recorded it: it draws the same bytes and finds
    # the letter recorded under the very name it would use.
    Letter.objects.filter(pk=letter.pk).update(rendered_at=None)
    stale = Letter.objects.get(pk=letter.pk)
    Letter.objects.filter(pk=letter.pk).update(rendered_at=first.rendered_at)
    reads = iter([stale])
    original_get = Letter.objects.get
    monkeypatch.setattr(Letter.objects, "get", lambda *a, **k: next(reads, None) or original_get(*a, **k))
    again = letter_render(letter_id=letter.pk)
    assert again.file_path == first.file_path
    assert list(file_names(LETTERS)) == [first.file_path] and file_read(LETTERS, first.file_path)
