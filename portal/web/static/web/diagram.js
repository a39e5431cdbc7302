/* Shows a request's BPMN diagram with bpmn-js's viewer (loaded on demand from the build folder):
   fits it to its box, marks done steps and open steps, and fills the text list when the page has
   only a URL to fetch the data from. Without the viewer the text list stays, and the box hides. */
(function () {
  "use strict";

  function loadViewer(src) {
    if (window.BpmnJS) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("viewer did not load: " + src)); };
      document.head.appendChild(script);
    });
  }

  function readData(box) {
    if (box.dataset.source) {
      return Promise.resolve(JSON.parse(document.getElementById(box.dataset.source).textContent));
    }
    return fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("diagram data: HTTP " + response.status);
        return response.json();
      });
  }

  function names(registry, ids) {
    return ids.map(function (id) {
      var element = registry.get(id);
      return (element && element.businessObject && element.businessObject.name) || id;
    });
  }

  function fillSteps(box, registry, data) {
    var target = document.getElementById(box.getAttribute("aria-describedby"));
    if (!target || target.textContent.trim()) return;
    var none = box.dataset.labelNone;
    [[box.dataset.labelDone, data.done || []], [box.dataset.labelCurrent, data.current || []]].forEach(function (row, i) {
      var line = document.createElement("span");
      var label = document.createElement("strong");
      label.textContent = row[0];
      line.appendChild(label);
      line.appendChild(document.createTextNode(" " + (row[1].length ? names(registry, row[1]).join(", ") : none) + (i === 0 ? ";" : "")));
      target.appendChild(line);
    });
  }

  function show(box) {
    return Promise.all([readData(box), loadViewer(box.dataset.viewer)]).then(function (loaded) {
      var data = loaded[0];
      var viewer = new window.BpmnJS({ container: box });
      return viewer.importXML(data.bpmn_xml).then(function () {
        var canvas = viewer.get("canvas");
        var registry = viewer.get("elementRegistry");
        canvas.zoom("fit-viewport", "auto");
        (data.done || []).forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "paten-done"); });
        (data.current || []).forEach(function (id) { if (registry.get(id)) canvas.addMarker(id, "paten-current"); });
        fillSteps(box, registry, data);
        box.classList.add("is-ready");
      });
    });
  }

  // Other pages' diagram scripts load the viewer the same way.
  window.PatenDiagram = { loadViewer: loadViewer };

  document.querySelectorAll("[data-paten-diagram]").forEach(function (box) {
    show(box).catch(function (error) {
      box.classList.add("is-failed");
      if (window.console) window.console.warn(error);
    });
  });
})();
