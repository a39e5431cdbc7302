"""The designer's bundle (var/build/static/vendor/designer/, built by `make designer-assets`) in a
real browser under the portal's Content-Security-Policy: the modeler edits sktm with its properties
panel, shows the portal's lint answer and bpmnlint's problems on the elements, compare() marks a
diff on two synchronised viewers and editDecisions() shows a DMN decision table.

No page of the portal is involved: the test serves a bare page on the live server's origin through
Playwright's routing, which loads the bundle from the live server's static files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings

from tests.conftest import ROOT
from tests.e2e.conftest import DESKTOP, assert_fits

BUNDLE = ROOT / "var" / "build" / "static" / "vendor" / "designer"
PAGE = "/__bundle_test__/"
LINT = PAGE + "lint/"
PAGE_HTML = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Uji bundel perancang</title>
<link rel="stylesheet" href="/static/vendor/designer/modeler.css">
<link rel="stylesheet" href="/__bundle_test__/page.css">
<script src="/static/vendor/designer/modeler.js"></script>
</head><body>
<h1>Uji bundel perancang</h1>
<div class="editor"><div id="canvas"></div><div id="properties"></div></div>
<div class="versions"><div id="left"></div><div id="right"></div></div>
<div id="decisions"></div>
</body></html>"""
# The page lays the boxes out as a portal page would: canvas and properties side by side.
PAGE_CSS = """body { margin: 0; padding: 8px; font-family: sans-serif; }
.editor, .versions { display: flex; gap: 8px; height: 560px; margin-bottom: 8px; }
#canvas, #left, #right { flex: 1 1 0; min-width: 0; border: 1px solid #ccc; }
#properties { flex: 0 0 340px; border: 1px solid #ccc; }
#decisions { height: 420px; border: 1px solid #ccc; }"""
SERVER_PROBLEMS = [
    {
        "element_id": "Task_PeriksaKelengkapan",
        "message": "Isian formulir 'catatan' belum diberi label",
        "severity": "error",
        "code": "form-field-label",
    },
    {"element_id": "", "message": "Standar layanan belum terbit", "severity": "warning", "code": "standard"},
]
# A task nobody reaches and that leads nowhere: bpmnlint's no-disconnected rule reports it.
BROKEN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="Definitions_Rusak" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="rusak" isExecutable="true">
    <bpmn:startEvent id="StartEvent_Mulai" name="Mulai"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_Mulai" targetRef="EndEvent_Selesai" />
    <bpmn:endEvent id="EndEvent_Selesai" name="Selesai"><bpmn:incoming>Flow_1</bpmn:incoming></bpmn:endEvent>
    <bpmn:task id="Task_Yatim" name="Tugas yatim" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="Diagram_Rusak"><bpmndi:BPMNPlane id="Plane_Rusak" bpmnElement="rusak">
    <bpmndi:BPMNShape id="Shape_Mulai" bpmnElement="StartEvent_Mulai"><dc:Bounds x="100" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Shape_Selesai" bpmnElement="EndEvent_Selesai"><dc:Bounds x="300" y="100" width="36" height="36" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="Shape_Yatim" bpmnElement="Task_Yatim"><dc:Bounds x="170" y="220" width="100" height="80" /></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="Edge_1" bpmnElement="Flow_1"><di:waypoint x="136" y="118" /><di:waypoint x="300" y="118" /></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""  # noqa: E501


class BundlePage:
    """The bare page, the lint requests it sent and everything it logged."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.lint_requests: list[dict[str, Any]] = []
        self.console: list[str] = []
        self.errors: list[str] = []
        page.on("console", lambda message: self.console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def serve(self, route: Any) -> None:
        request = route.request
        path = request.url.split("?", 1)[0].split("/__bundle_test__/", 1)[1]
        if path == "":
            headers = {"Content-Security-Policy": settings.PATEN_DESIGNER_CSP}
            route.fulfill(status=200, content_type="text/html; charset=utf-8", headers=headers, body=PAGE_HTML)
        elif path == "page.css":
            route.fulfill(status=200, content_type="text/css", body=PAGE_CSS)
        elif path == "lint/" and request.method == "POST":
            self.lint_requests.append({"headers": request.headers, "body": request.post_data_json})
            answer = {"problems": SERVER_PROBLEMS, "ok": False}
            route.fulfill(status=200, content_type="application/json", body=json.dumps(answer))
        else:
            route.fulfill(status=404, body="")

    def troubles(self) -> list[str]:
        logged = [line for line in self.console if line.startswith("error") or "Content Security Policy" in line]
        return logged + self.errors


@pytest.fixture
def bundle_page(browser: Any, live_server: Any, droppable_audit_log: Any) -> Iterator[BundlePage]:
    if not (BUNDLE / "modeler.js").exists() or not (BUNDLE / "modeler.css").exists():
        pytest.fail(f"the designer's bundle is missing from {BUNDLE}: run `make designer-assets`")
    context = browser.new_context(base_url=live_server.url, locale="id-ID", **DESKTOP)
    context.set_default_timeout(15_000)
    page = context.new_page()
    watched = BundlePage(page)
    page.route(f"{live_server.url}/__bundle_test__/**", watched.serve)
    try:
        page.goto(PAGE)
        page.wait_for_function("() => window.PatenModeler !== undefined")
        yield watched
        page.wait_for_timeout(300)  # anything still to be logged
        assert watched.troubles() == [], f"console errors, page errors or CSP violations: {watched.troubles()}"
    finally:
        context.close()


def _catalogue(name: str) -> str:
    return (ROOT / "processes" / name).read_text(encoding="utf-8")


def _edit(page: Any, xml: str, lint_url: str | None) -> None:
    page.evaluate(
        """async ({xml, lintUrl}) => {
            window.seen = {changes: [], problems: []};
            window.editor = await PatenModeler.edit({
                canvas: document.getElementById("canvas"),
                properties: document.getElementById("properties"),
                xml, lintUrl, csrfToken: "token-uji", filename: "sktm.bpmn",
                onChange: (source) => window.seen.changes.push(source),
                onProblems: (list) => window.seen.problems.push(list),
            });
        }""",
        {"xml": xml, "lintUrl": lint_url},
    )


def test_the_modeler_edits_sktm_shows_the_portals_lint_answer_and_reports_each_change(
    bundle_page: BundlePage,
) -> None:
    page = bundle_page.page
    _edit(page, _catalogue("sktm.bpmn"), LINT)

    # the diagram is drawn, with the palette in Indonesian
    task = "#canvas .djs-element.djs-shape[data-element-id='Task_PeriksaKelengkapan']"
    page.wait_for_selector(task)
    assert page.locator("#canvas .djs-element.djs-shape").count() > 20
    assert page.locator("#canvas .djs-palette [aria-label='Buat tugas']").count() == 1

    # once at start: the XML to onChange and to the lint URL, as JSON with the CSRF token
    page.wait_for_function("() => window.seen.changes.length >= 1")
    assert 'id="Task_LengkapiBerkas"' in page.evaluate("window.seen.changes[0]")
    page.wait_for_function(
        "() => window.seen.problems.some((list) => list.some((problem) => problem.source === 'server'))"
    )
    sent = bundle_page.lint_requests[0]
    assert sent["headers"]["x-csrftoken"] == "token-uji"
    assert sent["headers"]["content-type"] == "application/json"
    assert sent["body"]["filename"] == "sktm.bpmn"
    assert 'id="Task_PeriksaKelengkapan"' in sent["body"]["source"]

    # the server's problem sits on its element; the one without an element is listed
    badge = page.locator(".djs-overlays[data-container-id='Task_PeriksaKelengkapan'] .paten-problem-badge-error")
    assert badge.count() == 1
    assert "belum diberi label" in (badge.get_attribute("title") or "")
    assert page.locator(f"{task}.paten-problem.paten-problem-error").count() == 1
    assert "Standar layanan belum terbit" in page.inner_text("#canvas .paten-problem-list")
    merged = page.evaluate("window.editor.problems()")
    server = [p for p in merged if p["source"] == "server"]
    assert {"element_id": "Task_PeriksaKelengkapan", "severity": "error"}.items() <= server[0].items()
    assert {p["source"] for p in merged} <= {"server", "bpmnlint"}

    # selecting the user task opens its properties, forms among them, in Indonesian
    page.evaluate(
        "() => { const m = window.editor.modeler; m.get('selection').select(m.get('elementRegistry').get('Task_PeriksaKelengkapan')); }"  # noqa: E501
    )
    page.wait_for_selector("#properties .bio-properties-panel-header-label")
    assert "Periksa" in page.inner_text("#properties .bio-properties-panel-header-label")
    assert page.text_content("#properties .bio-properties-panel-header-type") == "Tugas pengguna"
    groups = page.locator("#properties .bio-properties-panel-group-header-title").all_inner_texts()
    assert {"Umum", "Formulir", "Sifat tambahan"} <= set(groups), groups
    assert page.locator("#canvas .bjs-powered-by").is_visible()
    assert_fits(page)

    # deleting an element through the modeler's API reaches onChange without it
    with page.expect_request(lambda request: request.url.endswith(LINT)) as linted:
        page.evaluate(
            """() => {
                const m = window.editor.modeler;
                m.get("modeling").removeElements([m.get("elementRegistry").get("Task_LengkapiBerkas")]);
            }"""
        )
    page.wait_for_function("() => !window.seen.changes.at(-1).includes('id=\"Task_LengkapiBerkas\"')")
    assert 'id="Task_PeriksaKelengkapan"' in page.evaluate("window.seen.changes.at(-1)")
    assert 'id="Task_LengkapiBerkas"' not in linted.value.post_data_json["source"]
    assert 'id="Task_LengkapiBerkas"' not in page.evaluate("window.editor.saveXML()")
    assert len(page.evaluate("window.editor.lint()")) >= 2

    # a problem on an element that is gone moves to the list
    page.evaluate(
        """() => {
            const m = window.editor.modeler;
            m.get("modeling").removeElements([m.get("elementRegistry").get("Task_PeriksaKelengkapan")]);
        }"""
    )
    page.wait_for_function(
        "() => document.querySelector('#canvas .paten-problem-list').textContent.includes('Task_PeriksaKelengkapan')"
    )
    assert page.locator("#canvas .paten-problem-badge").count() == 0


def test_bpmnlint_reports_a_task_nobody_reaches(bundle_page: BundlePage) -> None:
    page = bundle_page.page
    _edit(page, BROKEN, None)
    page.wait_for_function(
        """() => window.seen.problems.some((list) => list.some(
            (problem) => problem.source === "bpmnlint" && problem.element_id === "Task_Yatim"))"""
    )
    problems = [p for p in page.evaluate("window.editor.problems()") if p["element_id"] == "Task_Yatim"]
    assert {"severity": "error", "message": "Elemen tidak tersambung"}.items() <= problems[0].items(), problems
    assert page.locator(".djs-overlays[data-container-id='Task_Yatim'] .bjsl-overlay").count() == 1
    assert bundle_page.lint_requests == []  # no lint URL given: nothing is sent
    page.evaluate("window.editor.destroy()")
    assert page.locator("#canvas .djs-container").count() == 0


def test_compare_marks_the_diff_on_both_versions_and_moves_them_together(bundle_page: BundlePage) -> None:
    page = bundle_page.page
    xml = _catalogue("sktm.bpmn")
    page.evaluate(
        """async ({xml}) => {
            window.versions = await PatenModeler.compare({
                left: document.getElementById("left"), right: document.getElementById("right"),
                leftXml: xml, rightXml: xml,
                diff: {removed: ["Task_LengkapiBerkas"], added: ["Task_VerifikasiData"],
                       changed: [{id: "Task_PeriksaKelengkapan", properties: ["name"]}]},
            });
        }""",
        {"xml": xml},
    )
    assert page.locator("#left .djs-element.paten-diff-removed[data-element-id='Task_LengkapiBerkas']").count() == 1
    assert page.locator("#right .djs-element.paten-diff-added[data-element-id='Task_VerifikasiData']").count() == 1
    for side in ("left", "right"):
        changed = f"#{side} .djs-element.paten-diff-changed[data-element-id='Task_PeriksaKelengkapan']"
        assert page.locator(changed).count() == 1
    assert page.locator("#right .paten-diff-removed, #left .paten-diff-added").count() == 0
    assert sorted(page.locator("#left .paten-diff-badge").all_inner_texts()) == ["dihapus", "diubah"]
    assert sorted(page.locator("#right .paten-diff-badge").all_inner_texts()) == ["ditambah", "diubah"]

    moved = page.evaluate(
        """() => {
            const left = window.versions.left.get("canvas");
            left.zoom(1.5);
            left.scroll({dx: -120, dy: 40});
            const a = left.viewbox(), b = window.versions.right.get("canvas").viewbox();
            return [a.x, a.y, a.scale, b.x, b.y, b.scale];
        }"""
    )
    assert moved[0:3] == pytest.approx(moved[3:6], abs=0.01)
    assert moved[2] == pytest.approx(1.5)


def test_edit_decisions_shows_the_decision_table(bundle_page: BundlePage) -> None:
    page = bundle_page.page
    page.evaluate(
        """async ({xml}) => {
            window.dmnChanges = [];
            window.decisions = await PatenModeler.editDecisions({
                container: document.getElementById("decisions"), xml,
                onChange: (source) => window.dmnChanges.push(source),
            });
        }""",
        {"xml": _catalogue("decisions/rekomendasi_keramaian.dmn")},
    )
    page.wait_for_selector("#decisions table")
    table = page.inner_text("#decisions table")
    assert "Perkiraan jumlah peserta" in table
    assert "Kepala Kepolisian Sektor Babulu" in table
    assert page.locator("#decisions table tbody tr").count() >= 3
    assert 'id="rekomendasi_keramaian"' in page.evaluate("window.decisions.saveXML()")
    assert page.locator("#decisions .bjs-powered-by").is_visible()
    assert_fits(page)

    # an edit in the table reaches onChange
    page.evaluate("() => window.decisions.modeler.getActiveViewer().get('modeling').editHitPolicy('FIRST')")
    page.wait_for_function("() => window.dmnChanges.length >= 1")
    assert 'hitPolicy="FIRST"' in page.evaluate("window.dmnChanges.at(-1)")
