/* The designer's pages: hands the page's diagram to the modeler bundle (window.PatenModeler), lists
   the problems lint finds, fills the save form with the edited XML, and draws the comparison.
   The XML and the differences come embedded in the page (json_script), never from inline script. */
(function () {
  "use strict";

  function embedded(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function showProblems(list, problems) {
    if (!list) return;
    list.textContent = "";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      item.className = problem.severity === "warning" ? "warning" : "error";
      item.dataset.element = problem.element_id || "";
      var where = problem.element_id ? problem.element_id + ": " : "";
      item.textContent = where + problem.message;
      list.appendChild(item);
    });
    var blocking = problems.some(function (p) { return p.severity !== "warning" && p.source !== "bpmnlint"; });
    document.querySelectorAll("[data-needs-clean-lint]").forEach(function (button) {
      button.disabled = blocking;
    });
    var status = document.getElementById("status-lint");
    if (status) status.textContent = blocking ? status.dataset.bad : status.dataset.good;
  }

  function savingWith(form, editor) {
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.filled) return;
      event.preventDefault();
      editor.saveXML().then(function (xml) {
        form.querySelector("[name=source]").value = xml;
        form.dataset.filled = "1";
        form.submit();
      });
    });
  }

  function lintOnChange(box, list) {
    var timer = null;
    return function (xml) {
      if (!box.dataset.lintUrl) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        fetch(box.dataset.lintUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
          body: JSON.stringify({ source: xml, filename: box.dataset.filename })
        }).then(function (r) { return r.json(); }).then(function (answer) {
          showProblems(list, (answer.problems || []).map(function (p) { p.source = "server"; return p; }));
        });
      }, 600);
    };
  }

  function startModeler(box) {
    var list = document.getElementById("daftar-masalah");
    var form = document.getElementById("simpan-draf");
    var xml = embedded(box.dataset.source);
    if (box.dataset.kind === "decisions") {
      var lint = lintOnChange(box, list);
      return window.PatenModeler.editDecisions({ container: box.querySelector(".designer-canvas"), xml: xml, onChange: lint })
        .then(function (editor) { lint(xml); savingWith(form, editor); });
    }
    return window.PatenModeler.edit({
      canvas: box.querySelector(".designer-canvas"), properties: box.querySelector(".designer-properties"),
      xml: xml, lintUrl: box.dataset.lintUrl, filename: box.dataset.filename, csrfToken: csrfToken(),
      onProblems: function (problems) { showProblems(list, problems); }
    }).then(function (editor) {
      window.patenEditor = editor;
      savingWith(form, editor);
    });
  }

  function startCompare(box) {
    var data = embedded(box.dataset.source);
    return window.PatenModeler.compare({
      left: box.querySelector("[data-side=left]"), right: box.querySelector("[data-side=right]"),
      leftXml: data.left, rightXml: data.right, diff: data.diff
    });
  }

  function start() {
    if (!window.PatenModeler) return;
    var modeler = document.querySelector("[data-paten-modeler]");
    if (modeler && window.matchMedia("(min-width: 56rem)").matches) {
      startModeler(modeler).then(function () { modeler.dataset.ready = "1"; });
    }
    var compare = document.querySelector("[data-paten-compare]");
    if (compare) startCompare(compare).then(function () { compare.dataset.ready = "1"; });
    var problems = embedded("masalah-server");
    if (problems) showProblems(document.getElementById("daftar-masalah"), problems);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
