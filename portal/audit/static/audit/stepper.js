/* The auditor's step-through: the request's diagram (bpmn-js viewer, loaded on demand) showing where
   the request stood after the chosen event, done steps green and open ones amber, with the event, who,
   when and the data entered written beside it. A range input and previous/next buttons (and the arrow
   keys on the range) move through the events; the table below says the same in text. The viewer
   is loaded as web/diagram.js loads it (that script comes first). */
(function () {
  "use strict";

  var box = document.querySelector("[data-audit-stepper]");
  var source = document.getElementById("audit-stepper-data");
  if (!box || !source) return;
  var data = JSON.parse(source.textContent);
  var positions = data.positions || [];
  var range = document.getElementById("stepper-position");
  var now = document.getElementById("stepper-now");
  var canvas = null;
  var registry = null;
  var marked = [];

  function nameOf(id) {
    var element = registry && registry.get(id);
    return (element && element.businessObject && element.businessObject.name) || id;
  }

  function describe(position) {
    var parts = [box.dataset.labelEvent + " #" + position.seq + ": " + position.label + " · " + position.who +
      " · " + new Date(position.at).toLocaleString()];
    var current = position.current.map(nameOf);
    parts.push(box.dataset.labelCurrent + " " + (current.length ? current.join(", ") : box.dataset.labelNone));
    var keys = Object.keys(position.data || {});
    if (keys.length) {
      parts.push(box.dataset.labelData + " " + keys.map(function (k) { return k + " = " + JSON.stringify(position.data[k]); }).join("; "));
    }
    now.textContent = parts.join(". ");
  }

  function mark(position) {
    if (!canvas) return;
    marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
    marked = [];
    position.done.forEach(function (id) {
      if (registry.get(id) && position.current.indexOf(id) < 0) { canvas.addMarker(id, "paten-done"); marked.push([id, "paten-done"]); }
    });
    position.current.forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, "paten-current"); marked.push([id, "paten-current"]); }
    });
  }

  function show(index) {
    if (!positions.length) return;
    index = Math.max(0, Math.min(positions.length - 1, index));
    range.value = String(index);
    box.dataset.position = String(positions[index].seq);
    describe(positions[index]);
    mark(positions[index]);
    document.querySelectorAll(".audit-history tr.is-chosen").forEach(function (row) { row.classList.remove("is-chosen"); });
    var row = document.getElementById("peristiwa-" + positions[index].seq);
    if (row) row.classList.add("is-chosen");
  }

  range.addEventListener("input", function () { show(parseInt(range.value, 10)); });
  document.querySelectorAll(".stepper-controls [data-step]").forEach(function (button) {
    button.addEventListener("click", function () { show(parseInt(range.value, 10) + parseInt(button.dataset.step, 10)); });
  });
  show(positions.length - 1);

  window.PatenDiagram.loadViewer(box.dataset.viewer).then(function () {
    var viewer = new window.BpmnJS({ container: box });
    return viewer.importXML(data.bpmn_xml).then(function () {
      canvas = viewer.get("canvas");
      registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport", "auto");
      box.classList.add("is-ready");
      show(parseInt(range.value, 10));
    });
  }).catch(function (error) {
    box.classList.add("is-failed");
    if (window.console) window.console.warn(error);
  });
})();
