// A solo practice drill in a real headless Chromium, end to end: pick a drill on the start page,
// start it, acknowledge and declare, page the other team and see its bot acknowledge, ask for a
// hint (its price shown first), renew the certificate, answer the comms bot's request for an
// update, resolve, see the score in the debrief, and find the drill in "my practice" with a
// one-day streak.
// Screenshots go to .artifacts/screenshots/ (FIREDRILL_SCREENSHOTS=update: test/e2e/screenshots/, shown in docs/participant-guide.md, "Practising alone").
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { allText, describeE2E, unnamedControls, useE2E } from './helpers.ts';

describeE2E('a solo practice drill in the browser', () => {
  const ctx = useE2E();
  let p: Page;
  let sessionId = '';

  /** The player's clock speed (the drill runs in real time; the test may not). */
  async function speed(x: number) {
    const host = await ctx.e2e.running.manager.get(sessionId);
    const out = await host!.command({ command: 'set-speed', speed: x }, null);
    expect(out.result.ok).toBe(true);
  }

  it('picks the expired-certificate drill on the start page and starts it', async () => {
    ({ page: p } = await ctx.e2e.page('solo-drill'));
    await p.goto(ctx.e2e.base + '/');
    const card = p.getByRole('region', { name: 'Practise alone' });
    await card.getByLabel('Your name').fill('Alex');
    await card.getByTestId('my-practice-summary').filter({ hasText: 'no finished drill yet' }).waitFor();
    await card.locator('.solo-list li', { hasText: 'expired certificate' }).getByRole('button', { name: 'Start practice' }).click();
    await p.waitForURL(/\/team\//);
    sessionId = p.url().split('/team/')[1];
    // A practice drill: the practice panel offers the first hint at its price before the start.
    await p.getByRole('button', { name: 'Ask for a hint (−5 points)' }).waitFor();
    await p.getByRole('button', { name: 'Start drill' }).click();
    await p.locator('.phase-running').waitFor();
    // Slow while clicking (a busy machine must not let the 12-minute drill run out), fast only
    // while waiting for the simulation.
    await speed(2);
  });

  it('acknowledges the alert, declares, pages commerce and sees its bot acknowledge, then asks for a hint', async () => {
    // The certificate expires at T+1:00; checkout's alert fires about two minutes later.
    await speed(10);
    const ackButton = p.getByRole('button', { name: 'Acknowledge', exact: true }).first();
    await ackButton.waitFor({ timeout: 60_000 });
    await speed(1);
    await ackButton.click();
    await p.locator('.alert.firing .pill', { hasText: 'ACKED' }).first().waitFor();
    await p.getByRole('tab', { name: /^Incident/ }).click();
    await p.getByRole('combobox', { name: /^Severity/ }).first().selectOption('SEV1');
    await p.getByLabel('Summary', { exact: true }).fill('checkout fails: orders cannot reach payments');
    await p.locator('.chips label', { hasText: /^payments$/ }).click();
    await p.getByRole('button', { name: 'Declare', exact: true }).click();
    await p.locator('.incident-status.declared', { hasText: 'SEV1' }).waitFor();
    await p.getByLabel('On-call team').selectOption('commerce');
    await p.getByLabel('Reason').fill('orders is failing its calls to payments');
    await p.getByRole('button', { name: 'Page', exact: true }).click();
    const mate = p.locator('.practice-mates li', { hasText: 'commerce' });
    await mate.waitFor();
    // The bot acknowledges 30–90 simulated seconds after the page (drawn from the seed), before it joins.
    await speed(10);
    await mate.locator('.ok', { hasText: 'acknowledged' }).waitFor({ timeout: 30_000 });
    await speed(1);
    await p.locator('.notice', { hasText: 'Ana Ribeiro here' }).first().waitFor();
    const steps = await mate.locator('.mate-steps').innerText();
    const [paged, acked] = [...steps.matchAll(/T\+(\d+):(\d\d)/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
    expect(acked - paged).toBeGreaterThanOrEqual(30);
    expect(acked - paged).toBeLessThanOrEqual(91);
    await top();
    await ctx.e2e.shot(p, '70-solo-bot-acknowledged');

    await p.getByRole('button', { name: 'Ask for a hint (−5 points)' }).click();
    const dialog = p.getByRole('dialog');
    await dialog.getByText('costs 5 points').waitFor();
    await dialog.getByRole('button', { name: 'Take the hint (−5)' }).click();
    await p.locator('.notice.hint', { hasText: 'Hint (−5 points)' }).waitFor();
    // The next one is dearer, and says so before it is taken.
    await p.getByRole('button', { name: 'Ask for a hint (−10 points)' }).waitFor();
    await top();
    await ctx.e2e.shot(p, '71-solo-hint');
    expect(await unnamedControls(p), 'team console in practice').toEqual([]);
  }, 120_000);

  it('renews the payments certificate (the fix) and sees it land', async () => {
    await p.locator('.service-panel').getByRole('combobox', { name: 'Service' }).first().selectOption('payments');
    await p.getByRole('tab', { name: 'Remediate' }).click();
    await p.getByRole('button', { name: /^Renew certificate/ }).click();
    await p.locator('.toast', { hasText: /certificate|renew/i }).first().waitFor();
    await speed(10);
    await p.getByRole('tab', { name: 'Timeline' }).click();
    await p.locator('.timeline li', { hasText: 'renew-cert of payments completed' }).waitFor({ timeout: 30_000 });
    await speed(1);
    await p.getByRole('tab', { name: /^Incident/ }).click();
    await p.getByRole('button', { name: 'Mark mitigated' }).click();
    await p.locator('.incident-status', { hasText: 'mitigated' }).waitFor();
  }, 120_000);

  it('answers the comms bot with a status update', async () => {
    await speed(15); // the support lead asks 4 simulated minutes after the declaration
    const waiting = p.locator('.practice-comms.waiting');
    await waiting.waitFor({ timeout: 60_000 });
    await speed(1);
    await p.locator('.notice.comms').first().waitFor();
    await top();
    await ctx.e2e.shot(p, '72-solo-comms-request');
    await waiting.getByRole('button', { name: 'Write an update' }).click();
    await p.getByRole('radio', { name: 'external' }).check();
    await p.getByLabel('Update', { exact: true }).fill('Condition: checkout failed for customers from 16:41. Actions: we renewed the expired payments certificate; checkout works again, we are monitoring. Next update: at resolution.');
    await p.getByRole('button', { name: 'Post update' }).click();
    await p.locator('.practice-comms.answered', { hasText: 'Answered' }).waitFor();
  }, 120_000);

  it('resolves, and sees the score with the hint and the answered request', async () => {
    await p.getByRole('tab', { name: /^Incident/ }).click();
    await p.getByRole('button', { name: 'Resolve incident…' }).click();
    await p.getByRole('dialog').getByLabel('Resolution summary (optional)').fill('renewed the expired payments mTLS certificate; cert-manager issuer to be fixed');
    await p.getByRole('dialog').getByRole('button', { name: 'Resolve' }).click();
    await p.locator('.banner.ended').waitFor({ timeout: 30_000 });

    const score = (await (await fetch(`${ctx.e2e.base}/api/sessions/${sessionId}/score`, { headers: { authorization: `Bearer ${await token()}` } })).json()) as {
      teams: { team: string; total: number; hints: { count: number; cost: number }; findings: { dimension: string; text: string; points: number }[] }[];
    };
    const mine = score.teams[0];
    expect(mine.hints).toEqual({ count: 1, cost: 5 });
    expect(mine.findings).toEqual(expect.arrayContaining([
      expect.objectContaining({ dimension: 'hints', points: -5, text: expect.stringMatching(/^Hint asked for at T\+/) }),
      expect.objectContaining({ dimension: 'communication', points: 0, text: expect.stringMatching(/^Answered .* \(support lead\)'s request for an update/) }),
    ]));
    await p.getByRole('link', { name: /debrief/i }).first().click();
    await p.waitForURL(/\/debrief\//);
    await expect.poll(async () => new RegExp(`\\b${Math.round(mine.total)}\\b`).test(await allText(p)), { timeout: 20_000, message: `the debrief shows ${mine.total}` }).toBe(true);
    // The findings: the hint asked for and the answered request, each with its points.
    await expect.poll(async () => /Hint asked for at T\+/.test(await allText(p)), { timeout: 20_000, message: 'the debrief lists the hint' }).toBe(true);
    for (const f of p.frames()) {
      await f.evaluate(`(() => {
        const open = [...document.querySelectorAll('details')].filter((d) => /Hint asked for|request for an update/.test(d.textContent));
        for (const d of open) d.open = true;
        open[0]?.scrollIntoView({ block: 'start' });
      })()`).catch(() => undefined);
    }
    await ctx.e2e.shot(p, '73-solo-debrief');
    (globalThis as { soloTotal?: number }).soloTotal = mine.total;
  }, 120_000);

  /** The right-hand column scrolled back to the top: messages, then the practice panel. */
  async function top() {
    await p.evaluate("document.querySelector('.col-side').scrollTop = 0");
  }

  async function token(): Promise<string> {
    const creds = JSON.parse((await p.evaluate<string | null>(`sessionStorage.getItem('firedrill.creds.${sessionId}')`)) ?? '{}') as { participant?: { token: string } };
    return creds.participant!.token;
  }

  it('finds the drill in my practice, with its score and a one-day streak', async () => {
    const total = (globalThis as { soloTotal?: number }).soloTotal!;
    await p.goto(ctx.e2e.base + '/practice');
    await p.getByRole('heading', { name: 'My practice' }).waitFor();
    const row = p.locator('.practice-table tbody tr', { hasText: 'expired certificate' });
    await row.waitFor();
    expect(await row.innerText()).toMatch(new RegExp(`resolved\\s+${total}/100\\s+1 \\(−5\\)`));
    expect(await p.getByTestId('streak-current').innerText()).toBe('1 day');
    expect(await p.getByTestId('streak-longest').innerText()).toBe('1 day');
    expect(await unnamedControls(p), 'my practice').toEqual([]);
    await ctx.e2e.shot(p, '74-my-practice');
    // Another name in the same browser has no drills of its own.
    await p.getByLabel('Your name').fill('Sam');
    await p.getByText('No finished drill yet for Sam').waitFor();
    await p.getByLabel('Your name').fill('Alex');
    await row.waitFor();
    // The start page sums it up.
    await p.goto(ctx.e2e.base + '/');
    await p.getByTestId('my-practice-summary').filter({ hasText: `1 drill · streak 1 day (longest 1 day) · best ${total}/100` }).waitFor();
    await ctx.e2e.shot(p, '75-home-my-practice');
  });
});
