import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PANELS } from '../../engine/src/protocol/panels';
import { parseHostMessage } from '../../engine/src/protocol/view-messages';
import { VIEW_TYPES, kindOfViewType } from '../../extension/src/model/panel-state';

const root = path.resolve(__dirname, '../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { activationEvents: string[]; contributes: { commands: { command: string }[] } };
const panelsDir = path.join(root, 'webview/src/panels');

describe('panel descriptors', () => {
  test('every descriptor has its folder (index.ts, panel.css) and every folder a descriptor', () => {
    const folders = fs.readdirSync(panelsDir).filter((f) => fs.statSync(path.join(panelsDir, f)).isDirectory()).sort();
    assert.deepEqual(folders, PANELS.map((p) => p.kind).sort());
    for (const p of PANELS) {
      for (const f of ['index.ts', 'panel.css']) assert.ok(fs.existsSync(path.join(panelsDir, p.kind, f)), `webview/src/panels/${p.kind}/${f}`);
      // The entry starts the panel under its own kind.
      assert.match(fs.readFileSync(path.join(panelsDir, p.kind, 'index.ts'), 'utf8'), new RegExp(`startPanel\\('${p.kind}'`));
    }
  });

  test('the manifest activates on each panel and contributes the commands that open it', () => {
    const commands = new Set(manifest.contributes.commands.map((c) => c.command));
    for (const p of PANELS) {
      assert.ok(manifest.activationEvents.includes(`onWebviewPanel:${p.viewType}`), `activationEvents lacks onWebviewPanel:${p.viewType}`);
      for (const c of p.commands) assert.ok(commands.has(c), `${p.kind}: command ${c} is not contributed`);
    }
  });

  test('the host derives its view types from the descriptors; the view protocol accepts exactly their kinds', () => {
    for (const p of PANELS) {
      assert.equal(VIEW_TYPES[p.kind], p.viewType);
      assert.equal(kindOfViewType(p.viewType), p.kind);
      assert.doesNotThrow(() => parseHostMessage({ type: 'init', panel: p.kind, title: 't' }));
    }
    assert.throws(() => parseHostMessage({ type: 'init', panel: 'notAPanel', title: 't' }), /unknown panel/);
    assert.equal(new Set(PANELS.map((p) => p.viewType)).size, PANELS.length);
  });
});
