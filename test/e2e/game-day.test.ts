// A whole game day in a real headless Chromium against a real server: the facilitator creates a
// friday-deploy session with two teams and starts it; two participants in two browser contexts
// join blue and red; each acknowledges an alert, declares, posts a status update, runs a runbook
// step, rolls back orders (with the confirmation) and resolves; the facilitator pauses, messages
// and hints; a second session is created, started and halted, and only its participant sees
// HALTED; the debrief shows both teams' scores; a solo drill starts in one click.
// Screenshots of every page at 1366×768 go to .artifacts/screenshots/ (FIREDRILL_SCREENSHOTS=update: to test/e2e/screenshots/, which docs/*-guide.md show).
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { allText, credsOf, describeE2E, unnamedControls, useE2E } from './helpers.ts';

// ×30 from the start: the first alert fires ~3 s in. While people click, the facilitator slows the
// clock to ×5 (so a slow or busy machine does not let the scenario run ahead: escalations, hints,
// the end at T+40:00), and speeds it to ×60 while waiting for the rollback to land.
const SPEED = '30';
const SLOW = 5;
const FAST = 60;
const LONG = 90_000; // a test with many steps in a browser, on a busy 2-core machine

describeE2E('a game day in the browser', () => {
  const ctx = useE2E();
  let fac: Page;
  let blue: Page;
  let red: Page;
  let sessionId = '';
  let code = '';


  /** The facilitator changes the clock's speed; every console shows it. */
  async function setSpeed(speed: number) {
    await fac.getByRole('combobox', { name: 'Speed' }).selectOption(String(speed));
    await fac.getByRole('button', { name: 'Set speed' }).click();
    for (const p of [fac, blue, red]) await p.locator('.topbar .speed', { hasText: new RegExp(`^×${speed}$`) }).waitFor();
  }

  /** Joins from the start page (the facilitator's join link pre-fills the code). */
  async function join(label: string, name: string, team: string, role: string, joinCode = code): Promise<Page> {
    const { page } = await ctx.e2e.page(label);
    await page.goto(`${ctx.e2e.base}/?code=${encodeURIComponent(joinCode)}`);
    await page.getByLabel('Your name').first().fill(name);
    await page.getByLabel('Team', { exact: true }).fill(team);
    await page.getByLabel('Role').selectOption(role);
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await page.waitForURL(/\/team\//);
    await page.locator('.node').first().waitFor();
    return page;
  }

  it('the facilitator creates a game day with two teams and gets a join code', async () => {
    ({ page: fac } = await ctx.e2e.page('facilitator'));
    await fac.goto(ctx.e2e.base + '/');
    await fac.getByRole('heading', { name: 'Run a game day' }).waitFor();
    await fac.getByLabel('Scenario').selectOption('friday-deploy');
    await fac.locator('.scenario-card', { hasText: 'N+1' }).waitFor();
    await ctx.e2e.shot(fac, '01-home');
    await fac.getByLabel('Teams (comma-separated)').fill('blue, red');
    await fac.getByLabel('Speed').selectOption(SPEED);
    await fac.getByRole('button', { name: 'Create game day' }).click();
    await fac.waitForURL(/\/facilitate\//);
    sessionId = fac.url().split('/facilitate/')[1];
    code = ((await fac.locator('.join-code').textContent()) ?? '').trim();
    expect(code).toMatch(/^[A-Z0-9]{10}$/);
    await expect.poll(() => fac.locator('.presence-team h3').allInnerTexts()).toEqual([expect.stringMatching(/^blue/), expect.stringMatching(/^red/)]);
    await fac.locator('.phase-lobby').waitFor();
  });

  it('two participants in two browser contexts join blue and red; the facilitator sees them', async () => {
    [blue, red] = await Promise.all([join('blue', 'Ana', 'blue', 'ops-lead'), join('red', 'Rui', 'red', 'incident-commander')]);
    await fac.locator('.people li.online').nth(1).waitFor();
    expect(await fac.locator('.presence-team', { hasText: 'blue' }).innerText()).toContain('Ana');
    expect(await fac.locator('.presence-team', { hasText: 'red' }).innerText()).toContain('Rui');
    for (const p of [blue, red]) {
      await p.locator('.banner.lobby').waitFor();
      await p.locator('details.briefing', { hasText: 'Friday, 16:40' }).waitFor();
    }
    expect(await blue.locator('.team-name').innerText()).toBe('team blue');
    expect(await red.locator('.team-name').innerText()).toBe('team red');
    await ctx.e2e.shot(fac, '02-facilitator-lobby');
    await ctx.e2e.shot(blue, '03-team-lobby');
  });

  it('the facilitator starts; both consoles run and their charts move', async () => {
    await fac.getByRole('button', { name: '▶ Start' }).click();
    await Promise.all([blue, red, fac].map((p) => p.locator('.phase-running').waitFor()));
    await blue.locator('.chart-canvas canvas').first().waitFor();
    const signature = () => blue.evaluate<string>("[...document.querySelectorAll('.chart-canvas canvas')].map((c) => c.toDataURL().length + ':' + c.toDataURL().slice(-48)).join('|')");
    const before = await signature();
    expect(before.split('|')).toHaveLength(4);
    await expect.poll(signature, { timeout: 10_000, message: 'the charts redraw as telemetry arrives' }).not.toBe(before);
    // The first alert fires; the facilitator slows the clock down for the people at work.
    await Promise.all([blue, red].map((p) => p.getByRole('button', { name: 'Acknowledge', exact: true }).first().waitFor({ timeout: 30_000 })));
    await setSpeed(SLOW);
  });

  /**
   * A responder's first minutes: acknowledge, declare, post an update, run a runbook step, read
   * the logs and roll back orders (confirming the dangerous action). Blue takes the screenshots.
   */
  async function respond(p: Page, team: string, shots: boolean) {
    const ack = p.getByRole('button', { name: 'Acknowledge', exact: true }).first();
    await ack.waitFor({ timeout: 60_000 });
    await ack.click();
    await p.locator('.toast.ok', { hasText: 'acknowledged' }).first().waitFor();
    await p.locator('.alert.firing .pill', { hasText: 'ACKED' }).first().waitFor();
    if (shots) await ctx.e2e.shot(p, '04-team-running');

    await p.getByRole('tab', { name: /^Incident/ }).click();
    await p.getByRole('combobox', { name: /^Severity/ }).first().selectOption('SEV2');
    await p.getByLabel('Summary', { exact: true }).fill(`${team}: checkout errors, orders suspected`);
    await p.locator('.chips label', { hasText: /^orders$/ }).click();
    await p.getByRole('button', { name: 'Declare', exact: true }).click();
    await p.locator('.incident-status.declared', { hasText: 'SEV2' }).waitFor();
    await p.getByRole('tab', { name: 'Incident SEV2' }).waitFor();
    await p.getByRole('button', { name: 'Insert CAN template' }).click();
    await p.getByRole('button', { name: 'Post update' }).click();
    await p.locator('.result.ok', { hasText: 'status update posted' }).waitFor();
    if (shots) await ctx.e2e.shot(p, '05-team-incident');

    await p.getByRole('tab', { name: 'Runbooks' }).click();
    await p.locator('button.runbook-open', { hasText: 'orders-latency' }).click();
    await p.getByRole('button', { name: 'Run step' }).first().click();
    await p.locator('.steps .result.ok').first().waitFor();
    // Opening the runbook scrolled its steps into view.
    const top = "Math.round(document.querySelector('.runbook h3').getBoundingClientRect().top - document.querySelector('.side-tabs [role=tablist]').getBoundingClientRect().bottom)";
    await expect.poll(() => p.evaluate<number>(top), { timeout: 5000 }).toBeLessThan(120);
    if (shots) await ctx.e2e.shot(p, '06-team-runbook');

    await p.locator('.node', { hasText: 'orders' }).first().click();
    await p.getByRole('tab', { name: 'Logs' }).click();
    await p.locator('.log', { hasText: 'orders' }).first().waitFor();
    if (shots) await ctx.e2e.shot(p, '07-team-logs');

    await p.getByRole('tab', { name: 'Remediate' }).click();
    await p.getByRole('button', { name: /^Roll back/ }).click();
    const dialog = p.getByRole('dialog');
    await dialog.waitFor();
    if (shots) await ctx.e2e.shot(p, '08-team-confirm-rollback');
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await p.locator('.toast', { hasText: /rollback/i }).first().waitFor();
    await p.getByRole('tab', { name: 'Metrics' }).click();
  }

  it('each team acknowledges an alert, declares, posts an update, runs a runbook step and rolls back', async () => {
    await Promise.all([respond(blue, 'blue', true), respond(red, 'red', false)]);
    expect(await blue.locator('.clock').innerText(), 'the scenario has not run ahead').toMatch(/^T\+(\d|1[0-4]):/);
    // The facilitator watches both teams side by side: both are responding.
    for (const t of ['blue', 'red']) await fac.locator(`article[aria-label="Team ${t}"] .pill`, { hasText: 'responding' }).waitFor({ timeout: 10_000 });
    await ctx.e2e.shot(fac, '09-facilitator-running');
    // Every control on both consoles has an accessible name.
    expect(await unnamedControls(fac), 'facilitator console').toEqual([]);
    expect(await unnamedControls(blue), 'team console').toEqual([]);
  }, LONG);

  it('pausing shows PAUSED on both consoles; halting ANOTHER game day halts only that one', async () => {
    await fac.getByRole('button', { name: '❚❚ Pause' }).click();
    await Promise.all([blue, red].map((p) => p.locator('.banner.paused', { hasText: 'PAUSED' }).waitFor()));
    await ctx.e2e.shot(red, '10-team-paused');
    await ctx.e2e.shot(fac, '31-facilitator-paused');

    // A second game day, created from the start page in another tab, with one participant.
    const { page: fac2 } = await ctx.e2e.page('facilitator-2');
    await fac2.goto(ctx.e2e.base + '/');
    await fac2.getByLabel('Scenario').selectOption('cache-stampede');
    await fac2.getByLabel('Teams (comma-separated)').fill('green');
    await fac2.getByLabel('Speed').selectOption(SPEED);
    await fac2.getByRole('button', { name: 'Create game day' }).click();
    await fac2.waitForURL(/\/facilitate\//);
    const code2 = ((await fac2.locator('.join-code').textContent()) ?? '').trim();
    expect(code2).not.toBe(code);
    const green = await join('green', 'Gil', 'green', 'responder', code2);
    await fac2.locator('.people li.online').first().waitFor();
    await fac2.getByRole('button', { name: '▶ Start' }).click();
    await green.locator('.phase-running').waitFor();
    await fac2.getByRole('button', { name: /HALT/ }).click();
    await fac2.getByRole('dialog').getByLabel('Reason (shown to the teams)').fill('real incident in progress');
    await ctx.e2e.shot(fac2, '12-facilitator-halt-confirm');
    await fac2.getByRole('dialog').getByRole('button', { name: 'HALT' }).click();
    await fac2.locator('.banner.halted').waitFor();
    await green.locator('.banner.halted', { hasText: 'HALTED' }).waitFor();
    await green.locator('.banner.halted', { hasText: 'real incident in progress' }).waitFor(); // the reason reaches the teams
    await green.locator('.phase-halted').waitFor();
    expect(await green.getByRole('button', { name: 'Acknowledge', exact: true }).count(), 'no actions on a halted game day').toBe(0);
    await ctx.e2e.shot(fac2, '13-facilitator-halted');
    await ctx.e2e.shot(green, '30-team-halted');

    // The first game day is untouched: still paused, not halted.
    for (const p of [fac, blue, red]) {
      await p.locator('.phase-paused').waitFor();
      expect(await p.locator('.banner.halted').count()).toBe(0);
    }
    await fac.getByRole('button', { name: '▶ Resume' }).click();
    await Promise.all([blue, red].map((p) => p.locator('.phase-running').waitFor()));
  });

  it('the facilitator sends a message and a hint to red only', async () => {
    await fac.getByRole('tab', { name: 'Broadcast' }).click();
    const text = 'VP of sales: the Friday promo starts in 20 minutes. Will checkout be back?';
    await fac.getByLabel('Message').fill(text);
    await fac.getByRole('combobox', { name: /^To/ }).selectOption('red');
    await fac.getByRole('button', { name: 'Send' }).click();
    await red.locator('.notice.message', { hasText: 'VP of sales' }).waitFor();
    await fac.getByRole('tab', { name: 'Hints' }).click();
    await fac.locator('.tabpanel').getByRole('combobox', { name: /^Team/ }).selectOption('red');
    await fac.getByRole('button', { name: 'Release hint' }).click();
    const hint = red.locator('.notice.hint').first();
    await hint.waitFor();
    const hintText = (await hint.locator('span').last().innerText()).trim();
    await ctx.e2e.shot(red, '11-team-hint-and-message');
    // Blue got neither (the scenario's own messages and hints may go to every team; these did not).
    expect(await blue.locator('.notice.message', { hasText: 'VP of sales' }).count()).toBe(0);
    expect(await blue.locator('.notice.hint', { hasText: hintText }).count()).toBe(0);
  });

  async function resolve(p: Page) {
    await p.getByRole('tab', { name: /^Incident/ }).click();
    await p.getByRole('button', { name: 'Mark mitigated' }).click();
    await p.locator('.incident-status', { hasText: 'mitigated' }).waitFor();
    await p.getByRole('button', { name: 'Resolve incident…' }).click();
    await p.getByRole('dialog').getByLabel('Resolution summary (optional)').fill('rolled back orders to v2.13');
    await p.getByRole('dialog').getByRole('button', { name: 'Resolve' }).click();
    await p.locator('.result.ok', { hasText: 'incident resolved' }).first().waitFor();
  }

  it('both teams mark mitigated and resolve; the game day ends and the facilitator sees the scores', async () => {
    // Fast while the rollbacks land (105 simulated seconds), then slow again for the close-out.
    await setSpeed(FAST);
    await Promise.all([blue, red].map(async (p) => {
      await p.getByRole('tab', { name: 'Timeline' }).click();
      await p.locator('.timeline li', { hasText: 'rollback of orders completed' }).waitFor({ timeout: 30_000 });
    }));
    await setSpeed(SLOW);
    await Promise.all([resolve(blue), resolve(red)]);
    // Every team resolved: the game day ends by itself.
    await Promise.all([fac, blue, red].map((p) => p.locator('.banner.ended').waitFor({ timeout: 30_000 })));
    await fac.getByRole('tab', { name: 'Scores' }).click();
    // The final scores, at once (not the last ones polled while the game ran).
    const { facilitatorToken } = await credsOf(fac, sessionId);
    const final = (await (await fetch(`${ctx.e2e.base}/api/sessions/${sessionId}/score`, { headers: { authorization: `Bearer ${facilitatorToken}` } })).json()) as { final: boolean; leaderboard: { team: string; total: number }[] };
    expect(final.final).toBe(true);
    const rows = () => fac.locator('table.scores tbody tr').allInnerTexts();
    const expected = final.leaderboard.map((r) => expect.stringMatching(new RegExp(`\\b${r.team}\\s+${Math.round(r.total)}\\b`)));
    await expect.poll(rows, { timeout: 5000, message: `the Scores tab shows ${JSON.stringify(final.leaderboard)}` }).toEqual(expected);
    for (const r of final.leaderboard) await fac.locator(`article[aria-label="Team ${r.team}"] .score`, { hasText: String(Math.round(r.total)) }).waitFor({ timeout: 5000 });
    await fac.locator('table.scores').scrollIntoViewIfNeeded();
    await ctx.e2e.shot(fac, '14-facilitator-ended');
  }, LONG);

  it('the debrief shows both teams’ scores, to the facilitator and to a participant', async () => {
    const { facilitatorToken } = await credsOf(fac, sessionId);
    const res = await fetch(`${ctx.e2e.base}/api/sessions/${sessionId}/score`, { headers: { authorization: `Bearer ${facilitatorToken}` } });
    const score = (await res.json()) as { final: boolean; leaderboard: { team: string; total: number }[] };
    expect(score.final).toBe(true);
    expect(score.leaderboard.map((r) => r.team).sort()).toEqual(['blue', 'red']);
    for (const r of score.leaderboard) expect(r.total, `${r.team} scored`).toBeGreaterThan(20);

    await fac.getByRole('link', { name: 'Debrief', exact: true }).click();
    await fac.waitForURL(/\/debrief\//);
    const shows = (text: string) => score.leaderboard.every((r) => new RegExp(`\\b${r.team}\\b`).test(text) && new RegExp(`\\b${Math.round(r.total)}\\b`).test(text));
    await expect.poll(async () => shows(await allText(fac)), { timeout: 20_000, message: `the debrief shows ${JSON.stringify(score.leaderboard)}` }).toBe(true);
    await ctx.e2e.shot(fac, '15-debrief');
    expect(await unnamedControls(fac), 'debrief').toEqual([]);
    // The teams side by side: both totals in the comparison.
    await fac.getByRole('tab', { name: 'Teams side by side' }).click();
    const comparison = fac.getByRole('tabpanel');
    await comparison.getByText('Total score').waitFor();
    const row = await comparison.getByRole('row', { name: /Total score/ }).innerText();
    for (const r of score.leaderboard) expect(row, `${r.team}'s total in the comparison`).toMatch(new RegExp(`\\b${Math.round(r.total)}\\b`));

    await blue.getByRole('link', { name: /debrief/i }).first().click();
    await blue.waitForURL(/\/debrief\//);
    await expect.poll(async () => shows(await allText(blue)), { timeout: 20_000, message: 'a participant sees the scores in the debrief' }).toBe(true);
  });

  it('solo practice starts in one click and runs', async () => {
    const { page: solo } = await ctx.e2e.page('solo');
    await solo.goto(ctx.e2e.base + '/');
    await solo.getByRole('button', { name: 'Start practice' }).first().click();
    await solo.waitForURL(/\/team\//);
    await solo.getByRole('button', { name: 'Start drill' }).click();
    await solo.locator('.phase-running').waitFor();
    // Let a few telemetry frames draw the charts.
    await expect.poll(() => solo.evaluate<number>("[...document.querySelectorAll('.chart-canvas canvas')].length"), { timeout: 10_000 }).toBe(4);
    await expect.poll(() => solo.locator('.clock').innerText(), { timeout: 20_000 }).not.toMatch(/^T\+0:0[0-4]$/);
    await ctx.e2e.shot(solo, '16-solo-running');
  });
});
