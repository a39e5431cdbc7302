"""process_lint, process_deploy and seed_demo as an operator runs them: one line per verdict,
exit 1 on any error, all-or-nothing deployment, hostile files refused with nothing deployed."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandError

from tests.engine.samples import CODE, FILENAME, TEMPLATE, sample, with_script

ROOT = Path(__file__).resolve().parents[3]
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"


def _run(command: str, *args: str) -> tuple[int, list[str]]:
    """(exit code, stdout lines) of a management command."""
    out = io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return exc.returncode, out.getvalue().splitlines()
    return 0, out.getvalue().splitlines()


def _write(directory: Path, source: bytes | str, name: str = FILENAME) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(source.encode() if isinstance(source, str) else source)
    return path


def _definitions() -> list[tuple[str, int, str, bool]]:
    from portal.workflow.models import ProcessDefinition

    return list(
        ProcessDefinition.objects.order_by("code", "version").values_list("code", "version", "sha256", "is_active")
    )


# --- process_lint --------------------------------------------------------------------------------


def test_lint_prints_ok_for_good_files(tmp_path: Path) -> None:
    # given two clean diagrams
    good = _write(tmp_path, TEMPLATE)
    other = _write(tmp_path / "lain", TEMPLATE)

    # when linted
    code, lines = _run("process_lint", str(good), str(other))

    # then one ok line each and exit 0
    assert code == 0
    assert lines == [f"{good}: ok", f"{other}: ok"]


def test_lint_prints_located_lines_and_exits_1_on_error(tmp_path: Path) -> None:
    # given a good file and one with two located mistakes
    good = _write(tmp_path / "baik", TEMPLATE)
    bad = _write(
        tmp_path / "buruk",
        sample(
            ('<bpmn:lane id="Lane_Camat" name="camat">', '<bpmn:lane id="Lane_Camat" name="lurah">'),
            ('"PT4H"', "PT4 jam"),
        ),
    )

    # when linted together
    code, lines = _run("process_lint", str(good), str(bad))

    # then the good one is ok, the bad one has a FILE:ELEMENT: line per problem, and the exit code is 1
    assert code == 1
    assert lines[0] == f"{good}: ok"
    assert f"{bad}:Lane_Camat: lane name 'lurah' is not a known role" in "\n".join(lines)
    assert f"{bad}:Timer_Eskalasi: timer expression does not evaluate: syntax error on line 1: invalid syntax" in lines
    assert all(line.startswith(f"{bad}:") for line in lines[1:])


def test_lint_warnings_alone_exit_0(tmp_path: Path) -> None:
    # given a timer computed from process data (a warning, not an error)
    path = _write(tmp_path, sample(('"PT4H"', "tanggal_surat")))

    # when linted
    code, lines = _run("process_lint", str(path))

    # then the warning is printed but the exit code is 0
    assert code == 0
    assert lines == [
        f"{path}:Timer_Eskalasi: warning: timer expression depends on process data "
        "(name 'tanggal_surat' is not defined); checked at run time"
    ]


def test_lint_reports_an_unreadable_file(tmp_path: Path) -> None:
    missing = tmp_path / "tidak-ada.bpmn"
    code, lines = _run("process_lint", str(missing), str(tmp_path))
    assert code == 1
    assert lines[0].startswith(f"{missing}:-: cannot be read: ")
    assert lines[1].startswith(f"{tmp_path}:-: cannot be read: ")


def test_lint_gives_every_hostile_file_a_verdict(tmp_path: Path) -> None:
    # given every committed hostile file and a generated 20 MB one
    big = _write(tmp_path, TEMPLATE.encode() + b"<!--" + b"x" * (20 * 1024 * 1024) + b"-->", "besar.bpmn")
    paths = [*sorted(p for p in HOSTILE.iterdir() if p.suffix == ".bpmn"), big]

    # when linted in one run
    code, lines = _run("process_lint", *map(str, paths))

    # then it fails, and every file has at least one located line and no ok
    assert code == 1
    for path in paths:
        mine = [line for line in lines if line.startswith(f"{path}:")]
        assert mine and all(re.match(rf"{re.escape(str(path))}:\S+: \S", line) for line in mine), path
    assert f"{big}:-: refused: file is larger than 5 MB (5242881 bytes)" in lines


# --- process_deploy ------------------------------------------------------------------------------


def test_deploy_prints_code_version_and_sha256(db: Any, tmp_path: Path) -> None:
    # given a clean diagram
    path = _write(tmp_path, TEMPLATE)
    sha = hashlib.sha256(TEMPLATE.encode()).hexdigest()

    # when deployed
    code, lines = _run("process_deploy", str(path))

    # then it is version 1 with the file's hash, stored and active
    assert code == 0
    assert lines == [f"{CODE} version 1 sha256 {sha} (deployed)"]
    assert _definitions() == [(CODE, 1, sha, True)]


def test_deploying_the_same_file_twice_keeps_the_version(db: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, TEMPLATE)
    _run("process_deploy", str(path))

    code, lines = _run("process_deploy", str(path))

    assert code == 0
    assert lines == [f"{CODE} version 1 sha256 {hashlib.sha256(TEMPLATE.encode()).hexdigest()} (unchanged)"]
    assert len(_definitions()) == 1


def test_a_changed_file_gets_the_next_version(db: Any, tmp_path: Path) -> None:
    # given version 1 deployed
    path = _write(tmp_path, TEMPLATE)
    _run("process_deploy", str(path))

    # when the file changes and is deployed again
    changed = TEMPLATE.replace('name="Layanan uji" isExecutable', 'name="Layanan uji (revisi)" isExecutable')
    _write(tmp_path, changed)
    code, lines = _run("process_deploy", str(path))

    # then it is version 2, the only active one
    sha2 = hashlib.sha256(changed.encode()).hexdigest()
    assert code == 0
    assert lines == [f"{CODE} version 2 sha256 {sha2} (deployed)"]
    assert [(v, active) for _, v, _, active in _definitions()] == [(1, False), (2, True)]


def test_going_back_to_earlier_content_reactivates_that_version(db: Any, tmp_path: Path) -> None:
    path = _write(tmp_path, TEMPLATE)
    _run("process_deploy", str(path))
    _write(tmp_path, TEMPLATE.replace("Layanan uji", "Layanan uji 2"))
    _run("process_deploy", str(path))

    _write(tmp_path, TEMPLATE)
    code, lines = _run("process_deploy", str(path))

    assert code == 0
    assert lines[0].startswith(f"{CODE} version 1 sha256 ")
    assert [(v, active) for _, v, _, active in _definitions()] == [(1, True), (2, False)]


def test_a_batch_with_one_bad_file_deploys_nothing(db: Any, tmp_path: Path) -> None:
    # given one deployed version, then a batch of a changed good file, another good service and a bad file
    first = _write(tmp_path / "a", TEMPLATE)
    _run("process_deploy", str(first))
    before = _definitions()
    changed = _write(tmp_path / "a", TEMPLATE.replace("Layanan uji", "Layanan uji 2"))
    other = ROOT / "processes" / "legalisasi.bpmn"
    bad = _write(tmp_path / "b", with_script("import os"))

    # when deployed together
    code, lines = _run("process_deploy", str(changed), str(other), str(bad))

    # then the exit code is 1, only the bad file's problem is printed, and nothing changed in the database
    assert code == 1
    assert lines == [f"{bad}:Script_Catat: script refused: line 1: import is not allowed"]
    assert _definitions() == before


def _hostile_sources(tmp_path: Path) -> list[Path]:
    files = [
        HOSTILE / "xxe-file.bpmn",
        HOSTILE / "xxe-http.bpmn",
        HOSTILE / "xxe-parameter-entity.bpmn",
        HOSTILE / "external-dtd.bpmn",
        HOSTILE / "billion-laughs.bpmn",
        HOSTILE / "utf16-doctype.bpmn",
        HOSTILE / "utf7-doctype.bpmn",
        HOSTILE / "not-bpmn.bpmn",
        HOSTILE / "garbage.bpmn",
        _write(tmp_path / "besar", TEMPLATE.encode() + b"<!--" + b"x" * (20 * 1024 * 1024) + b"-->"),
    ]
    scripts = {
        "impor": "import os",
        "kelas": "x = keperluan.__class__",
        "subkelas": "x = ().__class__.__bases__[0].__subclasses__()",
        "format": "x = '{0.__class__}'.format(keperluan)",
    }
    for name, script in scripts.items():
        files.append(_write(tmp_path / name, with_script(script)))
    return files


EXPECTED_REFUSALS = [
    "refused: DOCTYPE and ENTITY declarations are not allowed",
    "refused: DOCTYPE and ENTITY declarations are not allowed",
    "refused: DOCTYPE and ENTITY declarations are not allowed",
    "refused: DOCTYPE and ENTITY declarations are not allowed",
    "refused: DOCTYPE and ENTITY declarations are not allowed",
    "refused: DOCTYPE and ENTITY declarations are not allowed",
    "refused: DOCTYPE and ENTITY declarations are not allowed",
    "not a BPMN 2.0 file",
    "refused: malformed XML",
    "refused: file is larger than 5 MB",
    "script refused: line 1: import is not allowed",
    "script refused: line 1: attribute '__class__' is not allowed",
    "script refused: line 1: attribute '__subclasses__' is not allowed",
    "script refused: line 1: str.format() is not allowed",
]


def test_hostile_files_are_refused_one_by_one_with_nothing_deployed(db: Any, tmp_path: Path) -> None:
    for path, expected in zip(_hostile_sources(tmp_path), EXPECTED_REFUSALS, strict=True):
        # when a hostile file is deployed on its own
        code, lines = _run("process_deploy", str(path))

        # then exit 1, a located line saying why, no traceback, and no definition
        assert code == 1, (path, lines)
        assert any(line.startswith(f"{path}:") and expected in line for line in lines), (path, lines)
        assert "Traceback" not in "\n".join(lines)
        assert _definitions() == []


def test_hostile_files_in_one_batch_with_a_good_one_deploy_nothing(db: Any, tmp_path: Path) -> None:
    # given a good service followed by every hostile file
    good = ROOT / "processes" / "legalisasi.bpmn"
    paths = _hostile_sources(tmp_path)

    # when deployed in one batch
    code, lines = _run("process_deploy", str(good), *map(str, paths))

    # then each hostile file has its line, the good one none, and nothing was deployed
    assert code == 1
    assert all(any(line.startswith(f"{p}:") for line in lines) for p in paths)
    assert not any(line.startswith(f"{good}:") for line in lines)
    assert _definitions() == []


def test_deploy_refuses_an_unreadable_file_and_deploys_nothing(db: Any, tmp_path: Path) -> None:
    good = _write(tmp_path, TEMPLATE)
    code, lines = _run("process_deploy", str(good), str(tmp_path / "hilang.bpmn"))
    assert code == 1
    assert lines == [f"{tmp_path / 'hilang.bpmn'}:-: cannot be read: No such file or directory"]
    assert _definitions() == []


# --- seed_demo -----------------------------------------------------------------------------------


def _seed_snapshot() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    from portal.directory.models import Village

    users = get_user_model().objects.order_by("username")
    return {
        "users": [(u.username, sorted(g.name for g in u.groups.all())) for u in users],
        "villages": Village.objects.count(),
        "definitions": _definitions(),
    }


def test_seed_demo_twice_is_idempotent(db: Any) -> None:
    # given a seeded database
    code, first_lines = _run("seed_demo")
    assert code == 0, first_lines
    first = _seed_snapshot()

    # when seeded again
    code, second_lines = _run("seed_demo")
    second = _seed_snapshot()

    # then the same users, roles, villages and definition versions, every process unchanged
    assert code == 0
    assert second == first
    assert {"loket1", "warga1", "admin"} <= {name for name, _ in first["users"]}
    assert first["villages"] > 0
    assert {c for c, *_ in first["definitions"]} == {p.stem for p in (ROOT / "processes").glob("*.bpmn")}
    assert all(version == 1 for _, version, _, _ in first["definitions"])
    deployed = [line for line in second_lines if line.endswith(")") and " v" in line]
    assert deployed and all(line.endswith("(unchanged)") for line in deployed)
