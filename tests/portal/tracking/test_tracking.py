"""The applicant's tracking page (/lacak/) and API: tracking number + PIN, no account.

Requests are registered and advanced through the API at fixed moments (time_machine), as the
counter and the officers would; the page and the API are read the way an applicant would.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from tests.conftest import SKTM_APPLICANT

WITA = ZoneInfo("Asia/Makassar")
MISMATCH = "Nomor registrasi atau PIN tidak cocok."
SKU_DATA = {"nama_usaha": "Bengkel Baso", "jenis_usaha": "Bengkel", "alamat_usaha": "Jl. Poros Labangka Barat"}


def wita(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def at() -> Iterator[Any]:
    """at(moment) -> a context in which the clock stands still at `moment`."""

    def travel(moment: datetime) -> Any:
        return time_machine.travel(moment, tick=False)

    yield travel


def register(api: Any, service: str = "sktm", data: dict[str, Any] | None = None) -> dict[str, Any]:
    body = {"service": service, "applicant": SKTM_APPLICANT, "data": data or {"keperluan": "Beasiswa sekolah anak"}}
    response = api("loket1").post("/api/v1/requests/", body, format="json")
    assert response.status_code == 201, response.content
    return dict(response.json())


def complete(api: Any, username: str, tracking_number: str, bpmn_id: str, data: dict[str, Any]) -> None:
    tasks = api(username).get("/api/v1/tasks/", {"tracking_number": tracking_number}).json()["results"]
    (task,) = [t for t in tasks if t["bpmn_id"] == bpmn_id]
    response = api(username).post(f"/api/v1/tasks/{task['id']}/complete/", {"data": data}, format="json")
    assert response.status_code == 200, response.content


def wrong(pin: str) -> str:
    return f"{(int(pin) + 1) % 1_000_000:06d}"


def track(client: Client, tracking_number: str, pin: str, **extra: Any) -> Any:
    return client.post("/lacak/", {"tracking_number": tracking_number, "pin": pin}, **extra)


def page(client: Client, tracking_number: str, pin: str) -> str:
    """The status page as the applicant sees it after typing the number and PIN."""
    response = track(client, tracking_number, pin)
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == f"/lacak/{tracking_number}/"
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    return str(shown.content.decode())


def text(html: str) -> str:
    """Visible text with tags dropped and whitespace folded, to search for sentences."""
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def without_csrf(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


# --- the PIN -----------------------------------------------------------------------------------------


def test_registration_returns_a_six_digit_pin_and_stores_only_its_hash(api: Any, deployed: Any) -> None:
    from portal.workflow.models import ProcessInstance
    from portal.workflow.pins import pin_matches

    body = register(api)
    pin = body["pin"]
    assert re.fullmatch(r"[0-9]{6}", pin)
    stored = ProcessInstance.objects.get(tracking_number=body["tracking_number"])
    assert stored.access_pin_hash and stored.access_pin_hash != pin
    assert pin_matches(pin, stored.access_pin_hash)
    assert not pin_matches(f"{(int(pin) + 1) % 1_000_000:06d}", stored.access_pin_hash)
    assert stored.access_pin == "", "the plain PIN lives only on the object registration returned"
    values = [getattr(stored, f.attname) for f in ProcessInstance._meta.concrete_fields]
    assert pin not in [str(v) for v in values]
    # Shown once: reading the request again gives no PIN.
    assert "pin" not in api("loket1").get(f"/api/v1/requests/{body['tracking_number']}/").json()
    assert register(api)["pin"] != pin or register(api)["pin"] != pin  # drawn afresh (2 equal draws: 1e-12)


# --- what the page shows -------------------------------------------------------------------------


def test_expected_date_before_and_after_the_file_is_complete_and_overdue_later(
    api: Any, deployed: Any, at: Any
) -> None:
    with at(wita(4, 13, 8)):  # Monday
        body = register(api)
        tn, pin = body["tracking_number"], body["pin"]
        shown = text(page(Client(), tn, pin))
        assert "dihitung setelah berkas dinyatakan lengkap" in shown
        assert "Surat Keterangan Tidak Mampu" in shown
        assert "Senin, 13 April 2026, pukul 08.00 WITA" in shown
        assert "Petugas loket: Periksa kelengkapan berkas" in shown
    with at(wita(4, 13, 14)):
        complete(api, "loket1", tn, "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"})
    with at(wita(4, 14, 15)):
        shown = text(page(Client(), tn, pin))
        # SKTM: 1 working day from the file declared complete, to the close of Tuesday.
        assert "Perkiraan selesai Selasa, 14 April 2026" in shown
        assert "dihitung setelah" not in shown
        assert "Melewati batas waktu" not in shown
        assert "Periksa kelengkapan berkas · Petugas loket Senin, 13 April 2026, pukul 14.00 WITA" in shown
    with at(wita(4, 15, 8)):
        shown = text(page(Client(), tn, pin))
        assert "Melewati batas waktu" in shown
        assert "Perkiraan selesai Selasa, 14 April 2026" in shown


def test_a_file_returned_after_the_clock_started_pauses_it_and_says_what_to_fix(
    api: Any, deployed: Any, at: Any
) -> None:
    with at(wita(3, 16, 9)):
        body = register(api, "sku", SKU_DATA)
        tn, pin = body["tracking_number"], body["pin"]
    with at(wita(3, 17, 14)):
        complete(api, "loket1", tn, "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"})
    with at(wita(3, 25, 9)):
        returned = {"hasil_verifikasi": "perlu_perbaikan", "catatan_verifikasi": "Alamat tanpa RT"}
        complete(api, "kasi1", tn, "Task_VerifikasiBerkas", returned)
    # Past the due time (close of 25 March) but paused: not overdue, and the pause so far is counted.
    with at(wita(3, 26, 8)):
        shown = text(page(Client(), tn, pin))
        assert (
            "Berkas dikembalikan kepada Anda sejak Rabu, 25 Maret 2026, pukul 09.00 WITA; waktu penyelesaian berhenti"
        ) in shown
        assert "selama berkas di tangan Anda: 6 jam 30 menit" in shown  # 09:00-16:00 less the break, 07:30-08:00
        assert "Melewati batas waktu" not in shown
        assert "Menunggu kelengkapan berkas dari Anda" in shown
        assert "Yang perlu Anda lengkapi" in shown and "Alamat tanpa RT" in shown
        assert "Anda (pemohon): Perbaiki data" in shown
    with at(wita(3, 26, 9)):
        fixed = {**SKU_DATA, "alamat_usaha": "Jl. Poros Labangka Barat RT 03", "keterangan_perbaikan": "RT ditambahkan"}
        complete(api, "loket1", tn, "Task_PerbaikiData", fixed)
        shown = text(page(Client(), tn, pin))
        assert "Berkas dikembalikan kepada Anda sejak" not in shown
        assert "Yang perlu Anda lengkapi" not in shown
        assert "Perkiraan selesai Kamis, 26 Maret 2026" in shown  # moved on by the 7.5 office hours
        assert "7 jam 30 menit" in shown


def test_a_file_returned_at_the_counter_lists_the_missing_requirements(api: Any, deployed: Any) -> None:
    body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    checked = api("loket1").post(
        f"/api/v1/requests/{tn}/checklist/",
        {"items": {"kk": "missing", "ktp": "received"}, "note": "KK yang dibawa sudah tidak berlaku"},
        format="json",
    )
    assert checked.status_code == 200, checked.content
    returned = {"hasil_pemeriksaan": "tidak_lengkap", "catatan": "KK belum ada"}
    complete(api, "loket1", tn, "Task_PeriksaKelengkapan", returned)
    shown = text(page(Client(), tn, pin))
    assert "Fotokopi Kartu Keluarga pemohon" in shown
    assert "KK belum ada" in shown and "KK yang dibawa sudah tidak berlaku" in shown
    assert "Fotokopi KTP-el pemohon" not in shown  # received: nothing to fix
    assert "dihitung setelah berkas dinyatakan lengkap" in shown  # the clock had not started: nothing paused
    assert "waktu penyelesaian berhenti" not in shown


def test_the_current_step_is_named_by_its_role_never_by_the_officer(api: Any, users: Any, deployed: Any) -> None:
    body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    complete(api, "loket1", tn, "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"})
    (task,) = api("kasi1").get("/api/v1/tasks/", {"tracking_number": tn}).json()["results"]
    assert api("kasi1").post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
    html = page(Client(), tn, pin)
    shown = text(html)
    assert "Kepala seksi: Verifikasi data kesejahteraan" in shown
    assert "Periksa kelengkapan berkas · Petugas loket" in shown
    for username in ("kasi1", "loket1"):
        assert username not in html
        for part in users[username].get_full_name().split():
            assert part not in shown.replace("Kepala seksi", "").replace("Petugas loket", ""), part

    data = Client().post("/api/v1/tracking/", {"tracking_number": tn, "pin": pin}, content_type="application/json")
    assert data.status_code == 200
    assert [(s["role"], s["role_label"]) for s in data.json()["current_steps"]] == [("kasi", "Kepala seksi")]
    assert "kasi1" not in data.content.decode() and "Budi" not in data.content.decode()


def test_the_letter_is_shown_ready_once_signed(api: Any, deployed: Any) -> None:
    body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    assert "Surat belum terbit." in text(page(Client(), tn, pin))
    for username, bpmn_id, data in [
        ("loket1", "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"}),
        ("kasi1", "Task_VerifikasiData", {"terdaftar_dtks": True, "hasil_verifikasi": "memenuhi"}),
        ("kasi1", "Task_SusunDraf", {"isi_keterangan": "Benar keluarga tidak mampu."}),
        ("sekcam1", "Task_ParafSekcam", {"hasil_paraf": "setuju"}),
        ("camat1", "Task_TandatanganCamat", {"keputusan": "setuju"}),
    ]:
        complete(api, username, tn, bpmn_id, data)
    letter = api("loket1").get(f"/api/v1/requests/{tn}/").json()["letters"][0]
    shown = text(page(Client(), tn, pin))
    assert f"nomor {letter['number']}: sudah terbit dan dapat diambil di loket PATEN Kecamatan Babulu." in shown
    assert "Tandatangani SKTM · Camat" in shown


# --- access ----------------------------------------------------------------------------------------


def test_the_status_page_opens_only_for_the_session_that_gave_the_pin(api: Any, deployed: Any, at: Any) -> None:
    with at(wita(4, 13, 8)):
        body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    stranger = Client()
    with at(wita(4, 13, 9)):
        shown = stranger.get(f"/lacak/{tn}/")
        assert shown.status_code == 200
        assert "Surat Keterangan Tidak Mampu" not in shown.content.decode()
        assert 'name="pin"' in shown.content.decode()
        # The same page for a number that names no request (apart from the number put in the field).
        unknown = stranger.get("/lacak/991231-ZZZZZZ/")
        assert without_csrf(shown.content).replace(tn.encode(), b"N") == without_csrf(unknown.content).replace(
            b"991231-ZZZZZZ", b"N"
        )

        applicant = Client()
        page(applicant, tn, pin)
        again = applicant.get(f"/lacak/{tn}/")  # a refresh needs no PIN
        assert "Surat Keterangan Tidak Mampu" in again.content.decode()
        assert "no-store" in again["Cache-Control"]
        assert "Surat Keterangan Tidak Mampu" in applicant.get(f"/lacak/{tn.lower()}/").content.decode()
    with at(wita(4, 13, 10, 1)):  # an hour later the PIN is asked again
        assert "Surat Keterangan Tidak Mampu" not in applicant.get(f"/lacak/{tn}/").content.decode()
        page(applicant, tn, pin)
        applicant.post("/lacak/tutup/")
        assert "Surat Keterangan Tidak Mampu" not in applicant.get(f"/lacak/{tn}/").content.decode()


def test_a_wrong_pin_and_an_unknown_number_look_the_same_and_reveal_nothing(api: Any, deployed: Any) -> None:
    body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    wrong_pin = track(Client(), tn, wrong(pin))
    unknown_number = track(Client(), "991231-ZZZZZZ", pin)
    assert wrong_pin.status_code == unknown_number.status_code == 200
    assert without_csrf(wrong_pin.content) == without_csrf(unknown_number.content)
    html = wrong_pin.content.decode()
    assert MISMATCH in html
    for secret in (tn, SKTM_APPLICANT["name"], "Siti", "Surat Keterangan Tidak Mampu", "Periksa kelengkapan"):
        assert secret not in html
    assert wrong_pin.client.session.get("tracking_access") is None


def fail_five_times(tn: str, pin: str, address: str, start: datetime) -> datetime:
    """Five wrong PINs from `address`, waiting out the slowdown after the third and fourth; the fifth's moment."""
    moments = [start, start + timedelta(seconds=1), start + timedelta(seconds=2)]
    moments += [moments[-1] + timedelta(seconds=31), moments[-1] + timedelta(seconds=31 + 121)]
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            response = track(Client(), tn, wrong(pin), REMOTE_ADDR=address)
            assert response.status_code == 200 and MISMATCH in response.content.decode()
    return moments[-1]


def test_five_failures_from_one_address_lock_that_address_out_of_the_number_but_not_the_applicant(
    api: Any, deployed: Any, at: Any, monkeypatch: Any
) -> None:
    from portal.tracking import services

    with at(wita(4, 13, 8)):
        body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    checked: list[str] = []
    real_check = services.pin_matches
    monkeypatch.setattr(services, "pin_matches", lambda p, h: checked.append(p) or real_check(p, h))
    # given an address that has just failed five times on the number
    fifth = fail_five_times(tn, pin, "10.0.0.66", wita(4, 13, 9))
    assert len(checked) == 5 and fifth == wita(4, 13, 9, 2) + timedelta(seconds=34)
    with at(fifth):
        # when the applicant tracks from her phone, then she sees her request
        assert "Surat Keterangan Tidak Mampu" in page(Client(REMOTE_ADDR="10.0.1.1"), tn, pin)
        # and the attacker's address is refused even the right PIN, and no PIN is checked for it
        refused = track(Client(), tn, pin, REMOTE_ADDR="10.0.0.66")
        assert refused.status_code == 429
        shown = text(refused.content.decode())
        assert "Terlalu banyak percobaan yang gagal" in shown and "09.17 WITA" in shown
        assert "Surat Keterangan Tidak Mampu" not in shown
        assert len(checked) == 6, "no PIN is checked while the address is locked"
        api_refused = Client(REMOTE_ADDR="10.0.0.66").post(
            "/api/v1/tracking/", {"tracking_number": tn, "pin": pin}, content_type="application/json"
        )
        assert api_refused.status_code == 429 and int(api_refused["Retry-After"]) == 900
    # An unknown number is locked the same way: being locked tells nothing either.
    fail_five_times("991231-ZZZZZZ", pin, "10.0.2.1", wita(4, 13, 10))
    with at(wita(4, 13, 10, 3)):
        assert track(Client(), "991231-ZZZZZZ", pin, REMOTE_ADDR="10.0.2.1").status_code == 429
    with at(fifth + timedelta(minutes=15)):
        assert "Surat Keterangan Tidak Mampu" in page(Client(REMOTE_ADDR="10.0.0.66"), tn, pin)


def test_the_number_is_slowed_down_from_an_address_after_three_failures(api: Any, deployed: Any, at: Any) -> None:
    with at(wita(4, 13, 8)):
        body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    with at(wita(4, 13, 9)):
        for _ in range(3):
            assert MISMATCH in track(Client(), tn, wrong(pin), REMOTE_ADDR="10.0.3.3").content.decode()
        assert track(Client(), tn, pin, REMOTE_ADDR="10.0.3.3").status_code == 429
    with at(wita(4, 13, 9) + timedelta(seconds=30)):
        assert "Surat Keterangan Tidak Mampu" in page(Client(REMOTE_ADDR="10.0.3.3"), tn, pin)


def test_thirty_failures_from_many_addresses_hold_the_number_except_where_its_pin_was_given(
    api: Any, deployed: Any, at: Any
) -> None:
    with at(wita(4, 13, 8)):
        body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    with at(wita(4, 13, 8, 30)):
        assert "Surat Keterangan Tidak Mampu" in page(Client(REMOTE_ADDR="10.0.9.9"), tn, pin)
    with at(wita(4, 13, 9)):
        for n in range(10):  # three each: below every address's own lockout
            for _ in range(3):
                assert MISMATCH in track(Client(), tn, wrong(pin), REMOTE_ADDR=f"198.51.100.{n}").content.decode()
        held = track(Client(), tn, pin, REMOTE_ADDR="192.0.2.80")
        assert held.status_code == 429 and "setelah 14 April 2026 pukul 09.00 WITA" in text(held.content.decode())
        assert "Surat Keterangan Tidak Mampu" in page(Client(REMOTE_ADDR="10.0.9.9"), tn, pin)
    with at(wita(4, 14, 9) + timedelta(seconds=1)):
        assert "Surat Keterangan Tidak Mampu" in page(Client(REMOTE_ADDR="192.0.2.80"), tn, pin)


def test_twenty_failures_from_one_client_lock_that_client(api: Any, deployed: Any, at: Any) -> None:
    with at(wita(4, 13, 8)):
        body = register(api)
        known = register(api)
        assert "Surat Keterangan Tidak Mampu" in page(
            Client(REMOTE_ADDR="192.0.2.7"), known["tracking_number"], known["pin"]
        )
    tn, pin = body["tracking_number"], body["pin"]
    with at(wita(4, 13, 9)):
        for n in range(20):
            response = track(Client(), f"991231-AAAA{n:02d}", "123456", REMOTE_ADDR="192.0.2.7")
            assert response.status_code == 200 and MISMATCH in response.content.decode()
        assert track(Client(), tn, pin, REMOTE_ADDR="192.0.2.7").status_code == 429
        # a number whose PIN was given right from this address (a shared one) is not held by the others' guessing
        assert track(Client(), known["tracking_number"], known["pin"], REMOTE_ADDR="192.0.2.7").status_code == 302
        assert track(Client(), tn, pin, REMOTE_ADDR="192.0.2.8").status_code == 302
        # A phone's IPv6 addresses count as one client (its /64).
        for n in range(20):
            track(Client(), f"991231-BBBB{n:02d}", "123456", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
        assert track(Client(), tn, pin, REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    with at(wita(4, 13, 9, 16)):
        assert track(Client(), tn, pin, REMOTE_ADDR="192.0.2.7").status_code == 302


def test_old_attempts_are_pruned_by_the_beat_sweep(api: Any, deployed: Any, at: Any) -> None:
    from portal.core.models import Attempt
    from tasks.core import prune_attempts_task

    with at(wita(4, 13, 8)):
        track(Client(), "991231-ZZZZZZ", "123456")
    with at(wita(4, 14, 9)):
        track(Client(), "991231-YYYYYY", "123456")
        assert prune_attempts_task() == 1
    assert list(Attempt.objects.filter(scope="tracking").values_list("key", flat=True)) == ["991231-YYYYYY"]


# --- no 500 for any input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"tracking_number": "", "pin": ""},
        {"tracking_number": "A" * 10_000, "pin": "1" * 10_000},
        {"tracking_number": "Ünïcødé-ñúmérø", "pin": "١٢٣٤٥٦"},  # Arabic-Indic digits are not a PIN
        {"tracking_number": "261128-ABC\x00", "pin": "12\x003456"},
        {"tracking_number": "🙂" * 5000, "pin": "🙂"},
        {"tracking_number": ["a", "b"], "pin": ["1", "2"]},
    ],
)
def test_the_page_answers_any_form_without_a_server_error(deployed: Any, users: Any, form: dict[str, Any]) -> None:
    response = Client().post("/lacak/", form)
    assert response.status_code == 200
    assert 'name="pin"' in response.content.decode()


def test_the_page_errors_are_said_next_to_the_fields(deployed: Any, users: Any) -> None:
    shown = text(Client().post("/lacak/", {"tracking_number": "", "pin": "12ab"}).content.decode())
    assert "Isi nomor registrasi yang tertera pada tanda terima." in shown
    assert "PIN terdiri dari 6 angka." in shown
    assert Client().get("/lacak/" + "X" * 10_000 + "/").status_code == 200
    assert Client().get("/lacak/%F0%9F%99%82/").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"tracking_number": "261128-ABCDEF"},
        {"pin": "123456"},
        {"tracking_number": None, "pin": None},
        {"tracking_number": ["261128-ABCDEF"], "pin": {"a": 1}},
        {"tracking_number": True, "pin": 12.5},
        {"tracking_number": "A" * 10_000, "pin": "9" * 10_000},
        {"tracking_number": "Ünïcødé", "pin": "١٢٣٤٥٦"},
        {"tracking_number": "261128-ABC\u0000", "pin": "123456"},
        ["261128-ABCDEF", "123456"],
        "261128-ABCDEF",
        42,
    ],
)
def test_the_api_answers_any_body_with_a_client_error(deployed: Any, users: Any, body: Any) -> None:
    response = Client().post("/api/v1/tracking/", body, content_type="application/json")
    assert response.status_code == 400, response.content


def test_the_api_answers_broken_json_and_other_media_types(deployed: Any, users: Any) -> None:
    client = Client()
    assert client.post("/api/v1/tracking/", "{", content_type="application/json").status_code == 400
    assert client.post("/api/v1/tracking/", "[" * 100_000, content_type="application/json").status_code == 400
    assert client.post("/api/v1/tracking/", "x", content_type="text/plain").status_code == 415
    assert client.get("/api/v1/tracking/").status_code == 405


# --- the API ---------------------------------------------------------------------------------------


def test_the_api_returns_what_the_page_shows_and_obeys_the_same_throttle(api: Any, deployed: Any, at: Any) -> None:
    with at(wita(4, 13, 8)):
        body = register(api)
    tn, pin = body["tracking_number"], body["pin"]
    with at(wita(4, 13, 14)):
        complete(api, "loket1", tn, "Task_PeriksaKelengkapan", {"hasil_pemeriksaan": "lengkap"})
    anonymous = api(None)
    with at(wita(4, 15, 8)):
        response = anonymous.post("/api/v1/tracking/", {"tracking_number": tn.lower(), "pin": pin}, format="json")
        assert response.status_code == 200, response.content
        data = response.json()
        shown = text(page(Client(), tn, pin))
    assert data["tracking_number"] == tn
    assert data["service_name"] == "Surat Keterangan Tidak Mampu" and data["service_name"] in shown
    assert data["status"] == "running" and data["status_label"] == "Sedang diproses" and "Sedang diproses" in shown
    assert data["sla"]["expected_completion_date"] == "2026-04-14"
    assert data["sla"]["expected_completion_text"] == "Selasa, 14 April 2026"
    assert data["sla"]["overdue"] is True and "Melewati batas waktu" in shown
    assert data["sla"]["paused"] is False and data["returned"] is None
    assert datetime.fromisoformat(data["registered_at"]) == wita(4, 13, 8)
    assert [(s["name"], s["role_label"]) for s in data["current_steps"]] == [
        ("Verifikasi data kesejahteraan", "Kepala seksi")
    ]
    assert f"{data['current_steps'][0]['role_label']}: {data['current_steps'][0]['name']}" in shown
    assert [(s["name"], s["role"]) for s in data["timeline"]] == [("Periksa kelengkapan berkas", "loket")]
    assert datetime.fromisoformat(data["timeline"][0]["at"]) == wita(4, 13, 14)
    assert data["letters"] == []
    assert "applicant" not in data and SKTM_APPLICANT["nik"] not in response.content.decode()

    with at(wita(4, 15, 9)):
        wrong_pin = anonymous.post("/api/v1/tracking/", {"tracking_number": tn, "pin": wrong(pin)}, format="json")
        unknown = anonymous.post("/api/v1/tracking/", {"tracking_number": "991231-ZZZZZZ", "pin": pin}, format="json")
        assert wrong_pin.status_code == unknown.status_code == 404
        assert wrong_pin.content == unknown.content and wrong_pin.json() == {"detail": MISMATCH}
        for _ in range(2):
            anonymous.post("/api/v1/tracking/", {"tracking_number": tn, "pin": wrong(pin)}, format="json")
    for minute in (1, 4):  # after the slowdown that follows the third and the fourth failure
        with at(wita(4, 15, 9, minute)):
            again = anonymous.post("/api/v1/tracking/", {"tracking_number": tn, "pin": wrong(pin)}, format="json")
            assert again.status_code == 404
    with at(wita(4, 15, 9, 4)):
        refused = anonymous.post("/api/v1/tracking/", {"tracking_number": tn, "pin": pin}, format="json")
        assert refused.status_code == 429 and "Terlalu banyak percobaan" in refused.json()["detail"]
        assert refused["Retry-After"] == "900"
        assert track(Client(), tn, pin).status_code == 429  # the page counts the same failures
    with at(wita(4, 15, 9, 4) + timedelta(minutes=15)):
        again = anonymous.post("/api/v1/tracking/", {"tracking_number": tn, "pin": pin}, format="json")
        assert again.status_code == 200 and again.json() == data


def test_the_schema_documents_the_pin_and_the_tracking_api(db: Any, tmp_path: Any) -> None:
    import yaml
    from django.core.management import call_command

    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert "pin" in schema["components"]["schemas"]["RequestRegisteredOutput"]["properties"]
    register_201 = schema["paths"]["/api/v1/requests/"]["post"]["responses"]["201"]
    assert register_201["content"]["application/json"]["schema"]["$ref"].endswith("/RequestRegisteredOutput")
    tracking = schema["paths"]["/api/v1/tracking/"]["post"]
    assert {"200", "400", "404", "429"} <= set(tracking["responses"])
    assert "security" not in schema and tracking.get("security") in (None, [], [{}])  # anonymous


def test_a_pin_digest_needs_the_secret_key_and_survives_a_key_rotation(settings: Any) -> None:
    from portal.workflow.pins import pin_digest, pin_matches, pin_new

    settings.SECRET_KEY = "kunci-lama-" + "x" * 40
    pin, stored = pin_new()
    assert stored.startswith("hmac-sha256$") and pin not in stored
    assert pin_digest(pin) != pin_digest(pin)  # salted: the same PIN never gives the same digest twice
    settings.SECRET_KEY = "kunci-baru-" + "y" * 40
    assert not pin_matches(pin, stored)
    settings.SECRET_KEY_FALLBACKS = ["kunci-lama-" + "x" * 40]
    assert pin_matches(pin, stored)
    assert not pin_matches(pin, "") and not pin_matches(pin, "pbkdf2_sha256$1$a$b") and not pin_matches("", stored)
