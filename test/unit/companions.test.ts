// Practice companions (server/engine/session/companions.ts): the bot responder of a paged team, the
// comms bot that asks for updates, and hints on demand — exact times, texts and points, and the
// same run twice from the same seed.
import { describe, expect, it } from 'vitest';
import { readLibrary } from '../../server/library/fs.ts';
import { Session } from '../../server/engine/session/session.ts';
import type { ActionSpec } from '../../server/engine/actions/schema.ts';
import type { ScenarioSpec } from '../../server/engine/scenario/schema.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import { scoreTeam } from '../../server/engine/scoring/score.ts';
import { ackDelay, askEvery, commsPerson, REQUESTS, reportDelay } from '../../server/engine/session/companions.ts';

const lib = await readLibrary(new URL('../../scenarios/', import.meta.url).pathname);
const CERT = lib.scenarios.get('expired-cert')!.spec;
const SHOP = lib.workloads.get('shop')!;

function session(opts: { seed?: number | string; practice?: boolean; scenario?: ScenarioSpec } = {}) {
  const s = new Session({ scenario: opts.scenario ?? CERT, workload: SHOP, runbooks: lib.runbooks, seed: opts.seed ?? 42, teams: ['p'], practice: opts.practice ?? true });
  s.start();
  return s;
}
function act(s: Session, t: number, action: ActionSpec) {
  s.advanceTo(t);
  return s.apply({ kind: 'action', at: t, team: 'p', action });
}
function askHint(s: Session, t: number) {
  s.advanceTo(t);
  return s.apply({ kind: 'facilitator', at: t, command: 'request-hint', team: 'p' });
}
const of = <T extends SessionEvent['type']>(s: Session, type: T) => s.events.filter((e): e is Extract<SessionEvent, { type: T }> => e.type === type);
const UPDATE = 'Condition: checkout failing for customers. Actions: we renewed a certificate. Next update in 15 min';

/** The drill played well: look, declare, fix at 5:00, one update at `updateAt` (or none), resolve at 10:00. */
function drill(updateAt: number | null, opts: { hints?: number; practice?: boolean } = {}) {
  const s = session({ practice: opts.practice });
  act(s, 100, { action: 'observe', service: 'orders', view: 'logs' });
  act(s, 120, { action: 'declare', severity: 'SEV1', summary: 'checkout failing on payments', services: ['payments'] });
  for (let i = 0; i < (opts.hints ?? 0); i++) askHint(s, 200 + i);
  act(s, 300, { action: 'renew-cert', service: 'payments' });
  if (updateAt !== null) act(s, updateAt, { action: 'status-update', audience: 'external', text: UPDATE });
  act(s, 600, { action: 'resolve', summary: 'renewed the payments certificate' });
  return { s, score: scoreTeam(s.events, CERT, 'p', lib.runbooks) };
}

describe('practice mode', () => {
  it('is announced in the log with the hints on offer, the comms bot and its interval', () => {
    const s = session();
    expect(s.practice).toBe(true);
    expect(of(s, 'session.practice')).toEqual([
      { seq: 1, t: 0, type: 'session.practice', hints: [{ id: 'hint-calm-callee', cost: 5 }, { id: 'hint-x509', cost: 10 }], askEvery: 240, comms: 'Chris Moreau (support lead)' },
    ]);
    // firstUpdateWithin 8m → asks every 4 min; the default 15 min → every 5 min (the cap).
    expect(askEvery(CERT)).toBe(240);
    expect(askEvery({ ...CERT, expectations: { ...CERT.expectations, communication: undefined } })).toBe(300);
    expect(commsPerson(3)).toBe('Noor Haddad (support lead)');
  });

  it('is switched on only in the lobby, and a game day has no companions', () => {
    const s = session({ practice: false });
    expect(s.apply({ kind: 'facilitator', at: 0, command: 'practice' }).result).toEqual({ ok: false, code: 'session/wrong-phase', message: 'cannot switch to practice mode while the session is running' });
    act(s, 120, { action: 'declare', severity: 'SEV1', summary: 'checkout failing', services: ['payments'] });
    act(s, 130, { action: 'page', oncall: 'commerce' });
    s.advanceTo(720);
    expect(s.events.filter((e) => e.type.startsWith('comms.') || e.type === 'page.acknowledged' || e.type === 'session.practice')).toEqual([]);
  });
});

describe('the bot responder of a paged team', () => {
  it('acknowledges 76 s after the page (seed 42), joins at the team’s 150 s, and reports what it sees 60 s later', () => {
    expect(ackDelay(42, 'commerce', 150)).toBe(76);
    expect(reportDelay(42, 'commerce')).toBe(60);
    const s = session();
    act(s, 120, { action: 'declare', severity: 'SEV1', summary: 'checkout failing', services: ['orders'] });
    expect(act(s, 130, { action: 'page', oncall: 'commerce', reason: 'orders failing' }).result).toMatchObject({ ok: true, completesAt: 280 });
    s.advanceTo(400);
    expect(of(s, 'page.acknowledged')).toEqual([
      expect.objectContaining({ t: 206, team: 'p', oncall: 'commerce', name: 'Ana Ribeiro (primary)', text: 'Ack. Ana Ribeiro here, Commerce (cart, orders, notifications) on-call — getting to a laptop, on the bridge in ~1 min.' }),
    ]);
    expect(of(s, 'responder.joined').map((e) => e.t)).toEqual([280]);
    const said = of(s, 'message').filter((e) => e.source === 'responder:commerce');
    expect(said.map((e) => e.t)).toEqual([280, 340]);
    // It answers with what it sees on its own services: orders failing, the x509 error in its logs.
    expect(said[1].text).toMatch(/^Ana Ribeiro \(primary\): orders is at \d+\.\d% errors, p99 \d+ ms\. Its logs say: ".*x509: certificate has expired/);
    expect(said[1].text).toContain('there is nothing we can fix from here');
    // Nothing of theirs was broken, so it took no action.
    expect(of(s, 'action').filter((e) => e.action.actor?.endsWith('bot)'))).toEqual([]);
  });

  it('runs the runbook step that clears a fault on its own service, as the team’s action', () => {
    // The player is commerce this time; the expired certificate is payments’, so the payments bot fixes it.
    const s = session({ scenario: { ...CERT, players: { teams: ['commerce'] } } });
    act(s, 100, { action: 'page', oncall: 'payments', reason: 'x509 errors calling payments' });
    expect(ackDelay(42, 'payments', 120)).toBe(74);
    expect(reportDelay(42, 'payments')).toBe(47);
    s.advanceTo(400);
    expect(of(s, 'page.acknowledged').map((e) => e.t)).toEqual([174]);
    expect(of(s, 'responder.joined').map((e) => e.t)).toEqual([220]);
    const fix = of(s, 'action').find((e) => e.action.action === 'renew-cert')!;
    expect(fix).toMatchObject({ t: 267, team: 'p', action: { action: 'renew-cert', service: 'payments', actor: 'Sam Okafor (primary) (Payments, bot)' }, result: { ok: true, completesAt: 327 } });
    expect(of(s, 'message').find((e) => e.t === 267)?.text).toBe('Sam Okafor (primary): found it on our side — payments needs renew-cert (runbook tls-certificate-expired, step 4). Doing it now.');
    expect(of(s, 'fault.cleared')).toEqual([expect.objectContaining({ t: 327, fault: 'payments-cert-expired', by: 'renew-cert', actionSeq: fix.seq })]);
  });

  it('is deterministic: the same seed and inputs give the same log; another seed other delays', () => {
    const play = (seed: number) => {
      const s = session({ seed });
      act(s, 130, { action: 'page', oncall: 'commerce' });
      s.advanceTo(500);
      return s.events;
    };
    expect(JSON.stringify(play(2))).toBe(JSON.stringify(play(2)));
    expect(ackDelay(2, 'commerce', 150)).toBe(89);
    expect(reportDelay(2, 'commerce')).toBe(75);
    const acked = play(2).find((e) => e.type === 'page.acknowledged')!;
    expect(acked.t).toBe(130 + 89);
    expect(play(1).find((e) => e.type === 'page.acknowledged')!.t).toBe(130 + 36);
    // Never after the responder joins: a team that answers in 20 s acknowledges by 10 s.
    expect(ackDelay(2, 'commerce', 20)).toBe(10);
  });
});

describe('the comms bot', () => {
  it('asks every 4 minutes while the incident is declared and no update was posted; an update answers it', () => {
    const { s } = drill(400);
    expect(of(s, 'comms.requested')).toEqual([expect.objectContaining({ t: 360, request: 1, by: 'Chris Moreau (support lead)', text: REQUESTS.first })]);
    const update = of(s, 'action').find((e) => e.action.action === 'status-update')!;
    expect(of(s, 'comms.answered')).toEqual([
      expect.objectContaining({ t: 400, request: 1, after: 40, update: update.seq, text: 'Thanks — that is exactly what I needed. Passing it on to customers now.' }),
    ]);
  });

  it('follows up after an answered request, reminds after an unanswered one, and stops when the team is done', () => {
    // A first update expected within 4 minutes: the bot asks every 2.
    const scenario = { ...CERT, expectations: { ...CERT.expectations, communication: { firstUpdateWithin: '4m' } } };
    expect(askEvery(scenario)).toBe(120);
    const s = session({ scenario });
    act(s, 120, { action: 'declare', severity: 'SEV1', summary: 'checkout failing', services: ['payments'] });
    s.advanceTo(359);
    expect(of(s, 'comms.requested').map((e) => [e.t, e.text])).toEqual([[240, REQUESTS.first]]);
    s.advanceTo(360);
    expect(of(s, 'comms.requested').map((e) => [e.t, e.request, e.text])).toEqual([[240, 1, REQUESTS.first], [360, 2, REQUESTS.reminder]]);
    act(s, 370, { action: 'status-update', audience: 'internal', text: UPDATE });
    s.advanceTo(490);
    expect(of(s, 'comms.requested').map((e) => [e.t, e.request, e.text])).toEqual([[240, 1, REQUESTS.first], [360, 2, REQUESTS.reminder], [490, 3, REQUESTS.next]]);
    // Only the open request is answered by an update; the first one stays unanswered.
    expect(of(s, 'comms.answered').map((e) => [e.t, e.request, e.after])).toEqual([[370, 2, 10]]);
    act(s, 500, { action: 'renew-cert', service: 'payments' });
    act(s, 600, { action: 'resolve', summary: 'renewed the payments certificate' });
    s.advanceTo(720);
    expect(of(s, 'comms.requested').map((e) => e.t)).toEqual([240, 360, 490]);
  });

  it('feeds the communication score: answering promptly beats answering late beats not answering', () => {
    const prompt = drill(400).score.dimensions.communication;
    const late = drill(520).score.dimensions.communication;
    const never = drill(null).score.dimensions.communication;
    expect(prompt.findings.at(-1)).toEqual({ dimension: 'communication', max: 0, t: 400, points: 0, text: "Answered Chris Moreau (support lead)'s request for an update 0:40 after it: +0" });
    expect(late.findings.at(-1)).toEqual({ dimension: 'communication', max: 0, t: 520, points: -2, text: "Answered Chris Moreau (support lead)'s request for an update late, 2:40 after it (answer within 2:00): −2" });
    expect(never.findings.slice(-2)).toEqual([
      { dimension: 'communication', max: 0, t: 360, points: -5, text: 'Chris Moreau (support lead) asked for a status update at T+6:00 and got no answer: −5' },
      { dimension: 'communication', max: 0, t: 600, points: -5, text: 'Chris Moreau (support lead) asked for a status update at T+10:00 and got no answer: −5' },
    ]);
    // Same first update (within the 8-minute target), cadence and CAN form: the 2 points are the late answer.
    expect([prompt.score, late.score, never.score]).toEqual([100, 98, 0]);
  });
});

describe('hints on demand', () => {
  it('gives the next hint in the scenario’s order at its cost, then says none are left', () => {
    const s = session();
    expect(askHint(s, 200).result).toEqual({ ok: true, effect: 'hint hint-calm-callee (−5 points)', data: { hint: 'hint-calm-callee', cost: 5 } });
    expect(askHint(s, 210).result).toEqual({ ok: true, effect: 'hint hint-x509 (−10 points)', data: { hint: 'hint-x509', cost: 10 } });
    expect(askHint(s, 220).result).toEqual({ ok: false, code: 'hint/none-left', message: 'no hints left: team p has had all 2 hints of this scenario' });
    expect(of(s, 'hint.released').map((e) => [e.t, e.hint, e.cost, e.source])).toEqual([[200, 'hint-calm-callee', 5, 'requested'], [210, 'hint-x509', 10, 'requested']]);
  });

  it('is refused outside practice mode and before the start', () => {
    expect(askHint(session({ practice: false }), 100).result).toEqual({ ok: false, code: 'hint/not-practice', message: 'hints on demand are for practice sessions; in a game day the facilitator releases hints' });
    const lobby = new Session({ scenario: CERT, workload: SHOP, runbooks: lib.runbooks, seed: 42, teams: ['p'], practice: true });
    expect(lobby.apply({ kind: 'facilitator', at: 0, command: 'request-hint', team: 'p' }).result).toEqual({ ok: false, code: 'session/wrong-phase', message: 'cannot ask for a hint while the session is lobby' });
  });

  it('costs exactly its points off the total, each a finding of its own', () => {
    const plain = drill(400).score;
    const helped = drill(400, { hints: 2 }).score;
    expect(plain.total).toBe(69);
    expect(helped.total).toBe(54);
    expect(helped.hints).toEqual({ count: 2, cost: 15 });
    expect(helped.findings.filter((f) => f.dimension === 'hints')).toEqual([
      { dimension: 'hints', max: 0, t: 200, points: -5, text: 'Hint asked for at T+3:20 ("payments\u2019 own dashboards look healthy — no errors, normal…"): −5'.replace('\u2019', "'") },
      { dimension: 'hints', max: 0, t: 201, points: -10, text: 'Hint asked for at T+3:21 ("Read the orders logs: the error names a certificate and a…"): −10' },
    ]);
  });
});
