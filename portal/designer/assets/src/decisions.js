// A DMN file's decision tables in dmn-js, opened on the first decision table rather than the
// decision requirements diagram.
import DmnModeler from 'dmn-js/lib/Modeler';

import translateModule from './translate.js';

const CHANGE_DELAY_MS = 600;

/** Opens `xml` in `container`; resolves to the editor ({modeler, saveXML, destroy}). */
export function editDecisions(options) {
  const { container, xml, onChange } = options;
  container.classList.add('paten-decisions');
  // Each view takes its own modules (dmn-js does not pass the common ones on).
  const translated = { additionalModules: [translateModule] };
  const modeler = new DmnModeler({
    container, drd: translated, decisionTable: translated, literalExpression: translated,
  });
  const watched = new Set();
  let timer = null;
  let destroyed = false;

  function saveXML() {
    return modeler.saveXML({ format: true }).then((result) => result.xml);
  }

  function changed(event) {
    if (event && event.trigger === 'clear') return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      if (destroyed) return;
      saveXML().then((source) => { if (!destroyed) onChange(source); }).catch((error) => {
        if (window.console) window.console.error(error);
      });
    }, CHANGE_DELAY_MS);
  }

  // Each view (decision table, requirements diagram) has its own command stack.
  function watchActiveViewer() {
    const active = modeler.getActiveViewer();
    if (!onChange || !active || watched.has(active)) return;
    watched.add(active);
    active.on('commandStack.changed', changed);
  }
  modeler.on('views.changed', watchActiveViewer);

  const editor = {
    modeler,
    saveXML,
    destroy() {
      destroyed = true;
      if (timer) clearTimeout(timer);
      modeler.destroy();
      container.classList.remove('paten-decisions');
    },
  };

  // Opened on the first decision table straight away: the requirements diagram is drawn only
  // when the file has no table.
  return modeler.importXML(xml, { open: false }).then(() => {
    const views = modeler.getViews();
    const first = views.find((view) => view.type === 'decisionTable') || views[0];
    if (!first) throw new Error('the DMN file has nothing to show');
    return modeler.open(first);
  }).then(() => {
    watchActiveViewer();
    return editor;
  });
}
