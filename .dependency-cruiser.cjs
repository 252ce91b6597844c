// Import rules that `npm run deps` checks (and `npm test` runs): no import cycles, and the engine's
// public entry is the only door from the editor side into the engine. See the README's
// architecture section.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycle',
      severity: 'error',
      comment: 'Two folders import each other: neither can be read or moved without the other. Move what both need into a module of one of them (or a third folder) that imports nothing back.',
      scope: 'folder',
      from: { path: '^(engine|extension|webview)/src/' },
      to: { circular: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: modules that need each other cannot be understood, tested or moved one at a time. Move what both need into a module that neither imports back.',
      from: { path: '^(engine|extension|webview)/src/' },
      to: { circular: true },
    },
    {
      name: 'editor-uses-engine-entry',
      severity: 'error',
      comment: 'extension/ and webview/ import the engine only through engine/src/index.ts (its public entry) and engine/src/protocol/ (the messages). Export what you need from there.',
      from: { path: '^(extension|webview)/' },
      to: { path: '^engine/', pathNot: ['^engine/src/index\\.ts$', '^engine/src/protocol/'] },
    },
    {
      name: 'engine-stays-standalone',
      severity: 'error',
      comment: 'engine/ is a standalone library and CLI: it never imports the editor side or VS Code.',
      from: { path: '^engine/' },
      to: { path: ['^extension/', '^webview/', '^vscode$'] },
    },
    {
      name: 'no-tfjs-in-extension-host',
      severity: 'error',
      comment: 'The extension host never loads TensorFlow.js: the engine process does (a neural check is a request to it). Something reachable from the extension or the engine entry imports @tensorflow.',
      from: { path: ['^extension/src/extension\\.ts$', '^engine/src/index\\.ts$'] },
      to: { path: '@tensorflow/', reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle through types is still a cycle for the reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['^dist/', '^node_modules/'] },
  },
};
