// Builds the process designer's browser bundle (modeler.js and modeler.css, plus the fonts they
// name) from src/ with esbuild: `node build.mjs OUTDIR`, run by `make setup` from the repository.
// bpmnlint's recommended rules are packed into the bundle at build time, so the linter resolves
// them without any dynamic require or eval in the browser.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const require = createRequire(join(root, 'package.json'));
const esbuild = require('esbuild');
const compileConfig = require('bpmnlint/lib/support/compile-config');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');

// The virtual module src/ imports for the packed linter configuration: rules are imported
// statically by name, so esbuild bundles each one.
const bpmnlintConfig = {
  name: 'bpmnlint-config',
  setup(build) {
    build.onResolve({ filter: /^paten:bpmnlint-config$/ }, (args) => ({ path: args.path, namespace: 'bpmnlint-config' }));
    build.onLoad({ filter: /.*/, namespace: 'bpmnlint-config' }, async () => ({
      contents: await compileConfig({ extends: 'bpmnlint:recommended' }, new NodeResolver({ require })),
      loader: 'js',
      resolveDir: root,
    }));
  },
};

// The properties panel builds its two containers from markup with style attributes, which the
// page's Content-Security-Policy refuses (and reports); the same rules live in src/paten.css.
const PANEL_MARKUP = [
  ['<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container">',
    '<div tabindex="-1" class="bio-properties-panel-container">'],
  ['<div style="flex: none; height: auto" class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">',
    '<div class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">'],
];

const panelWithoutInlineStyle = {
  name: 'panel-without-inline-style',
  setup(build) {
    build.onLoad({ filter: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/ }, async (args) => {
      let contents = await readFile(args.path, 'utf8');
      for (const [markup, replacement] of PANEL_MARKUP) {
        if (!contents.includes(markup)) {
          throw new Error(`bpmn-js-properties-panel changed: ${markup} not found; review ${here}/build.mjs`);
        }
        contents = contents.replace(markup, replacement);
      }
      return { contents, loader: 'js' };
    });
  },
};

const outdir = resolve(root, process.argv[2] || 'var/build/static/vendor/designer');

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { modeler: join(here, 'src', 'index.js') },
  outdir,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome109', 'firefox115', 'safari15'],
  minify: true,
  legalComments: 'eof',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Fonts become files beside the CSS: the page's Content-Security-Policy refuses data: fonts.
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file' },
  assetNames: 'fonts/[name]-[hash]',
  plugins: [bpmnlintConfig, panelWithoutInlineStyle],
  metafile: true,
  logLevel: 'warning',
});

for (const [file, { bytes }] of Object.entries(result.metafile.outputs)) {
  console.log(`${file.replace(root + '/', '')}: ${Math.round(bytes / 1024)} KiB`);
}
