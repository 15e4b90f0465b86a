// The programme of game days in a real browser whose clock is in New York: a facilitator
// schedules a monthly game day in London from the start page's link, sees it at both local
// times, runs the readiness checklist (the bots' dry run included) and ticks an item, downloads
// the .ics invitation; a participant opening the join link early is told when it opens.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { describeE2E, unnamedControls, useE2E, VIEWPORT } from './helpers.ts';

describeE2E('the programme of game days', () => {
  const ctx = useE2E();
  let context: BrowserContext;
  let page: Page;
  let joinLink = '';

  /** A context in New York time (the schedule is in London), its console errors counted like the helpers' pages. */
  async function newYorkPage(label: string): Promise<{ context: BrowserContext; page: Page }> {
    const c = await ctx.e2e.browser.newContext({ viewport: VIEWPORT, timezoneId: 'America/New_York', acceptDownloads: true });
    c.setDefaultTimeout(30_000);
    const p = await c.newPage();
    p.on('console', (m) => {
      if (m.type() === 'error') ctx.e2e.errors.push(`[${label}] console.error: ${m.text()}`);
    });
    p.on('pageerror', (e) => ctx.e2e.errors.push(`[${label}] uncaught: ${e.message}`));
    return { context: c, page: p };
  }

  it('schedules a monthly game day in London from the programme page', async () => {
    ({ context, page } = await newYorkPage('programme'));
    await page.goto(ctx.e2e.base + '/');
    await page.getByRole('link', { name: 'Programme of game days' }).click();
    await page.waitForURL(/\/programme$/);
    await page.getByRole('heading', { name: 'Schedule a game day' }).waitFor();
    await page.locator('.programme-list .empty').waitFor();
    expect(await page.locator('.topbar-right').innerText()).toBe('your time zone: America/New_York');

    await page.getByRole('combobox', { name: /^Scenario/ }).selectOption('friday-deploy');
    await page.getByLabel('Title (optional)').fill('Monthly game day — checkout');
    await page.locator('.schedule-form input[type=date]').fill('2026-12-01');
    await page.locator('.schedule-form input[type=time]').fill('10:00');
    await page.getByLabel('Time zone').fill('Europe/London');
    await page.getByLabel('Minutes').fill('90');
    await page.getByLabel('Teams (comma-separated)').fill('blue, red');
    await page.getByLabel('Staffing (optional)').fill('blue: Ana, Bo');
    // 1 December 2026 is the first Tuesday of its month: the choices follow the date.
    const options = await page.getByRole('combobox', { name: /^Repeats/ }).locator('option').allInnerTexts();
    expect(options).toEqual(['Does not repeat', 'Weekly on Tuesday', 'Every 2 weeks on Tuesday', 'Monthly on the first Tuesday', 'Monthly on day 1', 'Custom…']);
    await page.getByRole('combobox', { name: /^Repeats/ }).selectOption('first Tuesday monthly');
    await page.getByRole('button', { name: 'Schedule game day' }).click();

    // The list: 10:00 in London is 05:00 in New York (both on winter time).
    const row = page.locator('.upcoming', { hasText: 'Monthly game day — checkout' });
    await row.waitFor();
    expect(await row.locator('.times').innerText()).toBe('Tue, 1 Dec 2026, 05:00 your time · Tue, 1 Dec 2026, 10:00 Europe/London');
    expect(await row.innerText()).toContain('repeats first Tuesday monthly · 90 min · teams blue, red');

    // The detail: join code, checklist not run yet.
    const detail = page.locator('.schedule-detail');
    await detail.waitFor();
    const code = (await detail.locator('.join-line .code').innerText()).trim();
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    joinLink = `${ctx.e2e.base}/?code=${code}`;
    expect(await detail.locator('.next-game-day h3').innerText()).toMatch(/^Game day #1: Tue, 1 Dec 2026, 05:00\s+your time\s+scheduled$/i);
    expect(await detail.locator('.checklist .item').count()).toBe(6);
    expect(await unnamedControls(page)).toEqual([]);
  });

  it('works through the readiness checklist: automatic checks with the bots, a manual tick with who and when', async () => {
    const detail = page.locator('.schedule-detail');
    await detail.getByRole('button', { name: 'Check now' }).click();
    const dry = detail.locator('.checklist .item', { hasText: 'Dry run by bots' });
    await dry.locator('.detail', { hasText: /^perfect \d+ \(resolved\), idle \d+$/ }).waitFor({ timeout: 80_000 });
    expect(await dry.getAttribute('class')).toContain('ok-true');
    expect(await detail.locator('.checklist .item', { hasText: 'Scenario validated' }).getAttribute('class')).toContain('ok-true');
    const staffed = detail.locator('.checklist .item', { hasText: 'Roles staffed' });
    expect(await staffed.getAttribute('class')).toContain('ok-false');
    expect(await staffed.locator('.detail').innerText()).toBe('nobody assigned to red');

    await detail.getByLabel('Your name').fill('Zoë');
    // The box is controlled by the server's answer: click, then wait for the tick to come back (`check()` wants the state at once).
    await detail.getByRole('checkbox', { name: 'Observers briefed' }).click();
    const observers = detail.locator('.checklist .item', { hasText: 'Observers briefed' });
    await observers.locator('text=ticked by Zoë').waitFor();
    expect(await observers.getAttribute('class')).toContain('ok-true');
    // Three automatic items and one tick are ok: 4 of 6.
    await detail.locator('.checklist-head h4', { hasText: '(4 of 6)' }).waitFor();
    await page.locator('.upcoming .pill', { hasText: '4/6 ready' }).waitFor();
    await ctx.e2e.shot(page, '60-programme');
  });

  it('downloads the invitation as an RFC 5545 .ics', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download .ics' }).click()]);
    expect(download.suggestedFilename()).toBe('firedrill-monthly-game-day-checkout.ics');
    const ics = readFileSync((await download.path())!, 'utf8');
    const lines = ics.split('\r\n');
    expect(lines.slice(0, 2)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0']);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(lines).toContain('DTSTART;TZID=Europe/London:20261201T100000');
    expect(lines).toContain('DURATION:PT1H30M');
    expect(lines).toContain('RRULE:FREQ=MONTHLY;BYDAY=1TU');
    expect(lines).toContain('SUMMARY:Monthly game day — checkout');
    expect(ics.replace(/\r\n /g, '')).toContain(`Join: ${joinLink}`);
    expect(lines.every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
  });

  it('the join link, opened before the day, says when the game day opens', async () => {
    const { context: other, page: participant } = await newYorkPage('participant');
    await participant.goto(joinLink);
    const notice = participant.locator('.opening-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toContain('“Monthly game day — checkout” opens at Tue, 1 Dec 2026, 05:00 your time (2026-12-01 10:00 Europe/London)');
    expect(await participant.getByLabel('Join code').inputValue()).toBe(joinLink.split('code=')[1]);
    await ctx.e2e.shot(participant, '61-join-before-opening');
    await other.close();
    await context.close();
  });
});
