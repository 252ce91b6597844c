import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', '.optlab/**', '.test-tmp/**', '.vscode-test/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', require: 'readonly', __dirname: 'readonly', module: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The engine is a standalone library: it must never reach into the editor.
    files: ['engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'engine/ never imports vscode' }], patterns: ['**/extension/**', '**/webview/**'] }],
    },
  },
  {
    // The editor side reaches the engine only through its public entry and its protocol (the same
    // rule as .dependency-cruiser.cjs, which `npm run deps` checks; here it shows in the editor).
    files: ['extension/**/*.ts', 'webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/src/**', '!**/engine/src/index', '!**/engine/src/protocol', '!**/engine/src/protocol/**'],
              message: 'extension/ and webview/ import the engine only from engine/src (its index.ts) or engine/src/protocol: export what you need there.',
            },
          ],
        },
      ],
    },
  },
);
