// The process designer's editor: bpmn-js Modeler with the Camunda 7 properties panel, bpmnlint's
// recommended rules on the canvas, and the portal's own lint answer shown on the elements it names.
import BpmnModeler from 'bpmn-js/lib/Modeler';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule,
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import lintModule from 'bpmn-js-bpmnlint';
import bpmnlintConfig from 'paten:bpmnlint-config';

import translateModule, { translate } from './translate.js';

const CHANGE_DELAY_MS = 600;
const SEVERITIES = ['error', 'warning'];

function severityOf(value) {
  return value === 'error' ? 'error' : 'warning';
}

/** bpmnlint's issues (grouped by the element they are shown on) as one flat list. */
function lintProblems(issues) {
  const problems = [];
  Object.keys(issues || {}).forEach((shownOn) => {
    issues[shownOn].forEach((issue) => {
      problems.push({
        element_id: issue.actualElementId || issue.id || shownOn,
        message: translate(issue.message),
        severity: severityOf(issue.category),
        source: 'bpmnlint',
        code: issue.rule || '',
      });
    });
  });
  return problems;
}

function serverProblems(answer) {
  const list = answer && Array.isArray(answer.problems) ? answer.problems : [];
  return list.map((problem) => ({
    element_id: problem.element_id || '',
    message: String(problem.message || ''),
    severity: severityOf(problem.severity),
    source: 'server',
    code: problem.code || '',
  }));
}

/** The shape a problem is shown on: the element itself, or the pool of a process it names. */
function shapeFor(registry, id) {
  if (!id) return null;
  const element = registry.get(id);
  if (element) return element;
  const pool = registry.find(
    (candidate) => candidate.type === 'bpmn:Participant'
      && candidate.businessObject.processRef && candidate.businessObject.processRef.id === id,
  );
  return pool || null;
}

function badge(problems) {
  const worst = problems.some((problem) => problem.severity === 'error') ? 'error' : 'warning';
  const node = document.createElement('span');
  node.className = `paten-problem-badge paten-problem-badge-${worst}`;
  node.textContent = problems.length > 1 ? String(problems.length) : '!';
  node.title = problems.map((problem) => problem.message).join('\n');
  node.setAttribute('role', 'img');
  node.setAttribute('aria-label', node.title);
  return { node, worst };
}

/**
 * Shows the server's problems: a badge and a marker on each element named, the rest in `list`
 * (the page's, or one drawn over the bottom of the canvas).
 */
function serverMarks(modeler, list) {
  const canvas = modeler.get('canvas');
  const overlays = modeler.get('overlays');
  const registry = modeler.get('elementRegistry');
  const markers = ['paten-problem', ...SEVERITIES.map((severity) => `paten-problem-${severity}`)];
  let marked = [];
  list.classList.add('paten-problem-list');
  list.hidden = true;

  function clear() {
    overlays.remove({ type: 'paten-problem' });
    marked.filter((id) => registry.get(id)).forEach((id) => {
      markers.forEach((marker) => canvas.removeMarker(id, marker));
    });
    marked = [];
  }

  function show(problems) {
    clear();
    const byShape = new Map();
    const loose = [];
    problems.forEach((problem) => {
      const shape = shapeFor(registry, problem.element_id);
      if (!shape || !shape.parent) {
        loose.push(problem);
        return;
      }
      if (!byShape.has(shape.id)) byShape.set(shape.id, []);
      byShape.get(shape.id).push(problem);
    });
    byShape.forEach((onShape, id) => {
      const { node, worst } = badge(onShape);
      overlays.add(id, 'paten-problem', { position: { bottom: 8, left: -8 }, html: node });
      canvas.addMarker(id, 'paten-problem');
      canvas.addMarker(id, `paten-problem-${worst}`);
      marked.push(id);
    });
    list.replaceChildren(...loose.map((problem) => {
      const item = document.createElement('li');
      item.className = `paten-problem-item paten-problem-item-${problem.severity}`;
      item.textContent = problem.element_id ? `${problem.element_id}: ${problem.message}` : problem.message;
      return item;
    }));
    list.hidden = loose.length === 0;
  }

  return { show };
}

/**
 * Opens `xml` in a modeler drawn in `canvas`, its properties panel in `properties`; resolves to
 * the editor ({modeler, saveXML, problems, lint, destroy}).
 */
export function edit(options) {
  const {
    canvas, properties, xml, lintUrl, csrfToken, onChange, onProblems, filename, problemList,
  } = options;
  canvas.classList.add('paten-modeler-canvas');
  if (properties) properties.classList.add('paten-modeler-properties');

  const modeler = new BpmnModeler({
    container: canvas,
    propertiesPanel: properties ? { parent: properties } : undefined,
    additionalModules: [
      translateModule,
      ...(properties ? [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule] : []),
      CamundaBehaviorsModule,
      lintModule,
    ],
    moddleExtensions: { camunda: camundaModdle },
    linting: { bpmnlint: bpmnlintConfig, active: true },
  });
  const ownList = !problemList;
  const list = problemList || document.createElement('ul');
  if (ownList) canvas.appendChild(list);
  const marks = serverMarks(modeler, list);

  const state = { server: [], lint: [], timer: null, sequence: 0, destroyed: false };

  function merged() {
    return state.server.concat(state.lint).map((problem) => ({ ...problem }));
  }

  function report() {
    if (onProblems && !state.destroyed) onProblems(merged());
  }

  function askServer(source) {
    const sequence = ++state.sequence;
    return fetch(lintUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken || '' },
      body: JSON.stringify({ source, filename }),
    })
      .then((response) => response.json().catch(() => null).then((answer) => {
        if (answer && Array.isArray(answer.problems)) return serverProblems(answer);
        throw new Error(`HTTP ${response.status}`);
      }))
      .catch((error) => [{
        element_id: '',
        message: `Pemeriksaan di server gagal (${error.message}).`,
        severity: 'warning',
        source: 'server',
        code: 'lint-unavailable',
      }])
      .then((problems) => {
        if (sequence === state.sequence && !state.destroyed) {
          state.server = problems;
          marks.show(problems);
          report();
        }
        return merged();
      });
  }

  function saveXML() {
    return modeler.saveXML({ format: true }).then((result) => result.xml);
  }

  function refresh() {
    state.timer = null;
    if (state.destroyed) return Promise.resolve(merged());
    return saveXML().then((source) => {
      if (state.destroyed) return merged();
      if (onChange) onChange(source);
      return lintUrl ? askServer(source) : merged();
    });
  }

  function logFailure(error) {
    if (window.console) window.console.error(error);
  }

  modeler.on('linting.completed', (event) => {
    state.lint = lintProblems(event.issues);
    report();
  });
  modeler.on('commandStack.changed', (event) => {
    if (event.trigger === 'clear') return; // an import, reported once it is done
    if (state.timer) clearTimeout(state.timer);
    state.timer = setTimeout(() => { refresh().catch(logFailure); }, CHANGE_DELAY_MS);
  });

  const editor = {
    modeler,
    saveXML,
    problems: merged,
    lint() {
      if (!lintUrl) return Promise.resolve(merged());
      return saveXML().then(askServer);
    },
    destroy() {
      state.destroyed = true;
      if (state.timer) clearTimeout(state.timer);
      modeler.destroy();
      if (ownList) list.remove();
      else list.replaceChildren();
      canvas.classList.remove('paten-modeler-canvas');
      if (properties) properties.classList.remove('paten-modeler-properties');
    },
  };

  return modeler.importXML(xml).then(() => {
    modeler.get('canvas').zoom('fit-viewport', 'auto');
    refresh().catch(logFailure);
    return editor;
  });
}
