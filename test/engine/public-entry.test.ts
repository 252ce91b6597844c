// What the editor side can reach through the engine's public entry, as esbuild bundles it (the
// same resolution as scripts/build.mjs, dynamic imports included): the extension host and
// engine/src/index.ts never reach TensorFlow.js (only the engine process loads it), and
// engine/src/protocol, all that the webviews import, bundles for a browser.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';

const ROOT = path.resolve(__dirname, '../..');

/** Bundles `entry` (nothing written) and returns "importer -> module" for every @tensorflow import. */
async function tensorflowImports(entry: string, platform: 'node' | 'browser' = 'node'): Promise<string[]> {
  const found: string[] = [];
  const spy: Plugin = {
    name: 'tensorflow-spy',
    setup(b) {
      b.onResolve({ filter: /^@tensorflow\// }, (args) => {
        found.push(`${path.relative(ROOT, args.importer)} -> ${args.path}`);
        return { path: args.path, external: true };
      });
    },
  };
  await build({ entryPoints: [entry], absWorkingDir: ROOT, bundle: true, platform, format: platform === 'node' ? 'cjs' : 'iife', write: false, logLevel: 'silent', external: ['vscode'], plugins: [spy] });
  return found;
}

describe('the engine public entry', () => {
  test('the extension host bundle reaches no @tensorflow module', async () => {
    assert.deepEqual(await tensorflowImports('extension/src/extension.ts'), []);
  });

  test('engine/src/index.ts reaches no @tensorflow module', async () => {
    assert.deepEqual(await tensorflowImports('engine/src/index.ts'), []);
  });

  test('the check finds TensorFlow.js where it is: the setup factories the engine process loads', async () => {
    const found = await tensorflowImports('engine/src/sweep/setup-factories.ts');
    assert.ok(found.some((f) => f.endsWith('-> @tensorflow/tfjs')), found.join('\n'));
  });

  test('engine/src/protocol bundles for a browser (no Node modules, no TensorFlow.js)', async () => {
    assert.deepEqual(await tensorflowImports('engine/src/protocol/index.ts', 'browser'), []);
  });
});
