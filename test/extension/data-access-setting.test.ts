// optlab.allowDataOutsideWorkspace: contributed (off by default), documented, and turned into the
// engine's dataset access with the workspace folders as roots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { dataAccessFromSettings } from '../../extension/src/model/settings';

const ROOT = path.resolve(__dirname, '../..');

test('the setting is contributed, boolean, off by default, and listed in the README', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { type: string; default: unknown }> } } };
  const setting = pkg.contributes.configuration.properties['optlab.allowDataOutsideWorkspace'];
  assert.deepEqual([setting?.type, setting?.default], ['boolean', false]);
  assert.match(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'), /`optlab\.allowDataOutsideWorkspace`/);
});

test('only true allows reading outside; the workspace folders are the roots', () => {
  assert.deepEqual(dataAccessFromSettings(undefined, ['/a', '/b']), { roots: ['/a', '/b'], allowOutside: false });
  assert.deepEqual(dataAccessFromSettings('true', []), { roots: [], allowOutside: false });
  assert.deepEqual(dataAccessFromSettings(true, ['/a']), { roots: ['/a'], allowOutside: true });
});
