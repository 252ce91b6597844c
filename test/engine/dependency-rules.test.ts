// The dependency rules (.dependency-cruiser.cjs, `npm run deps`) catch what they are for: run on
// small fixture trees laid out like the repository, they fail on an import cycle, a folder cycle,
// an editor import of an engine internal and an engine import of vscode, and pass a clean tree.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const DEPCRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'optlab-deps-'));
});
after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Writes a fixture tree (relative path -> source) and runs the rules on it, as `npm run deps` does. */
function cruise(name: string, files: Record<string, string>): { status: number | null; output: string } {
  const dir = path.join(tmp, name);
  for (const [file, source] of Object.entries({ 'tsconfig.json': '{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext" } }', ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), source);
  }
  const folders = ['engine', 'extension', 'webview'].filter((f) => fs.existsSync(path.join(dir, f)));
  // No colours: under CI (CI=true) the reporter colours its output even into a pipe.
  const r = spawnSync(process.execPath, [DEPCRUISE, ...folders, '--config', CONFIG, '--output-type', 'err-long'], { cwd: dir, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  // eslint-disable-next-line no-control-regex -- stripping terminal colour codes
  return { status: r.status, output: `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

/** A store type and the engine's public entry re-exporting it: what both trees import. */
const ENGINE_ENTRY = {
  'engine/src/store/types.ts': 'export type Row = { step: number };\n',
  'engine/src/index.ts': "export type { Row } from './store/types';\n",
};

// Two cruises (each starts TypeScript, which takes seconds): a clean tree, and one tree holding
// one violation of each kind, each checked by name.
describe('dependency rules', { concurrency: true }, () => {
  test('a clean tree passes', () => {
    const r = cruise('clean', {
      ...ENGINE_ENTRY,
      'engine/src/protocol/index.ts': "export type { Row } from '../store/types';\n",
      'extension/src/a.ts': "import type { Row } from '../../engine/src';\nexport const rows: Row[] = [];\n",
      'webview/src/b.ts': "import type { Row } from '../../engine/src/protocol';\nexport const rows: Row[] = [];\n",
    });
    assert.equal(r.status, 0, r.output);
  });

  test('each violation fails the check, named by its rule, with the reason', () => {
    const r = cruise('violations', {
      // a module cycle
      'engine/src/a/x.ts': "import { y } from './y';\nexport const x = () => y;\n",
      'engine/src/a/y.ts': "import { x } from './x';\nexport const y = () => x;\n",
      // a folder cycle without a module cycle (models -> optim/types, optim/kfac -> models)
      'engine/src/models/model.ts': "import type { Params } from '../optim/types';\nexport type Model = (p: Params) => number;\n",
      'engine/src/optim/types.ts': 'export type Params = Record<string, number>;\n',
      'engine/src/optim/kfac.ts': "import type { Model } from '../models/model';\nexport type Fit = (m: Model) => void;\n",
      // the editor importing an engine internal; the engine importing the editor and vscode
      ...ENGINE_ENTRY,
      'engine/src/bad.ts': "import * as vscode from 'vscode';\nimport { rows } from '../../extension/src/a';\nexport const x = [vscode, rows];\n",
      'extension/src/a.ts': "import type { Row } from '../../engine/src/store/types';\nexport const rows: Row[] = [];\n",
    });
    assert.notEqual(r.status, 0, r.output);
    assert.match(r.output, /error no-circular: engine\/src\/a\/[xy]\.ts/);
    assert.match(r.output, /An import cycle/, 'the rule explains itself');
    assert.match(r.output, /error no-folder-cycle: engine\/src\/(models|optim) /);
    assert.doesNotMatch(r.output, /no-circular: engine\/src\/(models|optim)/, 'no module cycle there: only the folder rule sees it');
    assert.match(r.output, /error editor-uses-engine-entry: extension\/src\/a\.ts → engine\/src\/store\/types\.ts/);
    assert.match(r.output, /error engine-stays-standalone: engine\/src\/bad\.ts → vscode/);
    assert.match(r.output, /error engine-stays-standalone: engine\/src\/bad\.ts → extension\/src\/a\.ts/);
  });
});
