// The debrief in a real headless Chromium: a two-team game day of friday-deploy is played to its
// end over socket.io (blue plays the good example responses, red the classic mistakes, at ×60),
// then the facilitator opens /debrief/<id>#token=… and, with the keyboard and the mouse, records
// a lesson, edits it, records two action items (one overdue), deletes a third, and updates the
// report, which then lists them. A participant opens the same debrief read-only. Screenshots at
// 1366×768: 19-debrief-lessons.png (facilitator), 20-debrief-teams.png (teams side by side).
//
//   npm run build:client && npx tsx test/e2e/debrief-smoke.ts
//
// FIREDRILL_URL=http://host:port uses a running server that serves the client; otherwise the
// script starts `firedrill serve` on PORT (default: a free port) with FIREDRILL_DATA as its data
// directory (default: a fresh temporary one). CHROMIUM=/path overrides /usr/bin/chromium.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { io, type Socket } from 'socket.io-client';
import { parseResponses } from '../../server/engine/session/responses.ts';
import type { Input } from '../../server/engine/session/session.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SHOTS = join(REPO, 'test/e2e/screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1366, height: 768 };
const SPEED = 60;

const children: ChildProcess[] = [];
const sockets: Socket[] = [];
const consoleErrors: string[] = [];

function log(msg: string) {
  process.stdout.write(`• ${msg}\n`);
}

function check(ok: unknown, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
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

async function serverBase(): Promise<string> {
  if (process.env.FIREDRILL_URL) return process.env.FIREDRILL_URL.replace(/\/$/, '');
  const port = process.env.PORT ? Number(process.env.PORT) : await freePort();
  const data = process.env.FIREDRILL_DATA ?? mkdtempSync(join(tmpdir(), 'fd-debrief-data-'));
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['server/bin/firedrill.mjs', 'serve', '--port', String(port), '--host', '127.0.0.1', '--data', data], {
      cwd: REPO,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`firedrill serve did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/firedrill is running at/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`firedrill serve exited with ${code}:\n${out}`));
    });
  });
  log(`firedrill serve on :${port}, data in ${data}`);
  return `http://127.0.0.1:${port}`;
}

async function rest<T>(base: string, path: string, init: { method?: string; token?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(base + path, {
    method: init.method ?? (init.body ? 'POST' : 'GET'),
    headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
}

type Ack = { ok: boolean; error?: { code: string; message: string }; result?: { ok: boolean; code?: string } };

function connect(base: string, auth: Record<string, unknown>): Promise<{ socket: Socket; welcome: { you: { token?: string } } }> {
  return new Promise((resolve, reject) => {
    const socket = io(base, { auth, transports: ['websocket'], reconnection: false });
    sockets.push(socket);
    const timer = setTimeout(() => reject(new Error('no welcome in 10 s')), 10_000);
    socket.once('welcome', (welcome) => {
      clearTimeout(timer);
      resolve({ socket, welcome });
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot connect: ${(err as { data?: { code: string } }).data?.code ?? err.message}`));
    });
  });
}

function emit(socket: Socket, kind: 'action' | 'command', message: Record<string, unknown>): Promise<Ack> {
  return new Promise((resolve) => socket.timeout(10_000).emit(kind, { key: randomUUID(), ...message }, (err: Error | null, reply: Ack) => resolve(err ? { ok: false, error: { code: 'timeout', message: err.message } } : reply)));
}

function responses(file: string, team: string): Input[] {
  const path = join(REPO, 'scenarios/examples', file);
  const parsed = parseResponses(readFileSync(path, 'utf8'), path, [team]);
  if (parsed.problems.length) throw new Error(`${file}: ${parsed.problems.map((p) => p.message).join('; ')}`);
  return parsed.inputs;
}

/** A participant plays its team's responses on the session's clock (simulated t ≈ wall × speed). */
async function play(socket: Socket, inputs: Input[], startedAt: number): Promise<number> {
  let refused = 0;
  for (const input of [...inputs].sort((a, b) => a.at - b.at)) {
    if (input.kind !== 'action') continue;
    const wait = startedAt + (input.at / SPEED) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const reply = await emit(socket, 'action', { action: input.action });
    if (!reply.ok) throw new Error(`action ${input.action.action} refused: ${reply.error?.code}`);
    if (!reply.result?.ok) refused++;
  }
  return refused;
}

/** A calendar day `days` from today (UTC), YYYY-MM-DD. */
function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

async function newPage(browser: Browser, label: string): Promise<Page> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`[${label}] ${m.text()}`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`[${label}] page error: ${e.message}`));
  return page;
}

async function shot(page: Page, name: string, dir = SHOTS) {
  await page.waitForTimeout(300);
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  log(`screenshot ${path}`);
}

/** What has the keyboard focus, for checks (a string: the root tsconfig has no DOM types). */
const focused = (page: Page) => page.evaluate<string>("(document.activeElement?.getAttribute('aria-label') || document.activeElement?.textContent || document.activeElement?.tagName || '').trim()");

async function main(): Promise<void> {
  if (!existsSync(join(REPO, 'client/dist/index.html'))) throw new Error('client/dist is missing: run `npm run build:client` first');
  mkdirSync(SHOTS, { recursive: true });
  const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
  const base = await serverBase();
  const index = await fetch(base + '/').then((r) => r.text());
  check(index.includes('<div id="root">'), `${base} serves the web client (build it with npm run build:client)`);

  // ── a two-team game day, played to its end over socket.io ─────────────────────────────────
  const created = await rest<{ id: string; joinCode: string; facilitatorToken: string }>(base, '/api/sessions', { body: { scenario: 'friday-deploy', teams: ['blue', 'red'], speed: SPEED, seed: 42 } });
  const { id, joinCode, facilitatorToken } = created;
  log(`session ${id}, join code ${joinCode}`);
  const fac = await connect(base, { token: facilitatorToken });
  const blue = await connect(base, { code: joinCode, team: 'blue', name: 'Ana', role: 'incident-commander' });
  const red = await connect(base, { code: joinCode, team: 'red', name: 'Raj', role: 'incident-commander' });
  const blueToken = blue.welcome.you.token!;
  const start = await emit(fac.socket, 'command', { command: 'start' });
  check(start.ok, `start: ${JSON.stringify(start)}`);
  const startedAt = Date.now();
  log(`started at ×${SPEED}; blue and red play their example responses (~27 s)`);
  const [blueRefused, redRefused] = await Promise.all([
    play(blue.socket, responses('friday-deploy.responses.yaml', 'blue'), startedAt),
    play(red.socket, responses('friday-deploy.red-team.responses.yaml', 'red'), startedAt),
  ]);
  log(`teams done (engine refused ${blueRefused} blue and ${redRefused} red actions)`);
  const end = await emit(fac.socket, 'command', { command: 'end', reason: 'debrief time' });
  check(end.ok, `end: ${JSON.stringify(end)}`);
  const state = await rest<{ phase: string; outcome: string }>(base, `/api/sessions/${id}`, { token: facilitatorToken });
  check(state.phase === 'ended', `the session ended (phase ${state.phase})`);
  log(`ended: ${state.outcome}`);
  for (const s of sockets) s.close();

  const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    // ── the facilitator opens the debrief from a link carrying the token ────────────────────
    const page = await newPage(browser, 'facilitator');
    await page.goto(`${base}/debrief/${id}#token=${encodeURIComponent(facilitatorToken)}`);
    const report = page.frameLocator('iframe[title="After-action report"]');
    await report.locator('h1').filter({ hasText: 'Friday deploy' }).waitFor({ timeout: 15_000 });
    check(!page.url().includes('#token'), 'the token is removed from the address bar');
    log('the report shows in the frame; the token left the address bar');
    await page.getByRole('heading', { name: /Lessons learned/ }).waitFor();
    check((await page.getByText('No lessons yet').count()) === 1, 'an empty lesson list says so');

    // A lesson, by keyboard only: type, Tab to "Said by", Tab to "Add lesson", Enter.
    await page.getByRole('textbox', { name: 'Lesson learned' }).focus();
    await page.keyboard.type('We watched the orders dashboard for six minutes before anyone opened the deploy history — check recent changes first.');
    await page.keyboard.press('Tab');
    const afterTab = await page.evaluate<string>("document.activeElement?.id + ' ' + document.activeElement?.getAttribute('name')");
    check(afterTab.endsWith(' author'), `Tab goes from the lesson to "Said by" (focused: ${afterTab})`);
    await page.keyboard.type('Ana');
    await page.keyboard.press('Tab');
    check((await focused(page)) === 'Add lesson', `then to "Add lesson" (focused: ${await focused(page)})`);
    await page.keyboard.press('Enter');
    await page.locator('.lessons-list li').first().waitFor();
    check(await page.evaluate<boolean>(`(() => { const el = document.querySelector('form[aria-label="Add a lesson learned"] textarea'); return el === document.activeElement && el.value === ''; })()`), 'focus returns to the empty lesson field');
    log('lesson 1 added with the keyboard');

    // A second lesson with Ctrl+Enter, then edited.
    await page.getByRole('textbox', { name: 'Lesson learned' }).fill('Restarting orders while v2.14 was live made it worse');
    await page.getByRole('textbox', { name: 'Lesson learned' }).press('Control+Enter');
    await page.locator('.lessons-list li').nth(1).waitFor();
    await page.getByRole('button', { name: 'Edit lesson 2' }).click();
    const editor = page.getByRole('form', { name: 'Edit lesson 2' });
    await editor.getByRole('textbox', { name: 'Lesson learned' }).fill('Restarting orders while v2.14 was live made it worse: roll back before you restart.');
    await editor.getByLabel('Said by').fill('Raj');
    await editor.getByRole('button', { name: 'Save lesson' }).click();
    await page.locator('.lessons-list li').nth(1).filter({ hasText: 'roll back before you restart' }).waitFor();
    await page.waitForFunction(`document.activeElement?.getAttribute('aria-label') === 'Edit lesson 2'`, undefined, { timeout: 3000 });
    log('lesson 2 added with Ctrl+Enter and edited');

    // Action items: one due in two weeks with a ticket link, one overdue and in progress, one deleted.
    const form = page.getByRole('form', { name: 'Add an action item' });
    const addItem = async (title: string, owner: string, due: string, status: string, link = '') => {
      await form.getByLabel('Action', { exact: true }).fill(title);
      await form.getByLabel('Owner').fill(owner);
      await form.getByLabel(/^Due/).fill(due);
      await form.getByLabel('Status').selectOption(status);
      await form.getByLabel(/^Link/).fill(link);
      await form.getByRole('button', { name: 'Add action item' }).click();
      await page.locator('.items-list li').filter({ hasText: title }).waitFor();
    };
    // A bad link is caught before it is sent, on the field.
    await form.getByLabel('Action', { exact: true }).fill('Broken link');
    await form.getByLabel('Owner').fill('Ana');
    await form.getByLabel(/^Link/).fill('tickets/OPS-1');
    await form.getByRole('button', { name: 'Add action item' }).click();
    await form.getByText('must be a web address').waitFor();
    check((await form.getByLabel(/^Link/).getAttribute('aria-invalid')) === 'true', 'the bad link is marked invalid');
    check(await page.evaluate<boolean>(`document.activeElement === document.querySelector('form[aria-label="Add an action item"] input[name="link"]')`), 'focus moves to the bad link');
    await addItem('Page on orders DB pool saturation above 80 %', 'commerce on-call', dayFromToday(14), 'open', 'https://tickets.example.com/OPS-1234');
    await addItem('Make "check recent deploys" step 1 of the orders-latency runbook', 'Ana', dayFromToday(-3), 'in-progress');
    await addItem('Temporary item', 'nobody', '', 'open');
    await page.getByRole('button', { name: 'Delete action item 3' }).click();
    await page.getByRole('dialog', { name: 'Delete this action item?' }).getByRole('button', { name: 'Delete action item' }).click();
    await page.locator('.items-list li').filter({ hasText: 'Temporary item' }).waitFor({ state: 'detached' });
    check((await page.locator('.items-list li.overdue').count()) === 1, 'one item is marked overdue');
    check((await page.locator('.count.bad').filter({ hasText: '1 overdue' }).count()) === 1, 'the panel counts the overdue item');
    log('action items added (one overdue), one deleted through the dialog');

    // Every control has a name (labels, aria-labels): nothing a screen reader would call "button".
    const unnamed = await page.evaluate<string[]>(`[...document.querySelectorAll('button, a[href], input, select, textarea')]
      .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim() || el.getAttribute('title')))
      .map((el) => el.outerHTML.slice(0, 100))`);
    check(unnamed.length === 0, `every control has a name: ${unnamed.join(', ')}`);

    // The report in the frame catches up on request, and lists them.
    await page.getByRole('button', { name: 'Update the report' }).click();
    await report.locator('#lessons').filter({ hasText: 'roll back before you restart' }).waitFor();
    check((await report.locator('#lessons a[href="https://tickets.example.com/OPS-1234"]').count()) === 1, 'the report links the ticket');
    log('the report lists the lessons and action items');
    // Let the "✓ …" confirmations fade (4 s) so the screenshot shows the page at rest.
    await page.locator('.debrief-side .result.ok').first().waitFor({ state: 'detached', timeout: 8000 }).catch(() => undefined);
    await page.waitForFunction("document.querySelectorAll('.debrief-side .result.ok').length === 0", undefined, { timeout: 8000 });
    await page.evaluate("document.activeElement && document.activeElement.blur(); document.querySelector('.debrief-side').scrollTop = 0");
    await shot(page, '19-debrief-lessons');

    await page.getByRole('tab', { name: 'Teams side by side' }).click();
    await page.locator('.compare-table').waitFor();
    const headers = await page.locator('.compare-table thead th').allTextContents();
    check(headers.some((h) => h.includes('blue')) && headers.some((h) => h.includes('red')), `both teams side by side (${headers.join(' | ')})`);
    check((await page.locator('.compare-table td.best').count()) > 3, 'best values are marked');
    await shot(page, '20-debrief-teams');

    // ── a participant reads the same debrief ────────────────────────────────────────────────
    const p = await newPage(browser, 'participant blue');
    await p.goto(`${base}/debrief/${id}#token=${encodeURIComponent(blueToken)}`);
    await p.locator('.lessons-list li').nth(1).waitFor();
    check((await p.getByRole('form', { name: 'Add a lesson learned' }).count()) === 0, 'no lesson form for a participant');
    check((await p.getByRole('button', { name: /^Edit|^Delete/ }).count()) === 0, 'no edit or delete buttons for a participant');
    check((await p.locator('.items-list li').count()) === 2, 'the participant sees both action items');
    await shot(p, 'debrief-participant', tmpdir());
    log('the participant reads lessons and action items, read-only');
    const lessons = await rest<{ lessons: unknown[] }>(base, `/api/sessions/${id}/lessons`, { token: blueToken });
    check(lessons.lessons.length === 2, 'REST agrees: two lessons');

    check(consoleErrors.length === 0, `no console errors:\n${consoleErrors.join('\n')}`);
    log('no console errors');
  } finally {
    await browser.close();
  }
}

main()
  .then(() => {
    log('debrief smoke passed');
    process.exitCode = 0;
  })
  .catch(async (err: unknown) => {
    console.error(err);
    if (consoleErrors.length) console.error(`console errors:\n${consoleErrors.join('\n')}`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const s of sockets) s.close();
    for (const c of children) c.kill('SIGTERM');
  });
