// Vitest global setup for the browser tests: builds the web client (client/dist, which the server
// serves at /) when it is missing or older than its sources — the same `vite build` as
// `npm run build:client`, through client/build-if-stale.mjs — and says once, loudly, when the
// browser tests will be skipped because there is no Chromium.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { CHROMIUM, HAVE_CHROMIUM, IN_CI, REPO, SHOTS_OUT, SKIP_REASON } from './helpers-env.ts';

export default function setup(project: TestProject): void {
  project.provide('clientBuildError', '');
  // Screenshots of a previous failure would mislead: a failing test takes new ones.
  for (const f of safeList(SHOTS_OUT)) if (/^failure-.*\.png$/.test(f)) rmSync(join(SHOTS_OUT, f), { force: true });
  if (!HAVE_CHROMIUM) {
    process.stderr.write(`\n⚠ e2e: browser tests ${IN_CI ? 'will FAIL' : 'are SKIPPED'}: ${SKIP_REASON}\n\n`);
    if (!IN_CI) return;
  }
  const started = Date.now();
  const run = spawnSync(process.execPath, [join(REPO, 'client/build-if-stale.mjs')], { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
  // Not thrown: that would stop every test; the browser tests fail with it instead.
  if (run.status !== 0) project.provide('clientBuildError', `building the web client failed (exit ${run.status ?? run.signal}); run \`npm run build:client\` to see why`);
  const ms = Date.now() - started;
  if (ms > 1000) process.stderr.write(`e2e: client built in ${(ms / 1000).toFixed(1)} s; browser tests use ${CHROMIUM}\n`);
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
