#!/usr/bin/env node
// Builds the web client (client/dist) when it is missing or older than its sources.
// Run by `npm start` (prestart) and `npm install` (postinstall, with --never-fail: an install must
// not fail because the client could not be built, e.g. when dev dependencies were omitted).
//
//   node client/build-if-stale.mjs [--never-fail] [--force]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const clientDir = dirname(fileURLToPath(import.meta.url));
const repo = join(clientDir, '..');
const neverFail = process.argv.includes('--never-fail');
const force = process.argv.includes('--force');
const built = join(clientDir, 'dist', 'index.html');

/** The newest modification time (ms) under `path`; 0 when it does not exist. */
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}

// What the bundle is made from: the client itself and the protocol it imports.
const sources = [
  join(clientDir, 'src'),
  join(clientDir, 'index.html'),
  join(clientDir, 'vite.config.ts'),
  join(repo, 'server', 'protocol'),
  join(repo, 'package-lock.json'),
];

function finish(code, message) {
  if (message) console.error(`firedrill client: ${message}`);
  process.exit(neverFail ? 0 : code);
}

const builtAt = existsSync(built) ? statSync(built).mtimeMs : 0;
const sourcesAt = Math.max(...sources.map(newest));
if (!force && builtAt > 0 && builtAt >= sourcesAt) process.exit(0);

const vite = join(repo, 'node_modules', 'vite', 'bin', 'vite.js');
if (!existsSync(vite)) {
  // Not a failure: a production install without dev dependencies still serves the API.
  finish(0, builtAt > 0
    ? 'vite is not installed (dev dependencies omitted?); serving the existing, older build'
    : 'vite is not installed (dev dependencies omitted?), so the web client was not built; the API still works. Run `npm install` with dev dependencies, then `npm run build:client`.');
}

console.error(`firedrill client: ${builtAt ? 'sources changed' : 'no build yet'}; building client/dist …`);
const run = spawnSync(process.execPath, [vite, 'build', '--config', join(clientDir, 'vite.config.ts'), '--logLevel', 'warn'], { cwd: repo, stdio: 'inherit' });
if (run.status !== 0) finish(1, `the build failed (exit ${run.status ?? run.signal}); run \`npm run build:client\` to see why`);
console.error('firedrill client: built client/dist');
