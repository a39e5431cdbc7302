"""GET /api/v1/analytics/eventlog/: who may export whose log, what a bad parameter says, and the file
streamed with its name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .readback import csv_rows, private_values, read_xes

URL = "/api/v1/analytics/eventlog/"
LATER = "Tanggal akhir tidak boleh sebelum tanggal awal."


def _body(response: Any) -> bytes:
    assert response.streaming, response
    return b"".join(response.streaming_content)


def _cases(response: Any) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["case_id"] for row in csv_rows(_body(response))}


def test_readers_get_the_offices_they_cover_and_others_are_refused(built: dict[str, Any], api: Any) -> None:
    number = {key: instance.tracking_number for key, instance in built.items()}
    babulu = {number[key] for key in ("approved", "refused", "legalised", "reminded", "february")}
    everything = set(number.values())
    assert _cases(api("auditor1").get(URL, {"format": "csv"})) == everything
    assert _cases(api("admin").get(URL, {"format": "csv"})) == everything
    assert _cases(api("auditor1").get(URL, {"format": "csv", "kecamatan": "sepaku"})) == {number["sepaku"]}
    # The heads of a kecamatan: their own office, named or not.
    assert _cases(api("camat1").get(URL, {"format": "csv"})) == babulu
    assert _cases(api("sekcam1").get(URL, {"format": "csv", "kecamatan": "babulu"})) == babulu
    assert _cases(api("camat_sepaku").get(URL, {"format": "csv"})) == {number["sepaku"]}
    refused = api("camat_sepaku").get(URL, {"format": "csv", "kecamatan": "babulu"})
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Anda hanya dapat mengekspor log Kecamatan Sepaku, bukan Kecamatan Babulu."
    assert api("sekcam_sepaku").get(URL, {"format": "xes", "kecamatan": "64.09.03"}).status_code == 403

    for username in ("loket1", "kasi1", "perancang1", "warga1"):
        response = api(username).get(URL, {"format": "csv"})
        assert response.status_code == 403, username
        assert "camat, sekcam, auditor" in response.json()["detail"]
    assert api(None).get(URL, {"format": "csv"}).status_code in (401, 403)


def test_a_camat_posted_to_no_office_is_refused(users: dict[str, Any], deployed: Any, api: Any) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    users["camat_baru"] = get_user_model().objects.create_user("camat_baru")
    users["camat_baru"].groups.add(Group.objects.get(name="camat"))
    response = api("camat_baru").get(URL, {"format": "csv"})
    assert response.status_code == 403
    assert response.json()["detail"] == "Akun Anda belum ditempatkan di kecamatan mana pun; hubungi administrator."


def test_the_log_streams_as_a_named_file_without_the_applicants_identity(
    built: dict[str, Any], api: Any, tmp_path: Path
) -> None:
    response = api("camat1").get(
        URL, {"format": "xes", "service": "sktm", "from": "2026-01-01", "to": "2026-01-31", "kecamatan": "babulu"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert response["Content-Disposition"] == 'attachment; filename="paten-log-sktm-babulu-2026-01-01_2026-01-31.xes"'
    assert response["Cache-Control"] == "private, no-store"
    content = _body(response)
    path = tmp_path / "api.xes"
    path.write_bytes(content)
    log = read_xes(path)
    expected = {built[key].tracking_number for key in ("approved", "refused", "reminded")}
    assert set(log["case:concept:name"]) == expected
    for value in private_values(list(built.values())):
        assert value.encode() not in content

    response = api("auditor1").get(URL, {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="paten-log-semua-layanan.csv"'


def test_bad_parameters_are_a_400_naming_each_in_indonesian(users: dict[str, Any], deployed: Any, api: Any) -> None:
    client = api("auditor1")
    cases = [
        ({}, "format", "Format harus xes atau csv."),
        ({"format": "pdf"}, "format", "Format harus xes atau csv."),
        ({"format": "xes", "service": "tidak-ada"}, "service", "Layanan 'tidak-ada' tidak dikenal."),
        ({"format": "xes", "from": "31-01-2026"}, "from", "Tanggal tidak sah: tulis TTTT-BB-HH, misalnya 2026-01-31."),
        ({"format": "csv", "to": "2026-02-30"}, "to", "Tanggal tidak sah: tulis TTTT-BB-HH, misalnya 2026-01-31."),
        (
            {"format": "csv", "from": "2026-02-01", "to": "2026-01-31"},
            "to",
            "Tanggal akhir tidak boleh sebelum tanggal awal.",
        ),
        ({"format": "csv", "kecamatan": "atlantis"}, "kecamatan", "Kecamatan 'atlantis' tidak dikenal."),
    ]
    for params, key, message in cases:
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert response.json()[key] == [message], params
    both = client.get(URL, {"format": "doc", "from": "kemarin"}).json()
    assert set(both) == {"format", "from"}
