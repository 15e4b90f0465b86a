// A smoke run of the web client in a real headless Chromium against a real firedrill server:
// a facilitator creates a game day, two participants join two teams, the facilitator starts,
// blue acknowledges an alert, declares, runs a runbook step, rolls back and resolves, the charts
// move, the facilitator pauses and resumes, a second game day is halted, a reload resumes without
// losing events, a solo drill starts in one click, and the debrief shows the report.
// Screenshots of each page at 1366×768 go to test/e2e/screenshots/.
//
//   npm run build:client && npx tsx test/e2e/smoke.ts
//
// FIREDRILL_URL=http://host:port uses a running server (which must serve the client); otherwise
// the script starts `firedrill serve` on a free port with a fresh data directory, and, when that
// server does not serve the client yet, `vite preview` in front of it (proxying /api and socket.io).
// Needs Chromium (Debian: apt-get install chromium; or CHROMIUM=/path) and playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(REPO, 'test/e2e/screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1366, height: 768 };

const children: ChildProcess[] = [];
const consoleErrors: string[] = [];
const steps: string[] = [];
const pages: { label: string; page: Page }[] = [];

function log(msg: string) {
  steps.push(msg);
  process.stdout.write(`• ${msg}\n`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(cmd: string, args: string[], env: Record<string, string>, ready: RegExp): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${out}`));
    });
  });
}

async function serverBase(): Promise<string> {
  if (process.env.FIREDRILL_URL) return process.env.FIREDRILL_URL.replace(/\/$/, '');
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'fd-client-data-'));
  await start(process.execPath, ['server/bin/firedrill.mjs', 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', data], { LOG_LEVEL: 'warn' }, /firedrill is running at/);
  const url = `http://127.0.0.1:${port}`;
  const html = await fetch(url + '/').then((r) => r.text());
  if (html.includes('<div id="root">')) {
    log(`server ${url} serves the client itself`);
    return url;
  }
  // The server does not serve client/dist yet: put vite preview (same build) in front of it.
  const previewPort = await freePort();
  await start(process.execPath, [join(REPO, 'node_modules/vite/bin/vite.js'), 'preview', '--config', 'client/vite.config.ts', '--port', String(previewPort), '--strictPort', '--host', '127.0.0.1'], { FIREDRILL_SERVER: url }, /Local:|localhost|127\.0\.0\.1:\d+/);
  log(`server ${url} does not serve the client yet; using vite preview at :${previewPort} in front of it`);
  return `http://127.0.0.1:${previewPort}`;
}

async function newPage(browser: Browser, label: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  pages.push({ label, page });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`[${label}] ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`[${label}] page error: ${e.message}`));
  return { context, page };
}

async function shot(page: Page, name: string) {
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  log(`screenshot ${name}.png`);
}

async function chartSignature(page: Page): Promise<string> {
  // Strings, not functions: the root tsconfig has no DOM types (the browser evaluates them).
  return page.evaluate<string>("[...document.querySelectorAll('.chart-canvas canvas')].map((c) => c.toDataURL().length + ':' + c.toDataURL().slice(-64)).join('|')");
}

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'client/dist/index.html'))) throw new Error('client/dist is missing: run `npm run build:client` first');
  mkdirSync(SHOTS, { recursive: true });
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  const base = await serverBase();
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    // ── facilitator creates a game day ──────────────────────────────────────────────────────
    const { page: fac } = await newPage(browser, 'facilitator');
    await fac.goto(base + '/');
    await fac.getByRole('heading', { name: 'Run a game day' }).waitFor();
    await fac.getByLabel('Scenario').selectOption('friday-deploy');
    await shot(fac, '01-home');
    // keyboard: the first Tab lands on a real control with a visible focus ring
    await fac.keyboard.press('Tab');
    const focused = await fac.evaluate<string>("document.activeElement.tagName + ' ' + (document.activeElement.closest('label')?.textContent ?? '')");
    log(`first Tab focuses ${focused}`);
    await fac.getByLabel('Teams (comma-separated)').fill('blue, red');
    await fac.getByLabel('Speed').selectOption('10');
    await fac.getByRole('button', { name: 'Create game day' }).click();
    await fac.waitForURL(/\/facilitate\//);
    const sessionId = fac.url().split('/facilitate/')[1];
    const code = (await fac.locator('.join-code').textContent())?.trim() ?? '';
    if (!/^[A-Za-z0-9-]{4,}$/.test(code)) throw new Error(`no join code on the facilitator console (got "${code}")`);
    log(`created session ${sessionId}, join code ${code}`);

    // ── two participants join two teams ─────────────────────────────────────────────────────
    const join = async (label: string, name: string, team: string, role: string) => {
      const { page } = await newPage(browser, label);
      await page.goto(`${base}/?code=${encodeURIComponent(code)}`);
      await page.getByLabel('Your name').first().fill(name);
      await page.getByLabel('Team', { exact: true }).fill(team);
      await page.getByLabel('Role').selectOption(role);
      await page.getByRole('button', { name: 'Join', exact: true }).click();
      await page.waitForURL(/\/team\//);
      await page.locator('.node').first().waitFor();
      return page;
    };
    const blue = await join('blue', 'Ana', 'blue', 'ops-lead');
    const red = await join('red', 'Rui', 'red', 'incident-commander');
    log('two participants joined (blue, red)');
    await fac.locator('.people li.online').nth(1).waitFor();
    await shot(fac, '02-facilitator-lobby');
    await shot(blue, '03-team-lobby');

    // ── start; blue acknowledges the first alert; the charts move ───────────────────────────
    await fac.getByRole('button', { name: '▶ Start' }).click();
    await blue.locator('.phase-running').waitFor();
    log('started; the team console shows RUNNING');
    const sigA = await chartSignature(blue);
    await blue.waitForTimeout(2500);
    const sigB = await chartSignature(blue);
    if (sigA === sigB) throw new Error('the charts did not change in 2.5 s of a running game day');
    log('charts redraw as telemetry arrives');
    const ack = blue.getByRole('button', { name: 'Acknowledge', exact: true }).first();
    await ack.waitFor({ timeout: 120_000 });
    const alertId = (await blue.locator('.alert.firing .alert-id').first().textContent())?.trim();
    await ack.click();
    await blue.locator('.toast.ok', { hasText: 'acknowledged' }).waitFor();
    log(`blue acknowledged ${alertId}`);
    await blue.locator('.alert.firing .pill', { hasText: 'ACKED' }).first().waitFor();
    await shot(blue, '04-team-running');

    // declare an incident
    await blue.getByRole('tab', { name: /^Incident/ }).click();
    await blue.getByRole('combobox', { name: /^Severity/ }).first().selectOption('SEV2');
    await blue.getByLabel('Summary', { exact: true }).fill('checkout errors, orders suspected');
    await blue.locator('.chips label', { hasText: 'orders' }).first().click();
    await blue.getByRole('button', { name: 'Declare', exact: true }).click();
    await blue.locator('.incident-status.declared').waitFor();
    log('blue declared SEV2');
    await blue.getByRole('button', { name: 'Insert CAN template' }).click();
    await blue.getByRole('button', { name: 'Post update' }).click();
    await blue.locator('.result.ok', { hasText: 'status update posted' }).waitFor();
    log('blue posted a status update');
    await shot(blue, '05-team-incident');

    // open the runbook and run step 1
    await blue.getByRole('tab', { name: 'Runbooks' }).click();
    await blue.locator('button.runbook-open', { hasText: 'orders-latency' }).click();
    await blue.getByRole('button', { name: 'Run step' }).first().waitFor();
    await blue.getByRole('button', { name: 'Run step' }).first().click();
    await blue.locator('.steps .result.ok').first().waitFor();
    log('blue ran step 1 of orders-latency');
    await shot(blue, '06-team-runbook');

    // logs of orders
    await blue.locator('.node', { hasText: 'orders' }).first().click();
    await blue.getByRole('tab', { name: 'Logs' }).click();
    await blue.locator('.log').first().waitFor();
    await shot(blue, '07-team-logs');

    // roll back orders, with the confirmation dialog
    await blue.getByRole('tab', { name: 'Remediate' }).click();
    await blue.getByRole('button', { name: /^Roll back/ }).click();
    await blue.getByRole('dialog').waitFor();
    await shot(blue, '08-team-confirm-rollback');
    await blue.getByRole('dialog').getByRole('button', { name: 'Roll back' }).click();
    await blue.locator('.toast', { hasText: /rollback/i }).first().waitFor();
    log('blue rolled back orders (confirmed)');
    await blue.getByRole('tab', { name: 'Metrics' }).click();

    // the facilitator sees both teams side by side
    await fac.waitForTimeout(1500);
    await shot(fac, '09-facilitator-running');

    // pause: both consoles show it; resume
    await fac.getByRole('button', { name: '❚❚ Pause' }).click();
    await blue.locator('.banner.paused').waitFor();
    await red.locator('.banner.paused').waitFor();
    log('paused: the PAUSED banner shows on the team consoles');
    await shot(red, '10-team-paused');
    await fac.getByRole('button', { name: '▶ Resume' }).click();
    await blue.locator('.phase-running').waitFor();

    // the facilitator broadcasts to red, releases a hint to red and injects a fault into red
    await fac.getByRole('tab', { name: 'Broadcast' }).click();
    await fac.getByLabel('Message').fill('Customer support: checkout fails for many users. Any news?');
    await fac.getByRole('combobox', { name: /^To/ }).selectOption('red');
    await fac.getByRole('button', { name: 'Send' }).click();
    await red.locator('.notice.message', { hasText: 'Customer support' }).waitFor();
    log('red sees the facilitator\u2019s message');
    await fac.getByRole('tab', { name: 'Hints' }).click();
    await fac.locator('.tabpanel').getByRole('combobox', { name: /^Team/ }).selectOption('red');
    await fac.getByRole('button', { name: 'Release hint' }).click();
    await red.locator('.notice.hint').waitFor();
    log('red sees the released hint');
    await fac.getByRole('tab', { name: 'Inject a fault' }).click();
    await fac.getByRole('combobox', { name: /^Service/ }).selectOption('search');
    await fac.locator('.tabpanel').getByRole('combobox', { name: /^Team/ }).selectOption('red');
    await fac.getByRole('button', { name: 'Inject', exact: true }).click();
    await fac.locator('.inject .result.ok').waitFor();
    log(`facilitator injected latency into red's search: ${(await fac.locator('.inject .result').textContent())?.trim()}`);
    await shot(red, '11-team-hint-and-message');

    // a reload of the team console resumes with the token and keeps the timeline
    const beforeReload = await blue.evaluate<number>('Object.keys(sessionStorage).length');
    await blue.reload();
    await blue.locator('.conn-connected').waitFor();
    await blue.getByRole('tab', { name: 'Timeline' }).click();
    await blue.locator('.timeline li', { hasText: 'declared SEV2' }).waitFor();
    const people = await fac.locator('.people li').count();
    if (people !== 2) throw new Error(`after a reload the facilitator lists ${people} participants, expected 2 (the reload must reuse the token)`);
    log(`reload resumed the same participant (${beforeReload} keys in sessionStorage), timeline kept`);
    // a client that remembers more events than the server has (a server that lost some) drops its
    // own and replays from 0
    await blue.evaluate<void>(`(() => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith('firedrill.log.') && k.endsWith('.participant'));
      sessionStorage.setItem(key, JSON.stringify({ lastSeq: 999999, events: [{ seq: 999999, t: 1, type: 'message', text: 'a ghost from a lost log', source: 'facilitator' }] }));
    })()`);
    await blue.reload();
    await blue.locator('.conn-connected').waitFor();
    await blue.getByRole('tab', { name: 'Timeline' }).click();
    await blue.locator('.timeline li', { hasText: 'declared SEV2' }).waitFor();
    if (await blue.locator('.timeline li', { hasText: 'a ghost from a lost log' }).count()) throw new Error('events the server does not have survived a resync');
    log('a client ahead of the server resynced from 0');

    // wait for the rollback to land (105 s of simulated time), then call it mitigated and resolve
    await blue.locator('.timeline li', { hasText: 'rollback of orders completed' }).waitFor({ timeout: 60_000 });
    log('the rollback of orders completed');
    await blue.waitForTimeout(3000);
    await blue.getByRole('tab', { name: /^Incident/ }).click();
    await blue.getByRole('button', { name: 'Mark mitigated' }).click();
    await blue.getByRole('button', { name: 'Resolve incident…' }).click();
    await blue.getByRole('dialog').getByLabel('Resolution summary (optional)').fill('rolled back orders v2.14');
    await blue.getByRole('dialog').getByRole('button', { name: 'Resolve' }).click();
    await blue.locator('.result.ok', { hasText: 'incident resolved' }).first().waitFor();
    log('blue resolved the incident');

    // ── a second game day, halted ───────────────────────────────────────────────────────────
    const { page: fac2 } = await newPage(browser, 'facilitator-2');
    await fac2.goto(base + '/');
    await fac2.getByLabel('Scenario').selectOption('cache-stampede');
    await fac2.getByLabel('Teams (comma-separated)').fill('green');
    await fac2.getByRole('button', { name: 'Create game day' }).click();
    await fac2.waitForURL(/\/facilitate\//);
    await fac2.getByRole('button', { name: '▶ Start' }).click();
    await fac2.locator('.phase-running').waitFor();
    await fac2.getByRole('button', { name: /HALT/ }).click();
    await fac2.getByRole('dialog').getByLabel('Reason (shown to the teams)').fill('real incident in progress');
    await shot(fac2, '12-facilitator-halt-confirm');
    await fac2.getByRole('dialog').getByRole('button', { name: 'HALT' }).click();
    await fac2.locator('.banner.halted').waitFor();
    log('second game day halted');
    await shot(fac2, '13-facilitator-halted');

    // ── the facilitator ends the first game day; the debrief shows the report ───────────────
    await fac.getByRole('button', { name: 'End…' }).click();
    await fac.getByRole('dialog').getByRole('button', { name: 'End it' }).click();
    await fac.locator('.banner.ended').waitFor();
    await fac.getByRole('tab', { name: 'Scores' }).click();
    await fac.locator('table.scores tbody tr').first().waitFor();
    await shot(fac, '14-facilitator-ended');
    await fac.getByRole('link', { name: 'Debrief', exact: true }).click();
    await fac.waitForURL(/\/debrief\//);
    const frame = fac.frameLocator('iframe.report-frame');
    await frame.locator('body').waitFor();
    const reportText = await frame.locator('body').innerText();
    if (!/blue/i.test(reportText) || !/score|total/i.test(reportText)) throw new Error('the debrief does not show the report with scores');
    log('debrief shows the report');
    await shot(fac, '15-debrief');
    await blue.locator('.banner.ended').waitFor();
    await blue.getByRole('link', { name: /debrief/i }).first().click();
    await blue.waitForURL(/\/debrief\//);
    await blue.frameLocator('iframe.report-frame').locator('body').waitFor();
    log('participant opens the debrief');

    // ── solo practice in one click ──────────────────────────────────────────────────────────
    const { page: solo } = await newPage(browser, 'solo');
    await solo.goto(base + '/');
    await solo.getByRole('button', { name: 'Start practice' }).first().click();
    await solo.waitForURL(/\/team\//);
    await solo.getByRole('button', { name: 'Start drill' }).click();
    await solo.locator('.phase-running').waitFor();
    await solo.waitForTimeout(4000);
    log('solo drill started from the team console');
    await shot(solo, '16-solo-running');
  } catch (err) {
    // What each page showed when it failed, for the one reading the log.
    for (const { label, page } of pages) await page.screenshot({ path: join(SHOTS, `failure-${label}.png`) }).catch(() => undefined);
    throw err;
  } finally {
    await browser.close();
  }
}

main()
  .then(() => {
    if (consoleErrors.length) {
      process.stdout.write(`\nconsole errors (${consoleErrors.length}):\n${consoleErrors.map((e) => `  ${e}\n`).join('')}`);
      process.exitCode = 1;
    } else process.stdout.write('\nno console errors\n');
    process.stdout.write(`smoke: ${steps.length} steps passed\n`);
  })
  .catch((err) => {
    process.stderr.write(`\nsmoke FAILED after ${steps.length} steps: ${(err as Error).stack ?? err}\n`);
    if (consoleErrors.length) process.stderr.write(`console errors:\n${consoleErrors.map((e) => `  ${e}\n`).join('')}`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGTERM');
  });
