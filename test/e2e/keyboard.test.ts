// Keyboard access and labels, in a real headless Chromium: Tab walks the start page and the team
// console in reading order, every stop has an accessible name and a visible focus indicator, no
// control anywhere lacks a name, and a participant joins (typing + Enter), acknowledges an alert
// and declares an incident without touching the mouse.
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createSession, TestClient } from '../helpers/live.ts';
import { describeE2E, focused, unnamedControls, useE2E, type Focused } from './helpers.ts';

/** Puts the keyboard focus before the first control of the page (as after loading it). */
async function focusStart(page: Page, first: string): Promise<void> {
  await page.locator(first).first().focus();
  await page.keyboard.press('Shift+Tab'); // out of the page, so the next Tab lands on `first`
}

/** Presses Tab until focus leaves the page or comes back (or `max` presses), recording each stop. */
async function tabThrough(page: Page, max: number): Promise<Focused[]> {
  const stops: Focused[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (f.tag === 'BODY') break; // past the last control: focus left the page
    const key = await page.evaluate<string>("(() => { const el = document.activeElement; return el ? el.tagName + '#' + [...document.querySelectorAll('*')].indexOf(el) : '' })()");
    if (seen.has(key)) break;
    seen.add(key);
    stops.push(f);
  }
  return stops;
}

/** Presses Tab until the focused element's accessible name matches; fails after `max` presses. */
async function tabTo(page: Page, name: RegExp, max = 80): Promise<Focused> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    if (name.test(f.name)) return f;
  }
  throw new Error(`no focusable element named ${name} within ${max} Tab presses`);
}

const describeStop = (f: Focused) => `${f.region}: ${f.role} "${f.name}"`;

describeE2E('keyboard and labels', () => {
  const ctx = useE2E();

  it('Tab walks the start page in reading order; every stop is named and shows its focus', async () => {
    const { page } = await ctx.e2e.page('home');
    await page.goto(ctx.e2e.base + '/');
    await page.getByRole('button', { name: 'Start practice' }).first().waitFor();
    const stops = await tabThrough(page, 60);
    const names = stops.map((s) => s.name);
    // The three cards left to right, each top to bottom, then the footer.
    const expected = ['Join code', 'Your name', 'Team', 'Role', 'Join', 'Scenario', 'Teams (comma-separated)', 'Speed', 'Seed (optional)', 'Create game day', 'Your name', 'Start practice', 'REST API (OpenAPI)'];
    let at = -1;
    for (const want of expected) {
      const next = names.findIndex((n, i) => i > at && n.startsWith(want));
      expect(next, `"${want}" comes after "${names[at] ?? '(start)'}" in the Tab order: ${names.join(' → ')}`).toBeGreaterThan(at);
      at = next;
    }
    for (const s of stops) {
      expect(s.name, `a Tab stop without a name: ${describeStop(s)}`).not.toBe('');
      expect(s.visible, `a Tab stop that is not on screen: ${describeStop(s)}`).toBe(true);
      expect(s.ring, `no visible focus indicator on ${describeStop(s)}`).toBe(true);
    }
    expect(await unnamedControls(page)).toEqual([]);
    // As after loading the page: the first Tab shows the focus ring on the join code.
    await page.reload();
    await page.getByRole('button', { name: 'Start practice' }).first().waitFor();
    await page.keyboard.press('Tab');
    expect((await focused(page)).name).toBe('Join code');
    await ctx.e2e.shot(page, '32-home-keyboard-focus');
  });

  it('a participant joins, acknowledges an alert and declares by keyboard only; the console’s Tab order and labels hold up', async () => {
    const created = await createSession(ctx.e2e.base, { scenario: 'friday-deploy', teams: ['blue'], speed: 10 });
    const facilitator = await TestClient.connect(ctx.e2e.base, { token: created.facilitatorToken });
    try {
      const { page } = await ctx.e2e.page('keyboard');
      await page.goto(ctx.e2e.base + '/');
      await page.getByRole('heading', { name: 'Join a game day' }).waitFor();

      // Join: the first Tab lands in the join code; type, Tab, type, Tab, type, Enter.
      await page.keyboard.press('Tab');
      expect((await focused(page)).name).toBe('Join code');
      await page.keyboard.type(created.joinCode.toLowerCase()); // codes are case-insensitive
      await page.keyboard.press('Tab');
      expect((await focused(page)).name).toBe('Your name');
      await page.keyboard.type('Kim');
      await page.keyboard.press('Tab');
      expect((await focused(page)).name).toBe('Team');
      await page.keyboard.type('blue');
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/team\//);
      await page.locator('.node').first().waitFor();
      await page.locator('.conn-connected').waitFor();

      // The console in the lobby: Tab order top bar → briefing → main column → side column.
      const order = ['topbar', 'banners', 'col-main', 'col-side'];
      const check = async (label: string) => {
        await focusStart(page, '.topbar a.brand');
        const stops = await tabThrough(page, 150);
        expect(stops[0]?.name, `${label}: the first Tab goes to the top bar`).toBe('firedrill home');
        expect(stops.length, `${label}: Tab reaches the controls`).toBeGreaterThan(10);
        let last = 0;
        for (const s of stops) {
          expect(s.name, `${label}: a Tab stop without a name: ${describeStop(s)}`).not.toBe('');
          expect(s.visible, `${label}: a Tab stop not on screen: ${describeStop(s)}`).toBe(true);
          expect(s.ring, `${label}: no visible focus indicator on ${describeStop(s)}`).toBe(true);
          const rank = order.indexOf(s.region);
          expect(rank, `${label}: a Tab stop outside the page regions: ${describeStop(s)}`).toBeGreaterThanOrEqual(0);
          expect(rank, `${label}: Tab goes back from ${order[last]} to ${describeStop(s)}:\n${stops.map(describeStop).join('\n')}`).toBeGreaterThanOrEqual(last);
          last = rank;
        }
        if (process.env.E2E_DEBUG) console.log(label, stops.map(describeStop).join("\n"));
        expect(await unnamedControls(page), `${label}: controls without a name`).toEqual([]);
        return stops;
      };
      const lobbyStops = await check('lobby');
      expect(lobbyStops.map((s) => s.name)).toEqual(expect.arrayContaining(['firedrill home', 'Debrief']));

      const start = await facilitator.command('start');
      expect(start.ok).toBe(true);
      await page.locator('.phase-running').waitFor();
      await page.getByRole('button', { name: 'Acknowledge', exact: true }).first().waitFor({ timeout: 60_000 });
      const runningStops = await check('running');
      const names = runningStops.map((s) => s.name);
      // Map nodes, service tabs, alert actions and incident tabs are all reachable.
      for (const want of [/^orders\b/, /^Service/, /^Metrics$/, /^Acknowledge$/, /^Incident/]) expect(names.some((n) => want.test(n)), `${want} is reachable by Tab: ${names.join(' → ')}`).toBe(true);

      // Acknowledge by keyboard: Tab to the button, Enter.
      await focusStart(page, '.topbar a.brand');
      await tabTo(page, /^Acknowledge$/, 150);
      await ctx.e2e.shot(page, '33-team-keyboard-focus');
      await page.keyboard.press('Enter');
      await page.locator('.alert.firing .pill', { hasText: 'ACKED' }).first().waitFor();

      // Declare by keyboard: Tab to the Incident tab, into the form, type a summary, Enter.
      await tabTo(page, /^Incident/, 150);
      await page.keyboard.press('Enter');
      await tabTo(page, /^Summary/, 20);
      await page.keyboard.type('checkout failing, orders suspected');
      await page.keyboard.press('Enter');
      await page.locator('.incident-status.declared').waitFor();
      expect(await page.locator('.incident-status').innerText()).toContain('checkout failing, orders suspected');

      // Escape cancels a confirmation and gives focus back to the page.
      await page.getByRole('tab', { name: 'Remediate' }).focus();
      await page.keyboard.press('Enter');
      await tabTo(page, /^Roll back/, 20);
      await page.keyboard.press('Enter');
      await page.getByRole('dialog').waitFor();
      expect((await focused(page)).name, 'the dialog opens with focus on Cancel').toBe('Cancel');
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
    } finally {
      facilitator.close();
    }
  });
});
