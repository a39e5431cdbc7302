// Two versions of a diagram side by side: what the newer one removed, added and changed is marked,
// and panning or zooming one viewer moves the other to the same place.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

import translateModule from './translate.js';

function viewer(container) {
  container.classList.add('paten-compare-canvas');
  return new NavigatedViewer({
    container,
    additionalModules: [translateModule],
    moddleExtensions: { camunda: camundaModdle },
  });
}

function mark(target, id, kind, label, title) {
  const registry = target.get('elementRegistry');
  const element = registry.get(id);
  if (!element || !element.parent) return false;
  target.get('canvas').addMarker(element, `paten-diff-${kind}`);
  const node = document.createElement('span');
  node.className = `paten-diff-badge paten-diff-badge-${kind}`;
  node.textContent = label;
  if (title) node.title = title;
  target.get('overlays').add(element, 'paten-diff', { position: { top: -12, left: 0 }, html: node });
  return true;
}

/** Shows the other viewer exactly where `source` is (same origin and scale). */
function follow(source, target) {
  const box = source.get('canvas').viewbox();
  const canvas = target.get('canvas');
  const size = canvas.getSize();
  const current = canvas.viewbox();
  if (Math.abs(current.x - box.x) < 0.5 && Math.abs(current.y - box.y) < 0.5
      && Math.abs(current.scale - box.scale) < 0.001) {
    return;
  }
  canvas.viewbox({ x: box.x, y: box.y, width: size.width / box.scale, height: size.height / box.scale });
}

/** Centres both diagrams' union in the left viewer (the right one follows), zoomed out to fit. */
function fitBoth(older, newer) {
  const canvas = older.get('canvas');
  const boxes = [canvas.viewbox().inner, newer.get('canvas').viewbox().inner].filter((box) => box.width > 0);
  if (!boxes.length) return;
  const x = Math.min(...boxes.map((box) => box.x));
  const y = Math.min(...boxes.map((box) => box.y));
  const width = Math.max(...boxes.map((box) => box.x + box.width)) - x;
  const height = Math.max(...boxes.map((box) => box.y + box.height)) - y;
  const size = canvas.getSize();
  const scale = Math.min(1, size.width / width, size.height / height);
  const shownWidth = size.width / scale;
  const shownHeight = size.height / scale;
  canvas.viewbox({
    x: x - (shownWidth - width) / 2, y: y - (shownHeight - height) / 2, width: shownWidth, height: shownHeight,
  });
}

/**
 * Draws `leftXml` in `left` and `rightXml` in `right` and marks `diff` ({added, removed, changed});
 * resolves to {left, right, destroy} once both are drawn.
 */
export function compare(options) {
  const {
    left, right, leftXml, rightXml, diff,
  } = options;
  const older = viewer(left);
  const newer = viewer(right);
  const changes = diff || {};

  return Promise.all([older.importXML(leftXml), newer.importXML(rightXml)]).then(() => {
    (changes.removed || []).forEach((id) => mark(older, id, 'removed', 'dihapus'));
    (changes.added || []).forEach((id) => mark(newer, id, 'added', 'ditambah'));
    (changes.changed || []).forEach((change) => {
      const id = typeof change === 'string' ? change : change.id;
      const title = change.properties && change.properties.length ? `diubah: ${change.properties.join(', ')}` : '';
      mark(older, id, 'changed', 'diubah', title);
      mark(newer, id, 'changed', 'diubah', title);
    });

    // While one viewer moves the other, the other's own move event is not passed back.
    let leading = null;
    function link(source, target) {
      source.on('canvas.viewbox.changed', () => {
        if (leading && leading !== source) return;
        leading = source;
        try {
          follow(source, target);
        } finally {
          leading = null;
        }
      });
    }
    link(older, newer);
    link(newer, older);
    fitBoth(older, newer);

    return {
      left: older,
      right: newer,
      destroy() {
        older.destroy();
        newer.destroy();
      },
    };
  });
}
