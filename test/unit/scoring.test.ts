// Every rule of server/engine/scoring/score.ts, pinned with a hand-built event log: the points it
// gives and the finding it writes. The fault starts at T+0:30 in every log (onset = 30 s), so
// "N after onset" is t − 30. docs/scoring.md explains the rules; keep both in step.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS, DEFAULT_WEIGHTS, DIMENSIONS, canElements, leaderboard, scoreTeam, timeliness } from '../../server/engine/scoring/score.ts';
import type { Dimension, Finding, TeamScore } from '../../server/engine/scoring/score.ts';
import type { SessionEvent } from '../../server/engine/session/events.ts';
import type { ScenarioSpec } from '../../server/engine/scenario/schema.ts';
import { Scenario } from '../../server/engine/scenario/schema.ts';
import Value from 'typebox/value';
import { log, mergeLogs, scenario, type EventLogBuilder } from '../helpers/event-log.ts';
import { readLibrary } from '../../server/library/fs.ts';
import type { Library } from '../../server/engine/scenario/library.ts';
import { Session } from '../../server/engine/session/session.ts';
import { parseResponses } from '../../server/engine/session/responses.ts';
import { runResult } from '../../server/engine/session/result.ts';

const S = scenario();
const ONSET = 30;

/** A log whose root-cause fault (orders v2.14) starts at T+0:30. */
const started = (): EventLogBuilder => log().inject(ONSET, 'orders-v214', 'bad-deploy', 'orders');

// The shipped library: its runbooks, so rules that need a runbook's steps (expected steps, check
// steps) see them, and friday-deploy for the real runs below.
const LIBRARY = new URL('../../scenarios/', import.meta.url).pathname;
const LIB: Library = await readLibrary(LIBRARY);
const RUNBOOKS = LIB.runbooks;

const score = (b: EventLogBuilder | SessionEvent[], spec: ScenarioSpec = S, team = 'team-1'): TeamScore =>
  scoreTeam(Array.isArray(b) ? b : b.build(team), spec, team, RUNBOOKS);

const texts = (s: TeamScore, d: Dimension | 'hints'): string[] => s.findings.filter((f) => f.dimension === d).map((f) => f.text);

/** The one finding of dimension `d` whose text starts with `prefix` (its `max` is checked separately). */
function finding(s: TeamScore, d: Dimension | 'hints', prefix: string): Omit<Finding, 'max'> {
  const hits = s.findings.filter((f) => f.dimension === d && f.text.startsWith(prefix));
  if (hits.length !== 1) throw new Error(`${hits.length} ${d} findings start with "${prefix}":\n${texts(s, d).join('\n')}`);
  const { max: _max, ...rest } = hits[0];
  return rest;
}

/** The sum of the points of a dimension's findings, before clamping. */
const rawPoints = (s: TeamScore, d: Dimension): number => s.dimensions[d].findings.reduce((a, f) => a + f.points, 0);

/** A team that engaged (declared SEV2 naming orders at T+5:30) and did nothing else. */
const declared = (): EventLogBuilder => started().declare(330, 'SEV2', 'Checkout errors', ['orders']);

const CAN = 'Condition: checkout errors for a third of customers. Actions: we are rolling back orders. Needs: support to tell customers; next update 17:00.';

/** A complete, good response (the walkthrough's Team Blue, compressed). */
function goodTeam(): EventLogBuilder {
  return log()
    .role(0, 'incident-commander', 'Ana')
    .role(5, 'ops-lead', 'Ben')
    .role(10, 'comms-lead', 'Chloé')
    .inject(ONSET, 'orders-v214', 'bad-deploy', 'orders')
    .impactStarted(90)
    .firing(200, 'OrdersLatencyHigh', 'orders')
    .ack(230, 'OrdersLatencyHigh', 'Ben')
    .observe(250, 'orders')
    .declare(300, 'SEV2', 'Checkout errors; orders suspected', ['orders'])
    .openRunbook(310, 'orders-latency')
    .step(320, 'orders-latency', 1)
    .update(400, CAN)
    .step(450, 'orders-latency', 2)
    .action(450, { action: 'rollback', service: 'orders' }, { via: { runbook: 'orders-latency', step: 2 } })
    .update(480, 'Some customers see errors at checkout; we are rolling back. Next update in 15 minutes.', 'external')
    .cleared(555, 'orders-v214')
    .step(600, 'orders-latency', 3)
    .impactEnded(640)
    .mitigated(640)
    .update(660, 'Condition: mitigated, checkout errors at baseline. Actions: rolled back to v2.13. Needs: none; postmortem Monday.')
    .action(700, { action: 'resolve', summary: 'orders v2.14 had an N+1 query; rolled back to v2.13' }, { data: { premature: false } })
    .resolved(700)
    .sloReport(0.5)
    .end(700);
}

describe('the hand-built test fixtures', () => {
  it('make a valid scenario and logs with increasing seq', () => {
    expect(Value.Check(Scenario, S)).toBe(true);
    expect(Value.Check(Scenario, scenario({ expectations: { runbook: null, weights: { mitigation: 50 }, communication: { firstUpdateWithin: '5m' } }, players: ['commerce'] }))).toBe(true);
    const events = goodTeam().build('blue');
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.every((e, i) => e.team === 'blue' && (i === 0 || e.t >= events[i - 1].t))).toBe(true);
    expect(() => log().mitigated(100).resolved(50)).toThrow(/back in time/);
  });

  it('link a cleared fault to the remediation that cleared it, also after merging teams', () => {
    const blue = started().action(400, { action: 'rollback', service: 'orders' }).cleared(505, 'orders-v214').build('blue');
    expect(blue[2]).toMatchObject({ type: 'fault.cleared', actionSeq: 2 });
    const merged = mergeLogs(log().impactStarted(10).build('red'), blue);
    expect(merged.map((e) => [e.seq, e.team, e.type])).toEqual([
      [1, 'red', 'impact.started'],
      [2, 'blue', 'fault.injected'],
      [3, 'blue', 'action'],
      [4, 'blue', 'fault.cleared'],
    ]);
    expect(merged[3]).toMatchObject({ actionSeq: 3 });
  });
});

describe('timeliness and the defaults', () => {
  it('gives full points up to the target, falling linearly to 0 at three times the target', () => {
    expect([0, 300, 450, 600, 750, 900, 2000].map((t) => timeliness(t, 300, 50))).toEqual([50, 50, 38, 25, 13, 0, 0]);
  });

  it('defaults: ack 5 min, declare 10 min, page 15 min, first update 15 min, cadence 15 min; weights 20/20/15/30/15', () => {
    expect(DEFAULT_TARGETS).toEqual({ ackWithin: 300, declareWithin: 600, pageWithin: 900, firstUpdateWithin: 900, cadence: 900 });
    expect(DEFAULT_WEIGHTS).toEqual({ detection: 20, escalation: 20, runbook: 15, mitigation: 30, communication: 15 });
    expect(DIMENSIONS).toEqual(['detection', 'escalation', 'runbook', 'mitigation', 'communication']);
  });
});

describe('a complete, good response', () => {
  it('scores every rule as the docs say: 99', () => {
    const s = score(goodTeam());
    expect(s.findings.map((f) => `${f.dimension} ${f.text}`)).toEqual([
      'detection Acknowledged OrdersLatencyHigh at T+3:50, 0:30 after it fired (target 5:00): +50',
      'detection Declared at T+5:00, 4:30 after the fault began, naming orders (target 10:00): +35',
      'detection Investigated orders, where the cause was, at T+4:10: +15',
      'escalation Severity SEV2, as expected: +35',
      'escalation Ana named incident commander at T+0:00: +15',
      'escalation No other team needed paging: +30',
      'escalation Tasks handed to named people (Ben as ops-lead, Chloé as comms-lead): +10',
      'escalation The incident commander coordinated and left the hands-on work to others: +10',
      'runbook Opened orders-latency at T+5:10: +30',
      'runbook Ran 3 of 3 expected steps of orders-latency: +50',
      'runbook No ad-hoc remediations that contradict the runbook: +20',
      'mitigation Mitigated at T+10:40, 10:10 after the fault began (target 15:00): +50',
      'mitigation Resolved at T+11:40, 11:10 after onset: +10',
      'mitigation 0.50% of the monthly error budget burned (0% keeps all 20 points, 5% or more loses them): +18',
      'mitigation No trap sprung and no action wasted: +20',
      'communication First status update at T+6:40, 6:10 after onset (target 15:00): +40',
      'communication Updates kept the 15:00 cadence in 1 of 1 intervals: +20',
      'communication Posted a closing update at T+11:00: +15',
      'communication 3 of 3 updates say Condition, Actions and Needs (CAN): +25',
    ]);
    // every rule kept all it could give
    expect(s.findings.map((f) => f.max)).toEqual([50, 35, 15, 35, 15, 30, 10, 10, 30, 50, 20, 50, 10, 20, 20, 40, 20, 15, 25]);
    expect(Object.fromEntries(DIMENSIONS.map((d) => [d, s.dimensions[d].score]))).toEqual({ detection: 100, escalation: 100, runbook: 100, mitigation: 98, communication: 100 });
    // (100·20 + 100·20 + 100·15 + 98·30 + 100·15) / 100 = 99.4
    expect(s.total).toBe(99);
    expect(s.metrics).toEqual({ ttaSeconds: 30, ttdSeconds: 270, ttmSeconds: 610, ttrSeconds: 670, errorBudgetBurnedPct: 0.5 });
    expect(s.hints).toEqual({ count: 0, cost: 0 });
    expect(s.trapsSprung).toBe(0);
  });
});

describe('detection: acknowledging the page', () => {
  it('within the target: +50, TTA from the firing', () => {
    const s = score(started().firing(230, 'OrdersLatencyHigh', 'orders').ack(250, 'OrdersLatencyHigh'));
    expect(finding(s, 'detection', 'Acknowledged')).toEqual({ dimension: 'detection', t: 250, points: 50, text: 'Acknowledged OrdersLatencyHigh at T+4:10, 0:20 after it fired (target 5:00): +50' });
    expect(s.metrics.ttaSeconds).toBe(20);
  });

  it('late: linear from 50 at the target to 0 at three times the target', () => {
    const at = (ack: number) => finding(score(started().firing(100, 'CheckoutErrors', 'orders').ack(ack, 'CheckoutErrors')), 'detection', 'Acknowledged');
    expect(at(700).text).toBe('Acknowledged CheckoutErrors at T+11:40, 10:00 after it fired (target 5:00): +25');
    expect([at(400), at(550), at(700), at(1000), at(2000)].map((f) => f.points)).toEqual([50, 38, 25, 0, 0]);
  });

  it('uses the scenario’s ackWithin', () => {
    const spec = scenario({ expectations: { detection: { ackWithin: '1m' } } });
    const f = finding(score(started().firing(100, 'CheckoutErrors', 'orders').ack(220, 'CheckoutErrors'), spec), 'detection', 'Acknowledged');
    expect(f.text).toBe('Acknowledged CheckoutErrors at T+3:40, 2:00 after it fired (target 1:00): +25');
  });

  it('TTA counts from the latest firing of that alert before the ack', () => {
    const s = score(started().firing(100, 'OrdersLatencyHigh', 'orders').alertResolved(200, 'OrdersLatencyHigh', 'orders').firing(500, 'OrdersLatencyHigh', 'orders').ack(530, 'OrdersLatencyHigh'));
    expect(s.metrics.ttaSeconds).toBe(30);
  });

  it('never acknowledged: 0, naming the first expected alert; acking an unexpected alert or a refused ack does not count', () => {
    const s = score(
      started()
        .firing(150, 'PostgresCpuHigh', 'postgres-main', 'warning')
        .firing(230, 'OrdersLatencyHigh', 'orders')
        .ack(240, 'PostgresCpuHigh')
        .action(250, { action: 'acknowledge', alert: 'OrdersLatencyHigh' }, { refused: { code: 'alert/not-firing', message: 'OrdersLatencyHigh is not firing' } }),
    );
    expect(finding(s, 'detection', 'OrdersLatencyHigh')).toEqual({ dimension: 'detection', t: 230, points: 0, text: 'OrdersLatencyHigh fired at T+3:50 and was never acknowledged: +0' });
    expect(s.metrics.ttaSeconds).toBeNull();
  });

  it('when none of the expected alerts fired, acknowledging any alert that fired counts, with a note', () => {
    const s = score(started().firing(150, 'PostgresCpuHigh', 'postgres-main', 'warning').ack(200, 'PostgresCpuHigh'));
    expect(finding(s, 'detection', 'Acknowledged')).toEqual({
      dimension: 'detection', t: 200, points: 50,
      text: 'Acknowledged PostgresCpuHigh at T+3:20, 0:50 after it fired (target 5:00) (none of the expected alerts fired): +50',
    });
  });

  it('no alert ever fired: +50 if the team declared anyway, 0 if not', () => {
    const spotted = score(declared());
    expect(finding(spotted, 'detection', 'No alert')).toEqual({ dimension: 'detection', t: 330, points: 50, text: 'No alert fired; the team spotted the incident itself and declared at T+5:30: +50' });
    const missed = score(started().end(900, 'unresolved', 'time ran out'));
    expect(finding(missed, 'detection', 'No alert')).toEqual({ dimension: 'detection', t: null, points: 0, text: 'No alert fired and no incident was declared: +0' });
  });
});

describe('detection: declaring', () => {
  it('in time and naming an affected service: +35, TTD from onset', () => {
    const s = score(declared());
    expect(finding(s, 'detection', 'Declared')).toEqual({ dimension: 'detection', t: 330, points: 35, text: 'Declared at T+5:30, 5:00 after the fault began, naming orders (target 10:00): +35' });
    expect(s.metrics.ttdSeconds).toBe(300);
  });

  it('late: linear to 0 at three times the target (20:00 after onset: 17.5 → 18)', () => {
    const s = score(started().declare(1230, 'SEV2', 'Checkout errors', ['orders']));
    expect(finding(s, 'detection', 'Declared').text).toBe('Declared at T+20:30, 20:00 after the fault began, naming orders (target 10:00): +18');
    expect(finding(score(started().declare(1830, 'SEV2', 'x', ['orders'])), 'detection', 'Declared').points).toBe(0);
  });

  it('a service named in the summary counts; the scenario’s declareWithin applies', () => {
    const spec = scenario({ expectations: { detection: { declareWithin: '2m' } } });
    const s = score(started().declare(270, 'SEV2', 'postgres-main is saturated'), spec);
    expect(finding(s, 'detection', 'Declared').text).toBe('Declared at T+4:30, 4:00 after the fault began, naming postgres-main (target 2:00): +18');
  });

  it('without naming an affected service: 60% of the timeliness points', () => {
    const s = score(started().declare(330, 'SEV2', 'Checkout is broken', ['cart']));
    expect(finding(s, 'detection', 'Declared')).toEqual({
      dimension: 'detection', t: 330, points: 21,
      text: 'Declared at T+5:30 (5:00 after onset) without naming an affected service (orders, postgres-main): +21',
    });
    // late and unnamed: 18 × 0.6 = 10.8 → 11
    expect(finding(score(started().declare(1230, 'SEV2', 'Checkout is broken')), 'detection', 'Declared').points).toBe(11);
  });

  it('not declared: 0 and no TTD', () => {
    const s = score(started().firing(230, 'OrdersLatencyHigh', 'orders').ack(250, 'OrdersLatencyHigh'));
    expect(finding(s, 'detection', 'Never declared')).toEqual({ dimension: 'detection', t: null, points: 0, text: 'Never declared an incident: +0' });
    expect(s.metrics.ttdSeconds).toBeNull();
  });
});

describe('detection: investigating', () => {
  it('looking at the root-cause service (the first expected service) before mitigation: +15', () => {
    const s = score(started().observe(200, 'cart').observe(300, 'orders'));
    expect(finding(s, 'detection', 'Investigated')).toEqual({ dimension: 'detection', t: 300, points: 15, text: 'Investigated orders, where the cause was, at T+5:00: +15' });
  });

  it('looking only at another key service before mitigation: +8', () => {
    const s = score(started().observe(200, 'postgres-main'));
    expect(finding(s, 'detection', 'Investigated')).toEqual({ dimension: 'detection', t: 200, points: 8, text: 'Investigated postgres-main but not orders, where the cause was: +8' });
    // after mitigation it is no investigation at all
    expect(finding(score(started().mitigated(600).observe(700, 'postgres-main')), 'detection', 'Never looked').points).toBe(0);
  });

  it('looking at the cause service only after mitigation: +8, saying when', () => {
    const s = score(started().mitigated(600).observe(700, 'orders'));
    expect(finding(s, 'detection', 'Looked at')).toEqual({ dimension: 'detection', t: 700, points: 8, text: 'Looked at orders, where the cause was, only after mitigation (T+11:40): +8' });
    // another key service looked at in time takes precedence (same points)
    const both = score(started().observe(200, 'postgres-main').mitigated(600).observe(700, 'orders'));
    expect(texts(both, 'detection')[2]).toBe('Investigated postgres-main but not orders, where the cause was: +8');
  });

  it('a runbook step that checks a service counts as looking at it; a step that runs an action does not', () => {
    // orders-latency step 1: `check: deploys orders`; step 5: `check: metric postgres-main cpu`; step 2: `run: rollback service=orders`
    expect(finding(score(started().step(310, 'orders-latency', 1)), 'detection', 'Investigated')).toEqual({
      dimension: 'detection', t: 310, points: 15, text: 'Investigated orders, where the cause was, at T+5:10: +15',
    });
    expect(finding(score(started().step(310, 'orders-latency', 5)), 'detection', 'Investigated').text).toBe('Investigated postgres-main but not orders, where the cause was: +8');
    expect(finding(score(started().step(310, 'orders-latency', 2)), 'detection', 'Never looked').points).toBe(0);
    // scored without the runbooks, a step's directive is unknown: not a look
    expect(finding(scoreTeam(started().step(310, 'orders-latency', 1).build(), S, 'team-1'), 'detection', 'Never looked').points).toBe(0);
  });

  it('looking at nothing relevant: 0', () => {
    const s = score(started().observe(200, 'cart'));
    expect(finding(s, 'detection', 'Never looked')).toEqual({ dimension: 'detection', t: null, points: 0, text: 'Never looked at orders, where the cause was: +0' });
  });
});

describe('escalation: severity', () => {
  const sev = (severity: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4', expected: 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' = 'SEV2') =>
    finding(score(started().declare(330, severity, 'Checkout errors', ['orders']), scenario({ expectations: { escalation: { severity: expected } } })), 'escalation', 'Severity');

  it('exact: +35', () => {
    expect(sev('SEV2')).toEqual({ dimension: 'escalation', t: 330, points: 35, text: 'Severity SEV2, as expected: +35' });
  });

  it('one level too high: +25 (if unsure, pick the higher severity)', () => {
    expect(sev('SEV1').text).toBe('Severity SEV1 for a SEV2 incident: over-classified, the safer mistake: +25');
  });

  it('one level too low: +10', () => {
    expect(sev('SEV3').text).toBe('Severity SEV3 for a SEV2 incident: under-classified — pick the severity from customer impact: +10');
  });

  it('two or more levels off: 0', () => {
    expect(sev('SEV4').text).toBe('Severity SEV4 for a SEV2 incident: far too low: +0');
    expect(sev('SEV1', 'SEV3').text).toBe('Severity SEV1 for a SEV3 incident: far too high: +0');
  });

  it('not declared: 0', () => {
    expect(finding(score(started()), 'escalation', 'No incident declared').text).toBe('No incident declared, so no severity (expected SEV2): +0');
  });

  it('the last set-severity up to mitigation counts; later ones and refused ones do not', () => {
    const base = () => started().declare(330, 'SEV3', 'Checkout errors', ['orders']);
    expect(finding(score(base().action(400, { action: 'set-severity', severity: 'SEV2' }).mitigated(600)), 'escalation', 'Severity').points).toBe(35);
    expect(finding(score(base().mitigated(600).action(700, { action: 'set-severity', severity: 'SEV2' })), 'escalation', 'Severity').points).toBe(10);
    expect(finding(score(base().action(400, { action: 'set-severity', severity: 'SEV1' }).action(500, { action: 'set-severity', severity: 'SEV4' })), 'escalation', 'Severity').text).toBe(
      'Severity SEV4 for a SEV2 incident: far too low: +0',
    );
    const refused = base().action(400, { action: 'set-severity', severity: 'SEV2' }, { refused: { code: 'x', message: 'no' } });
    expect(finding(score(refused), 'escalation', 'Severity').points).toBe(10);
  });
});

describe('escalation: incident commander', () => {
  it('named within 5 minutes of the first signal (first expected alert, declaration or onset + 5 min): +15', () => {
    const s = score(started().firing(230, 'OrdersLatencyHigh', 'orders').role(530, 'incident-commander', 'Ana'));
    expect(finding(s, 'escalation', 'Ana')).toEqual({ dimension: 'escalation', t: 530, points: 15, text: 'Ana named incident commander at T+8:50: +15' });
  });

  it('later: +8', () => {
    const s = score(started().firing(230, 'OrdersLatencyHigh', 'orders').role(531, 'incident-commander', 'Ana'));
    expect(finding(s, 'escalation', 'Incident commander')).toEqual({ dimension: 'escalation', t: 531, points: 8, text: 'Incident commander named late, at T+8:51: +8' });
  });

  it('the first signal is the earliest of the first alert, the declaration and onset + 5 min', () => {
    expect(finding(score(started().role(630, 'incident-commander', 'Ana')), 'escalation', 'Ana').points).toBe(15);
    expect(finding(score(started().role(631, 'incident-commander', 'Ana')), 'escalation', 'Incident commander').points).toBe(8);
    const early = started().declare(100, 'SEV2', 'orders down', ['orders']).firing(230, 'OrdersLatencyHigh', 'orders').role(401, 'incident-commander', 'Ana');
    expect(finding(score(early), 'escalation', 'Incident commander').points).toBe(8);
  });

  it('never: 0, and nobody coordinated', () => {
    const s = score(declared());
    expect(finding(s, 'escalation', 'No incident commander')).toEqual({ dimension: 'escalation', t: null, points: 0, text: 'No incident commander named: +0' });
    expect(finding(s, 'escalation', 'Without')).toEqual({ dimension: 'escalation', t: null, points: 0, text: 'Without an incident commander, nobody coordinated: +0' });
    expect(finding(s, 'escalation', 'No roles')).toEqual({ dimension: 'escalation', t: null, points: 0, text: 'No roles handed out: +0' });
  });
});

describe('escalation: paging', () => {
  const expects = (page: string[], within?: string) => scenario({ expectations: { escalation: { severity: 'SEV2', page, ...(within ? { within } : {}) } } });

  it('an expected team paged within the target (default 15 min after onset): its share of 30', () => {
    const s = score(declared().page(930, 'data-platform'), expects(['data-platform']));
    expect(finding(s, 'escalation', 'Paged')).toEqual({ dimension: 'escalation', t: 930, points: 30, text: 'Paged data-platform at T+15:30, 15:00 after onset (target 15:00): +30' });
  });

  it('late: half its share', () => {
    const s = score(declared().page(931, 'data-platform'), expects(['data-platform']));
    expect(finding(s, 'escalation', 'Paged')).toEqual({ dimension: 'escalation', t: 931, points: 15, text: 'Paged data-platform late, 15:01 after onset (target 15:00): +15' });
    expect(finding(score(declared().page(331, 'data-platform'), expects(['data-platform'], '5m')), 'escalation', 'Paged').text).toBe(
      'Paged data-platform late, 5:01 after onset (target 5:00): +15',
    );
  });

  it('never: 0 for that team; two expected teams share the 30 points', () => {
    const s = score(declared().page(400, 'payments'), expects(['data-platform', 'payments']));
    expect(texts(s, 'escalation').filter((t) => t.includes('paged') || t.startsWith('Paged'))).toEqual([
      'Never paged data-platform: +0',
      'Paged payments at T+6:40, 6:10 after onset (target 15:00): +15',
    ]);
  });

  it('shares are whole points adding up to exactly 30: the first 30 mod n teams get one more; late is half a share, rounded down', () => {
    const paging = (s: TeamScore) => s.dimensions.escalation.findings.filter((f) => f.text.startsWith('Paged')).map((f) => [f.points, f.max]);
    const four = ['data-platform', 'payments', 'storefront', 'search'];
    const onTime = declared().page(400, 'data-platform').page(410, 'payments').page(420, 'storefront').page(430, 'search');
    expect(paging(score(onTime, expects(four)))).toEqual([[8, 8], [8, 8], [7, 7], [7, 7]]);
    const late = declared().page(1000, 'data-platform').page(1010, 'payments').page(1020, 'storefront').page(1030, 'search');
    expect(paging(score(late, expects(four)))).toEqual([[4, 8], [4, 8], [3, 7], [3, 7]]);
    expect(finding(score(late, expects(four)), 'escalation', 'Paged search')).toEqual({ dimension: 'escalation', t: 1030, points: 3, text: 'Paged search late, 16:40 after onset (target 15:00): +3' });
    const three = declared().page(400, 'data-platform').page(410, 'payments').page(420, 'storefront');
    expect(paging(score(three, expects(four.slice(0, 3))))).toEqual([[10, 10], [10, 10], [10, 10]]);
    // never paged: 0 of its share
    expect(score(declared(), expects(four)).dimensions.escalation.findings.filter((f) => f.text.startsWith('Never paged')).map((f) => [f.points, f.max])).toEqual([[0, 8], [0, 8], [0, 7], [0, 7]]);
  });

  it('no page expected: +30 for restraint, only if the team engaged (declared or remediated)', () => {
    expect(finding(score(declared()), 'escalation', 'No other team')).toMatchObject({ points: 30, text: 'No other team needed paging: +30' });
    const idle = score(started().firing(230, 'OrdersLatencyHigh', 'orders').ack(250, 'OrdersLatencyHigh'));
    expect(finding(idle, 'escalation', 'The team never engaged')).toMatchObject({ points: 0, text: 'The team never engaged, so there is no credit for restraint in paging: +0' });
    const remediated = score(started().action(400, { action: 'restart', service: 'orders' }));
    expect(finding(remediated, 'escalation', 'No other team').points).toBe(30);
  });

  it('each needless page: −8', () => {
    const one = score(declared().page(400, 'payments'));
    expect(finding(one, 'escalation', 'Paged payments')).toEqual({ dimension: 'escalation', t: 400, points: -8, text: 'Paged payments, which had no part in this: −8' });
    const two = score(declared().page(400, 'payments').page(410, 'storefront'), expects(['data-platform']));
    expect(texts(two, 'escalation').filter((t) => t.includes('no part'))).toEqual(['Paged payments, which had no part in this: −8', 'Paged storefront, which had no part in this: −8']);
  });

  it('three or more needless pages: "paging everyone", −8 each up to −30', () => {
    const three = score(declared().page(400, 'payments').page(410, 'storefront').page(420, 'data-platform'));
    expect(finding(three, 'escalation', 'Paged 3')).toEqual({
      dimension: 'escalation', t: 400, points: -24,
      text: 'Paged 3 teams that had no part in this (payments, storefront, data-platform): paging everyone wakes people for nothing: −24',
    });
    const four = score(declared().page(400, 'payments').page(410, 'storefront').page(420, 'data-platform').page(430, 'search'));
    expect(finding(four, 'escalation', 'Paged 4').points).toBe(-30);
  });

  it('paging a team the players act as is never needless', () => {
    const s = score(declared().page(400, 'commerce'), scenario({ players: ['commerce'] }));
    expect(texts(s, 'escalation').some((t) => t.includes('no part'))).toBe(false);
  });
});

describe('escalation: handing out roles and coordinating', () => {
  it('roles handed to people other than the IC: +10, each person and role once', () => {
    const s = score(declared().role(340, 'incident-commander', 'Ana').role(350, 'ops-lead', 'Ben').role(360, 'comms-lead', 'Chloé').role(370, 'ops-lead', 'Ben'));
    expect(finding(s, 'escalation', 'Tasks')).toEqual({ dimension: 'escalation', t: 350, points: 10, text: 'Tasks handed to named people (Ben as ops-lead, Chloé as comms-lead): +10' });
  });

  it('the IC giving themselves another role does not count', () => {
    const s = score(declared().role(340, 'incident-commander', 'Ana').role(350, 'ops-lead', 'Ana'));
    expect(finding(s, 'escalation', 'No ops or comms lead')).toMatchObject({ points: 0, text: 'No ops or comms lead named: the incident commander carried everything: +0' });
  });

  it('an IC who ran most remediations (2 or more, over half of those with an actor): 0', () => {
    const s = score(
      declared()
        .role(340, 'incident-commander', 'Ana')
        .action(400, { action: 'restart', service: 'orders', actor: 'Ana' })
        .action(500, { action: 'rollback', service: 'orders', actor: 'Ana' })
        .action(510, { action: 'scale-out', service: 'orders', count: 1, actor: 'Ben' }),
    );
    expect(finding(s, 'escalation', 'The incident commander ran')).toEqual({ dimension: 'escalation', t: 400, points: 0, text: 'The incident commander ran 2 of 3 remediations instead of coordinating: +0' });
  });

  it('an IC who left the hands-on work to others: +10 (one remediation, or half of them, is fine)', () => {
    const one = declared().role(340, 'incident-commander', 'Ana').action(400, { action: 'rollback', service: 'orders', actor: 'Ana' });
    expect(finding(score(one), 'escalation', 'The incident commander coordinated')).toMatchObject({ points: 10, text: 'The incident commander coordinated and left the hands-on work to others: +10' });
    const half = declared()
      .role(340, 'incident-commander', 'Ana')
      .action(400, { action: 'restart', service: 'orders', actor: 'Ana' })
      .action(410, { action: 'rollback', service: 'orders', actor: 'Ana' })
      .action(420, { action: 'restart', service: 'cart', actor: 'Ben' })
      .action(430, { action: 'restart', service: 'web', actor: 'Ben' });
    expect(finding(score(half), 'escalation', 'The incident commander coordinated').points).toBe(10);
  });

  it('an IC named by a team that never engaged: no credit for coordinating', () => {
    const s = score(started().role(40, 'incident-commander', 'Ana'));
    expect(finding(s, 'escalation', 'An incident commander was named')).toEqual({
      dimension: 'escalation', t: null, points: 0, text: 'An incident commander was named but the team never engaged: nothing to coordinate: +0',
    });
  });
});

describe('runbook', () => {
  it('opened within 10 minutes of onset: +30; later: +15; a run-step opens it too', () => {
    expect(finding(score(started().openRunbook(630, 'orders-latency')), 'runbook', 'Opened')).toEqual({ dimension: 'runbook', t: 630, points: 30, text: 'Opened orders-latency at T+10:30: +30' });
    expect(finding(score(started().openRunbook(631, 'orders-latency')), 'runbook', 'Opened')).toEqual({ dimension: 'runbook', t: 631, points: 15, text: 'Opened orders-latency late, at T+10:31: +15' });
    expect(finding(score(started().step(300, 'orders-latency', 1)), 'runbook', 'Opened').points).toBe(30);
  });

  it('never opened (another runbook does not count): 0', () => {
    expect(finding(score(started().openRunbook(300, 'postgres-saturation')), 'runbook', 'Never opened')).toEqual({ dimension: 'runbook', t: null, points: 0, text: 'Never opened the orders-latency runbook: +0' });
  });

  it('expected steps covered: 50 × covered / expected, naming the skipped ones', () => {
    const two = score(started().step(300, 'orders-latency', 1).step(400, 'orders-latency', 2).step(410, 'orders-latency', 5));
    expect(finding(two, 'runbook', 'Ran 2')).toEqual({ dimension: 'runbook', t: 300, points: 33, text: 'Ran 2 of 3 expected steps of orders-latency (skipped 3): +33' });
    expect(finding(score(started()), 'runbook', 'Ran 0')).toEqual({ dimension: 'runbook', t: null, points: 0, text: 'Ran 0 of 3 expected steps of orders-latency (skipped 1, 2, 3): +0' });
  });

  it('without `steps`, all the runbook’s steps are expected (orders-latency has 7)', () => {
    const spec = scenario({ expectations: { runbook: { id: 'orders-latency' } } });
    expect(finding(score(started().step(300, 'orders-latency', 2).step(310, 'orders-latency', 4), spec), 'runbook', 'Ran')).toEqual({
      dimension: 'runbook', t: 300, points: 14, text: 'Ran 2 of 7 expected steps of orders-latency (skipped 1, 3, 5, 6, 7): +14',
    });
    expect(finding(score(started(), spec), 'runbook', 'Ran')).toMatchObject({ points: 0, text: 'Ran 0 of 7 expected steps of orders-latency (skipped 1, 2, 3, 4, 5, 6, 7): +0' });
  });

  it('without `steps` and scored without the runbooks, the steps the team ran stand in for the expected ones', () => {
    const spec = scenario({ expectations: { runbook: { id: 'orders-latency' } } });
    const bare = (b: EventLogBuilder) => scoreTeam(b.build(), spec, 'team-1');
    expect(finding(bare(started().step(300, 'orders-latency', 2).step(310, 'orders-latency', 4)), 'runbook', 'Ran').text).toBe('Ran 2 of 2 expected steps of orders-latency: +50');
    expect(finding(bare(started()), 'runbook', 'Ran no step')).toMatchObject({ points: 0, text: 'Ran no step of orders-latency: +0' });
  });

  it('expected steps run out of order: −10', () => {
    const s = score(started().step(300, 'orders-latency', 2).step(310, 'orders-latency', 1).step(320, 'orders-latency', 3));
    expect(finding(s, 'runbook', 'Ran the steps')).toEqual({ dimension: 'runbook', t: null, points: -10, text: 'Ran the steps out of order: −10' });
    const again = score(started().step(300, 'orders-latency', 1).step(310, 'orders-latency', 2).step(320, 'orders-latency', 1).step(330, 'orders-latency', 3));
    expect(texts(again, 'runbook').some((t) => t.includes('out of order'))).toBe(false);
  });

  it('repeated steps: −5 for each extra run, at most −15', () => {
    const once = score(started().step(300, 'orders-latency', 1).step(310, 'orders-latency', 1));
    expect(finding(once, 'runbook', 'Repeated')).toEqual({ dimension: 'runbook', t: null, points: -5, text: 'Repeated steps 1 (×2): −5' });
    const many = started();
    for (const [t, n] of [[300, 1], [301, 1], [302, 1], [303, 2], [304, 2], [305, 2]]) many.step(t, 'orders-latency', n);
    expect(finding(score(many), 'runbook', 'Repeated')).toMatchObject({ points: -15, text: 'Repeated steps 1 (×3), 2 (×3): −15' });
  });

  it('ad-hoc remediations that did not clear the cause: −5 each from 20', () => {
    const one = score(started().action(400, { action: 'restart', service: 'orders' }));
    expect(finding(one, 'runbook', '1 ad-hoc')).toEqual({ dimension: 'runbook', t: 400, points: 15, text: '1 ad-hoc remediation outside the runbook that did not fix the cause (restart orders): +15' });
    const five = started()
      .action(400, { action: 'restart', service: 'orders' })
      .action(410, { action: 'scale-out', service: 'orders', count: 2 })
      .action(420, { action: 'flush-cache', service: 'redis-cache' })
      .action(430, { action: 'drain-zone', zone: 'a' })
      .action(440, { action: 'shed-load', service: 'orders', fraction: 0.2 });
    expect(finding(score(five), 'runbook', '5 ad-hoc').text).toBe(
      '5 ad-hoc remediations outside the runbook that did not fix the cause (restart orders; scale-out orders; flush-cache redis-cache; drain-zone zone a): +0',
    );
  });

  it('not ad-hoc: a remediation run by a runbook step, or one that cleared the root cause', () => {
    const s = score(
      started()
        .step(400, 'orders-latency', 2)
        .action(400, { action: 'rollback', service: 'orders' }, { via: { runbook: 'orders-latency', step: 2 } })
        .action(410, { action: 'rollback', service: 'orders' })
        .cleared(505, 'orders-v214'),
    );
    expect(finding(s, 'runbook', 'No ad-hoc')).toEqual({ dimension: 'runbook', t: null, points: 20, text: 'No ad-hoc remediations that contradict the runbook: +20' });
    const otherFault = score(started().action(410, { action: 'rollback', service: 'orders' }).cleared(505, 'reconnect-storm'));
    expect(finding(otherFault, 'runbook', '1 ad-hoc').points).toBe(15);
  });

  it('a team that never remediated nor declared: no credit for avoiding ad-hoc actions', () => {
    expect(finding(score(started()), 'runbook', 'No remediation')).toEqual({ dimension: 'runbook', t: null, points: 0, text: 'No remediation at all: +0' });
  });

  it('no runbook expected: 100 with weight 0, left out of the total', () => {
    const spec = scenario({ expectations: { runbook: null, weights: { runbook: 40 } } });
    const s = score(declared(), spec);
    expect(s.dimensions.runbook).toEqual({ score: 100, weight: 0, findings: [{ dimension: 'runbook', max: 100, t: null, points: 100, text: 'No runbook expected in this scenario (not counted): +100' }] });
    // detection 85, escalation 65, mitigation 40, communication 0: (85·20 + 65·20 + 40·30) / 85 = 49.4
    expect(Object.fromEntries(DIMENSIONS.map((d) => [d, s.dimensions[d].score]))).toMatchObject({ detection: 85, escalation: 65, mitigation: 40, communication: 0 });
    expect(s.total).toBe(49);
  });
});

describe('mitigation', () => {
  it('time to mitigate: 50 within the target, linear to 0 at three times it', () => {
    const at = (t: number) => finding(score(started().mitigated(t)), 'mitigation', 'Mitigated');
    expect(at(930)).toEqual({ dimension: 'mitigation', t: 930, points: 50, text: 'Mitigated at T+15:30, 15:00 after the fault began (target 15:00): +50' });
    expect([at(1830).points, at(2730).points, at(4000).points]).toEqual([25, 0, 0]);
    expect(score(started().mitigated(930)).metrics.ttmSeconds).toBe(900);
    const spec = scenario({ expectations: { mitigation: { within: '5m' } } });
    expect(finding(score(started().mitigated(630), spec), 'mitigation', 'Mitigated').text).toBe('Mitigated at T+10:30, 10:00 after the fault began (target 5:00): +25');
  });

  it('never mitigated: 0; the finding says whether the cause was still active, and a fault that never began says so', () => {
    expect(finding(score(started()), 'mitigation', 'Never mitigated')).toEqual({ dimension: 'mitigation', t: null, points: 0, text: 'Never mitigated: the cause was still active at the end: +0' });
    // the cause cleared (or ran its course) but the run ended while customers still saw errors
    const cleared = started().impactStarted(90).action(1500, { action: 'rollback', service: 'orders' }).cleared(1605, 'orders-v214').end(1620, 'unresolved', 'time ran out');
    expect(finding(score(cleared), 'mitigation', 'The cause was cleared')).toEqual({ dimension: 'mitigation', t: null, points: 0, text: 'The cause was cleared, but customers still saw errors at the end: +0' });
    const expired = started().impactStarted(90).event(1600, { type: 'fault.expired', fault: 'orders-v214' }).end(1620, 'unresolved', 'time ran out');
    expect(finding(score(expired), 'mitigation', 'The cause was cleared').points).toBe(0);
    // another fault clearing is not the cause clearing
    const other = started().impactStarted(90).event(1600, { type: 'fault.expired', fault: 'reconnect-storm' }).end(1620, 'unresolved', 'time ran out');
    expect(finding(score(other), 'mitigation', 'Never mitigated').points).toBe(0);
    expect(finding(score(log().end(600, 'unresolved', 'time ran out')), 'mitigation', 'The fault')).toMatchObject({ points: 0, text: 'The fault never began: +0' });
  });

  it('resolved within the mitigation target + 15 min: +10; later: +5; never: 0', () => {
    expect(finding(score(started().resolved(1830)), 'mitigation', 'Resolved')).toEqual({ dimension: 'mitigation', t: 1830, points: 10, text: 'Resolved at T+30:30, 30:00 after onset: +10' });
    expect(finding(score(started().resolved(1831)), 'mitigation', 'Resolved').points).toBe(5);
    expect(finding(score(started()), 'mitigation', 'Never resolved')).toMatchObject({ t: null, points: 0, text: 'Never resolved: +0' });
    expect(score(started().resolved(1830)).metrics.ttrSeconds).toBe(1800);
  });

  it('resolving while the cause is still active: −5', () => {
    const s = score(started().action(480, { action: 'resolve', summary: 'looks fine now' }, { data: { premature: true } }));
    expect(finding(s, 'mitigation', 'Resolved at')).toEqual({ dimension: 'mitigation', t: 480, points: -5, text: 'Resolved at T+8:00 while the cause was still active: −5' });
  });

  it('error budget burned: 20 at 0%, linear to 0 at 5% (worst SLO counts)', () => {
    const at = (pct: number) => finding(score(started().sloReport(pct, 900).end(900)), 'mitigation', pct.toFixed(2));
    expect(at(0)).toEqual({ dimension: 'mitigation', t: 900, points: 20, text: '0.00% of the monthly error budget burned (0% keeps all 20 points, 5% or more loses them): +20' });
    expect([at(0.6).points, at(2.5).points, at(4.99).points, at(5).points, at(12).points]).toEqual([18, 10, 0, 0, 0]);
    const two = started().event(900, { type: 'slo.report', slos: [
      { id: 'a', service: 'orders', objective: 0.999, burnedPct: 0.5 },
      { id: 'b', service: 'web', objective: 0.999, burnedPct: 2.5 },
    ] });
    expect(score(two).metrics.errorBudgetBurnedPct).toBe(2.5);
    expect(finding(score(two), 'mitigation', '2.50%').points).toBe(10);
  });

  it('no SLO: customer impact time instead, 20 at none, 0 at 30 minutes', () => {
    const closed = score(started().impactStarted(100).impactEnded(700).noSloReport(900).end(900));
    expect(finding(closed, 'mitigation', 'Customers')).toEqual({ dimension: 'mitigation', t: 900, points: 13, text: 'Customers saw errors for 10:00: +13' });
    expect(closed.metrics.errorBudgetBurnedPct).toBeNull();
    // still on at the end; two spans add up; no slo.report at all
    expect(finding(score(started().impactStarted(100).end(1000, 'unresolved', 'time ran out')), 'mitigation', 'Customers').text).toBe('Customers saw errors for 15:00: +10');
    const spans = started().impactStarted(100).impactEnded(400).impactStarted(1000).impactEnded(2500).end(2600);
    expect(finding(score(spans), 'mitigation', 'Customers').text).toBe('Customers saw errors for 30:00: +0');
    expect(finding(score(started().end(900)), 'mitigation', 'Customers').text).toBe('Customers saw errors for 0:00: +20');
  });

  it('an engaged team starts with 20 for harm-free remediation; each trap sprung costs 15', () => {
    const s = score(declared().trap(360, 'restart-orders-trap', 'Restarted orders').trap(540, 'scale-out-orders-trap', 'Scaled out orders'));
    expect(s.dimensions.mitigation.findings.slice(-3)).toEqual([
      { dimension: 'mitigation', max: 20, t: null, points: 20, text: 'Starting allowance for harm-free remediation: +20' },
      { dimension: 'mitigation', max: 0, t: 360, points: -15, text: 'Trap at T+6:00: Restarted orders: −15' },
      { dimension: 'mitigation', max: 0, t: 540, points: -15, text: 'Trap at T+9:00: Scaled out orders: −15' },
    ]);
    expect(s.trapsSprung).toBe(2);
    expect(finding(score(declared()), 'mitigation', 'No trap')).toEqual({ dimension: 'mitigation', t: null, points: 20, text: 'No trap sprung and no action wasted: +20' });
  });

  it('refused remediations: −3 each, at most −10; refused workflow actions do not count', () => {
    const refused = (b: EventLogBuilder, t: number, message: string) => b.action(t, { action: 'restart', service: 'postgres-main' }, { refused: { code: 'access/not-paged', message } });
    const one = refused(declared(), 400, 'page data-platform first');
    expect(finding(score(one), 'mitigation', '1 remediation')).toEqual({ dimension: 'mitigation', t: 400, points: -3, text: '1 remediation refused (page data-platform first): −3' });
    const four = refused(refused(refused(refused(declared(), 400, 'm1'), 410, 'm2'), 420, 'm3'), 430, 'm4');
    expect(finding(score(four), 'mitigation', '4 remediations')).toMatchObject({ points: -10, text: '4 remediations refused (m1; m2; m3): −10' });
    const ack = declared().action(400, { action: 'acknowledge', alert: 'OrdersLatencyHigh' }, { refused: { code: 'alert/not-firing', message: 'not firing' } });
    expect(finding(score(ack), 'mitigation', 'No trap').points).toBe(20);
  });

  it('no credit for restraint when the team never engaged: 0, and its traps and refusals are not listed', () => {
    const idle = started()
      .trap(900, 'no-page-trap', 'Nobody paged data-platform')
      .action(950, { action: 'restart', service: 'postgres-main' }, { refused: { code: 'access/not-paged', message: 'page data-platform first' } });
    const s = score(idle);
    expect(s.dimensions.mitigation.findings.at(-1)).toEqual({ dimension: 'mitigation', max: 20, t: null, points: 0, text: 'No remediation attempted, so no credit for harm-free remediation: +0' });
    expect(texts(s, 'mitigation').some((t) => t.startsWith('Trap') || t.includes('refused'))).toBe(false);
    expect(s.trapsSprung).toBe(1);
  });

  it('the dimension is clamped at 0', () => {
    const s = score(declared().trap(360, 'a', 'A').trap(370, 'b', 'B').trap(380, 'c', 'C').sloReport(6).end(2000));
    expect(rawPoints(s, 'mitigation')).toBe(-25);
    expect(s.dimensions.mitigation.score).toBe(0);
  });
});

describe('communication', () => {
  it('first update: 40 within the target (default 15 min after onset), linear to 0 at three times it', () => {
    const at = (t: number) => finding(score(started().update(t, CAN)), 'communication', 'First');
    expect(at(930)).toEqual({ dimension: 'communication', t: 930, points: 40, text: 'First status update at T+15:30, 15:00 after onset (target 15:00): +40' });
    expect([at(1830).points, at(2730).points]).toEqual([20, 0]);
    const spec = scenario({ expectations: { communication: { firstUpdateWithin: '5m' } } });
    expect(finding(score(started().update(630, CAN), spec), 'communication', 'First').text).toBe('First status update at T+10:30, 10:00 after onset (target 5:00): +20');
  });

  it('cadence: 20 × the share of intervals (from onset to resolution) with an update', () => {
    // intervals from onset (0:30): 0:30–15:30, 15:30–30:30, 30:30–45:30, 45:30–46:10
    const s = score(started().update(100, CAN).update(1100, CAN).resolved(2800));
    expect(finding(s, 'communication', 'Updates kept')).toEqual({ dimension: 'communication', t: null, points: 10, text: 'Updates kept the 15:00 cadence in 2 of 4 intervals: +10' });
    const spec = scenario({ expectations: { communication: { firstUpdateWithin: '15m', cadence: '5m' } } });
    expect(finding(score(started().update(100, CAN).update(400, CAN).update(700, CAN).update(950, CAN).resolved(1000), spec), 'communication', 'Updates kept').text).toBe(
      'Updates kept the 5:00 cadence in 4 of 4 intervals: +20',
    );
    // the last interval is closed at its end: an update right at the resolution fills it
    expect(finding(score(started().update(100, CAN).update(1830, CAN).resolved(1830)), 'communication', 'Updates kept').text).toBe('Updates kept the 15:00 cadence in 2 of 2 intervals: +20');
    // without a resolution, the intervals run to the end of the team's run
    expect(finding(score(started().update(100, CAN).end(1900, 'unresolved', 'time ran out')), 'communication', 'Updates kept').text).toBe('Updates kept the 15:00 cadence in 1 of 3 intervals: +7');
  });

  it('cadence: a late first update leaves the early intervals empty', () => {
    const s = score(started().update(1000, CAN).resolved(1500));
    expect(finding(s, 'communication', 'Updates kept')).toMatchObject({ points: 10, text: 'Updates kept the 15:00 cadence in 1 of 2 intervals: +10' });
  });

  it('no update at all: 0 and 0', () => {
    expect(texts(score(started()), 'communication').slice(0, 2)).toEqual(['No status update was posted: +0', 'No update cadence: +0']);
  });

  it('a closing update from a minute before mitigation to 10 minutes after resolution: +15', () => {
    const closing = score(started().update(100, CAN).mitigated(600).update(540 + 60, CAN).resolved(700));
    expect(finding(closing, 'communication', 'Posted')).toEqual({ dimension: 'communication', t: 600, points: 15, text: 'Posted a closing update at T+10:00: +15' });
    const justBefore = score(started().update(100, CAN).update(540, CAN).mitigated(600).resolved(700));
    expect(finding(justBefore, 'communication', 'Posted').t).toBe(540);
    // the first update cannot also be the closing one
    const onlyOne = score(started().update(540, CAN).mitigated(600).resolved(700));
    expect(finding(onlyOne, 'communication', 'No summary')).toMatchObject({ points: 0 });
    const tooEarly = score(started().update(100, CAN).update(539, CAN).mitigated(600).resolved(700));
    expect(finding(tooEarly, 'communication', 'No summary')).toMatchObject({ points: 0, text: 'No summary at resolution: +0' });
    const unresolved = score(started().mitigated(600).update(650, CAN).end(900, 'unresolved', 'time ran out'));
    expect(finding(unresolved, 'communication', 'No summary').points).toBe(0);
  });

  it('otherwise a resolve with a summary of 30+ characters: +15; shorter, or a premature resolve: 0', () => {
    const resolve = (summary: string, premature = false) =>
      started().mitigated(600).action(700, { action: 'resolve', summary }, { data: { premature } });
    expect(finding(score(resolve('a'.repeat(30)).resolved(700)), 'communication', 'Resolved')).toEqual({ dimension: 'communication', t: 700, points: 15, text: 'Resolved with a written summary: +15' });
    expect(finding(score(resolve('a'.repeat(29)).resolved(700)), 'communication', 'No summary').points).toBe(0);
    expect(finding(score(resolve('a'.repeat(40), true)), 'communication', 'No summary').points).toBe(0);
  });

  it('CAN form: 25 × the share of updates with at least two of Condition, Actions and Needs', () => {
    expect(canElements(CAN)).toBe(3);
    expect(canElements('Orders was slow, we rolled back.')).toBe(2);
    expect(canElements('Investigating.')).toBe(1);
    expect(canElements('Hello team')).toBe(0);
    expect(canElements('ETA 10 min')).toBe(1);
    // contractions count like the full forms, straight or curly apostrophe
    expect(canElements("Customers see errors at checkout. We're on it.")).toBe(2);
    expect(canElements('We’ve paused the deploy')).toBe(1);
    expect(canElements('We have paused the deploy')).toBe(1);
    // whole words only: "eta" in "details", "down" in "download", "fix" in "prefix" do not count
    expect(canElements('Details in the download, see the prefix')).toBe(0);
    expect(canElements('Fixed; restarted orders')).toBe(1);
    const s = score(started().update(100, CAN).update(200, 'Investigating.'));
    expect(finding(s, 'communication', '1 of 2')).toEqual({ dimension: 'communication', t: null, points: 13, text: '1 of 2 updates say Condition, Actions and Needs (CAN): +13' });
    expect(finding(score(started()), 'communication', 'No updates to judge')).toMatchObject({ points: 0, text: 'No updates to judge for CAN form: +0' });
  });

  it('customers affected but no external update: −10 (none when there was one, or no impact)', () => {
    const internalOnly = score(started().impactStarted(100).update(300, CAN));
    expect(finding(internalOnly, 'communication', 'Customers')).toEqual({ dimension: 'communication', t: null, points: -10, text: 'Customers were affected but no external update was posted: −10' });
    expect(texts(score(started().impactStarted(100).update(300, CAN, 'external')), 'communication').some((t) => t.startsWith('Customers'))).toBe(false);
    expect(texts(score(started().update(300, CAN)), 'communication').some((t) => t.startsWith('Customers'))).toBe(false);
    // the dimension is clamped at 0
    expect(score(started().impactStarted(100)).dimensions.communication.score).toBe(0);
  });
});

describe('the total', () => {
  // declared(): detection 85, escalation 65, runbook 20, mitigation 40, communication 0
  it('is the weighted mean of the dimensions: (85·20 + 65·20 + 20·15 + 40·30 + 0·15) / 100 = 45', () => {
    const s = score(declared());
    expect(Object.fromEntries(DIMENSIONS.map((d) => [d, [s.dimensions[d].score, s.dimensions[d].weight]]))).toEqual({
      detection: [85, 20], escalation: [65, 20], runbook: [20, 15], mitigation: [40, 30], communication: [0, 15],
    });
    expect(s.total).toBe(45);
  });

  it('hint costs are subtracted from the weighted total, each a finding', () => {
    const text = 'What changed right before this started? The deploy history of the service that paged you is one click away.';
    const s = score(declared().hint(720, 'hint-deploys', text, 5).hint(1080, 'hint-short', 'Roll back.', 10));
    expect(s.total).toBe(30);
    expect(s.hints).toEqual({ count: 2, cost: 15 });
    expect(s.findings.filter((f) => f.dimension === 'hints')).toEqual([
      { dimension: 'hints', max: 0, t: 720, points: -5, text: 'Hint at T+12:00 ("What changed right before this started? The deploy histor…"): −5' },
      { dimension: 'hints', max: 0, t: 1080, points: -10, text: 'Hint at T+18:00 ("Roll back."): −10' },
    ]);
    expect(score(goodTeam().hint(720, 'h', 'x', 5)).total).toBe(94); // 99.4 − 5
  });

  it('takes weights from expectations.weights, keeping the defaults for the rest', () => {
    const s = score(declared(), scenario({ expectations: { weights: { detection: 50, communication: 0 } } }));
    expect(DIMENSIONS.map((d) => s.dimensions[d].weight)).toEqual([50, 20, 15, 30, 0]);
    // (85·50 + 65·20 + 20·15 + 40·30) / 115 = 61.3
    expect(s.total).toBe(61);
    const zero = scenario({ expectations: { weights: { detection: 0, escalation: 0, runbook: 0, mitigation: 0, communication: 0 } } });
    expect(score(declared(), zero).total).toBe(0);
  });

  it('is clamped to 0–100, as is each dimension', () => {
    expect(score(declared().hint(720, 'h', 'x', 50)).total).toBe(0);
    // below 0: a dimension's penalties can outweigh its points (see mitigation and communication);
    // above 100 no dimension can go, since its rules give at most 100 together. Four expected
    // pages on time: 8 + 8 + 7 + 7 = 30, so a perfect escalation sums to exactly 100.
    const spec = scenario({ expectations: { escalation: { severity: 'SEV2', page: ['data-platform', 'payments', 'storefront', 'search'] } } });
    const b = declared().role(340, 'incident-commander', 'Ana').role(345, 'ops-lead', 'Ben');
    for (const [t, team] of [[400, 'data-platform'], [410, 'payments'], [420, 'storefront'], [430, 'search']] as const) b.page(t, team);
    const s = score(b, spec);
    expect(rawPoints(s, 'escalation')).toBe(100);
    expect(s.dimensions.escalation.score).toBe(100);
  });
});

describe('edge cases', () => {
  it('no alert ever fired: no TTA, detection judged on the declaration', () => {
    const s = score(declared().observe(400, 'orders').mitigated(800).resolved(900).sloReport(0.2).end(900));
    expect(s.metrics.ttaSeconds).toBeNull();
    expect(texts(s, 'detection')).toEqual([
      'No alert fired; the team spotted the incident itself and declared at T+5:30: +50',
      'Declared at T+5:30, 5:00 after the fault began, naming orders (target 10:00): +35',
      'Investigated orders, where the cause was, at T+6:40: +15',
    ]);
  });

  it('a team that resolves before anything was detected (declares nothing, mitigates by chance)', () => {
    const s = score(
      started()
        .impactStarted(90)
        .action(200, { action: 'rollback', service: 'orders' })
        .cleared(305, 'orders-v214')
        .impactEnded(380)
        .mitigated(380)
        .action(400, { action: 'resolve' }, { data: { premature: false } })
        .resolved(400)
        .sloReport(0.2)
        .end(400),
    );
    expect(s.metrics).toEqual({ ttaSeconds: null, ttdSeconds: null, ttmSeconds: 350, ttrSeconds: 370, errorBudgetBurnedPct: 0.2 });
    expect(Object.fromEntries(DIMENSIONS.map((d) => [d, s.dimensions[d].score]))).toEqual({ detection: 0, escalation: 30, runbook: 20, mitigation: 99, communication: 0 });
    expect(texts(s, 'detection')).toEqual(['No alert fired and no incident was declared: +0', 'Never declared an incident: +0', 'Never looked at orders, where the cause was: +0']);
    // (0 + 30·20 + 20·15 + 99·30 + 0) / 100 = 38.7
    expect(s.total).toBe(39);
  });

  it('two teams in one log: each score uses only that team’s events', () => {
    const blue = goodTeam().build('blue');
    const red = started()
      .firing(230, 'OrdersLatencyHigh', 'orders')
      .action(360, { action: 'restart', service: 'orders' })
      .trap(360, 'restart-orders-trap', 'Restarted orders')
      .declare(690, 'SEV3', 'Checkout is slow', ['orders'])
      .hint(720, 'hint-deploys', 'Check the deploys', 5)
      .end(2400, 'unresolved', 'time ran out')
      .build('red');
    const merged = mergeLogs(blue, red, [{ seq: 0, t: 0, type: 'session.phase', phase: 'running' }]);
    expect(scoreTeam(merged, S, 'blue')).toEqual(scoreTeam(blue, S, 'blue'));
    expect(scoreTeam(merged, S, 'red')).toEqual(scoreTeam(red, S, 'red'));
    const b = scoreTeam(merged, S, 'blue');
    const r = scoreTeam(merged, S, 'red');
    expect([b.total, b.hints.count, b.trapsSprung, b.metrics.ttdSeconds]).toEqual([99, 0, 0, 270]);
    expect([r.hints.count, r.trapsSprung, r.metrics.ttdSeconds, r.metrics.ttaSeconds, r.metrics.ttmSeconds]).toEqual([1, 1, 660, null, null]);
  });

  it('events of another team never leak in, not even with the same ids', () => {
    const red = declared().role(340, 'incident-commander', 'Ana').mitigated(600).resolved(700).build('red');
    const blue = started().build('blue');
    const s = scoreTeam(mergeLogs(red, blue), S, 'blue');
    expect(s.metrics).toEqual({ ttaSeconds: null, ttdSeconds: null, ttmSeconds: null, ttrSeconds: null, errorBudgetBurnedPct: null });
    expect(texts(s, 'escalation')[1]).toBe('No incident commander named: +0');
    // a team with no event at all: only the impact part of mitigation (no customer saw errors) scores, 20 × 30%
    expect(scoreTeam(mergeLogs(red, blue), S, 'green')).toMatchObject({ team: 'green', total: 6 });
  });

  it('the leaderboard ranks equal totals equally, ordered by time to mitigate, then by name', () => {
    const team = (mitigatedAt: number | null, ic = false) => {
      const b = declared();
      if (ic) b.role(330, 'incident-commander', 'Ana');
      if (mitigatedAt !== null) b.mitigated(mitigatedAt);
      return b;
    };
    const events = mergeLogs(team(800).build('a'), team(500).build('b'), team(800, true).build('c'), team(800).build('aa'), team(null).build('d'));
    const { rows, scores } = leaderboard(events, S, ['a', 'b', 'c', 'aa', 'd']);
    expect(rows).toEqual([
      { rank: 1, team: 'c', total: 65, ttmSeconds: 770 },
      { rank: 2, team: 'b', total: 60, ttmSeconds: 470 },
      { rank: 2, team: 'a', total: 60, ttmSeconds: 770 },
      { rank: 2, team: 'aa', total: 60, ttmSeconds: 770 },
      { rank: 5, team: 'd', total: 45, ttmSeconds: null },
    ]);
    expect(scores.map((s) => s.team)).toEqual(['a', 'b', 'c', 'aa', 'd']);
  });

  it('a mitigated team ranks before an unmitigated one with the same total', () => {
    // e never mitigates but makes up the points: detection 100, escalation 65, runbook 20, mitigation 40,
    // communication 40 + 20 + 17 (2 of 3 in CAN form) = 77 → (2000 + 1300 + 300 + 1200 + 1155) / 100 = 59.55 → 60
    const e = declared().observe(400, 'orders').update(400, CAN).update(500, CAN).update(1155, 'Investigating.');
    const a = declared().mitigated(800);
    const { rows } = leaderboard(mergeLogs(e.build('e'), a.build('a')), S, ['e', 'a']);
    expect(rows.map((r) => [r.rank, r.team, r.total])).toEqual([[1, 'a', 60], [1, 'e', 60]]);
  });

  it('is deterministic: the same log scores the same, twice', () => {
    const events = goodTeam().build();
    expect(scoreTeam(events, S, 'team-1')).toEqual(scoreTeam(events, S, 'team-1'));
  });

  it('rescoring a JSON round-trip of the log gives the same result', () => {
    const events = mergeLogs(goodTeam().build('blue'), declared().trap(400, 't', 'T').hint(500, 'h', 'H', 5).build('red'));
    const stored = JSON.parse(JSON.stringify(events)) as SessionEvent[];
    for (const team of ['blue', 'red']) expect(scoreTeam(stored, S, team)).toEqual(scoreTeam(events, S, team));
    expect(leaderboard(stored, S, ['blue', 'red'])).toEqual(leaderboard(events, S, ['blue', 'red']));
  });
});

describe('each finding says how much its rule could give (`max`)', () => {
  const four = scenario({ expectations: { escalation: { severity: 'SEV2', page: ['data-platform', 'payments', 'storefront', 'search'] } } });
  const logs: [string, EventLogBuilder, ScenarioSpec][] = [
    ['a good team', goodTeam(), S],
    ['a team that did little', started().ack(250, 'OrdersLatencyHigh').declare(300, 'SEV2', 'orders slow', ['orders']).mitigated(900).resolved(1000), S],
    ['an idle team', started().role(40, 'incident-commander', 'Ana').impactStarted(90).end(2400, 'unresolved', 'time ran out'), S],
    [
      'a team that paged some, made things worse and took hints',
      started()
        .impactStarted(90)
        .declare(330, 'SEV2', 'Checkout errors', ['orders'])
        .page(400, 'data-platform')
        .step(500, 'orders-latency', 2).step(510, 'orders-latency', 1).step(520, 'orders-latency', 1)
        .action(600, { action: 'restart', service: 'orders' }).trap(600, 't', 'T')
        .action(610, { action: 'restart', service: 'postgres-main' }, { refused: { code: 'access/not-paged', message: 'no' } })
        .action(700, { action: 'resolve' }, { data: { premature: true } })
        .hint(720, 'h', 'H', 5)
        .page(1200, 'payments').page(1210, 'cart').page(1220, 'web').page(1230, 'edge'),
      four,
    ],
  ];

  it.each(logs)('%s: points never exceed the max, penalties have max 0, and the maxes of each dimension add up to 100', (_, b, spec) => {
    const s = score(b, spec);
    for (const f of s.findings) {
      expect(f.points).toBeLessThanOrEqual(f.max);
      if (f.points < 0) expect(f.max).toBe(0);
    }
    for (const d of DIMENSIONS) expect([d, s.dimensions[d].findings.reduce((a, f) => a + f.max, 0)]).toEqual([d, 100]);
    expect(s.findings.filter((f) => f.dimension === 'hints').every((f) => f.max === 0)).toBe(true);
  });
});

// Rules that were once wrong (the "known issues" of docs/scoring.md, fixed since). Each test pins the
// fixed behaviour exactly, so that the old scoring cannot come back unnoticed.
describe('fixed regressions in score.ts', () => {
  it('a team that resolves right after its fix, before the impact signal settles, is credited with mitigation at the resolve', () => {
    // rollback at 6:40 clears the cause at 8:25; the team resolves at 8:40 (not premature: the cause
    // is gone) before its smoothed impact signal falls, so the session logs team.mitigated right
    // before team.resolved (a real run of this is in the worked example below)
    const s = score(
      started()
        .impactStarted(90)
        .action(400, { action: 'rollback', service: 'orders' })
        .cleared(505, 'orders-v214')
        .action(520, { action: 'resolve', summary: 'orders v2.14 rolled back to v2.13' }, { data: { premature: false } })
        .mitigated(520)
        .resolved(520)
        .sloReport(0.4)
        .end(520),
    );
    expect(texts(s, 'mitigation')).toEqual([
      'Mitigated at T+8:40, 8:10 after the fault began (target 15:00): +50',
      'Resolved at T+8:40, 8:10 after onset: +10',
      '0.40% of the monthly error budget burned (0% keeps all 20 points, 5% or more loses them): +18',
      'No trap sprung and no action wasted: +20',
    ]);
    expect([s.metrics.ttmSeconds, s.metrics.ttrSeconds]).toEqual([490, 490]);
    // once: "Never mitigated: the cause was still active at the end: +0" — both halves untrue
    expect(texts(s, 'mitigation').join('\n')).not.toContain('still active');
  });

  it('cadence cannot be gamed by posting late: one early update scores better than one late update', () => {
    // intervals from onset to the resolution at 25:30: 0:30–15:30 and 15:30–25:30.
    // early (1:00 after onset): 40 + 1 of 2 intervals (10) + CAN 25 = 75;
    // late (21:30 after onset): 31 + 1 of 2 intervals (10) + CAN 25 = 66 (once 76: intervals ran from the first update)
    const early = score(started().update(90, CAN).resolved(1530));
    const late = score(started().update(1320, CAN).resolved(1530));
    expect(finding(early, 'communication', 'Updates kept').text).toBe('Updates kept the 15:00 cadence in 1 of 2 intervals: +10');
    expect(finding(late, 'communication', 'Updates kept').text).toBe('Updates kept the 15:00 cadence in 1 of 2 intervals: +10');
    expect([early.dimensions.communication.score, late.dimensions.communication.score]).toEqual([75, 66]);
  });

  it('without `steps`, all steps of the runbook are expected (as the schema says), not only those the team ran', () => {
    const spec = scenario({ expectations: { runbook: { id: 'orders-latency' } } });
    // once: "Ran 1 of 1 expected steps: +50"
    expect(finding(score(started().step(300, 'orders-latency', 1), spec), 'runbook', 'Ran')).toEqual({
      dimension: 'runbook', t: 300, points: 7, text: 'Ran 1 of 7 expected steps of orders-latency (skipped 2, 3, 4, 5, 6, 7): +7',
    });
  });

  it('a runbook step that checks the cause service counts as investigating it', () => {
    // "1. Check recent deploys of orders" (`check: deploys orders`); once: "Never looked at orders, where the cause was: +0"
    const s = score(started().openRunbook(300, 'orders-latency').step(310, 'orders-latency', 1));
    expect(s.dimensions.detection.findings[2]).toEqual({ dimension: 'detection', max: 15, t: 310, points: 15, text: 'Investigated orders, where the cause was, at T+5:10: +15' });
  });

  it('naming an IC and doing nothing else earns no credit for coordination (no restraint credit without engagement)', () => {
    const s = score(started().role(40, 'incident-commander', 'Ana').end(2400, 'unresolved', 'time ran out'));
    // once: "The incident commander coordinated and left the hands-on work to others: +10"
    expect(texts(s, 'escalation')).toEqual([
      'No incident declared, so no severity (expected SEV2): +0',
      'Ana named incident commander at T+0:40: +15',
      'The team never engaged, so there is no credit for restraint in paging: +0',
      'No ops or comms lead named: the incident commander carried everything: +0',
      'An incident commander was named but the team never engaged: nothing to coordinate: +0',
    ]);
    expect(rawPoints(s, 'escalation')).toBe(15);
  });

  it('four expected pages on time are worth 30, not 32', () => {
    const spec = scenario({ expectations: { escalation: { severity: 'SEV2', page: ['data-platform', 'payments', 'storefront', 'search'] } } });
    const b = declared();
    for (const [t, team] of [[400, 'data-platform'], [410, 'payments'], [420, 'storefront'], [430, 'search']] as const) b.page(t, team);
    const pages = score(b, spec).dimensions.escalation.findings.filter((f) => f.text.startsWith('Paged'));
    expect(pages.map((f) => f.points)).toEqual([8, 8, 7, 7]);
    expect(pages.reduce((a, f) => a + f.points, 0)).toBe(30);
  });

  it('the finding texts do not contradict the facts: the cause service looked at only after mitigation', () => {
    // once: "Investigated orders but never orders"
    const late = score(started().mitigated(600).observe(700, 'orders'));
    expect(texts(late, 'detection')[2]).toBe('Looked at orders, where the cause was, only after mitigation (T+11:40): +8');
  });

  it('the finding texts do not contradict each other: no restraint claim next to a needless page', () => {
    // once: "No other team needed paging, and none was paged needlessly: +30" followed by "Paged payments … −8"
    const s = score(declared().page(400, 'payments'));
    expect(texts(s, 'escalation').filter((t) => t.includes('paging') || t.startsWith('Paged'))).toEqual([
      'No other team needed paging: +30',
      'Paged payments, which had no part in this: −8',
    ]);
  });

  it('the finding texts do not contradict each other: no IC, so no "the incident commander carried everything"', () => {
    const s = score(declared());
    expect(texts(s, 'escalation').slice(1)).toEqual([
      'No incident commander named: +0',
      'No other team needed paging: +30',
      'No roles handed out: +0',
      'Without an incident commander, nobody coordinated: +0',
    ]);
  });

  it('CAN: "we\'re" and "we\'ve" count as actions, like "we are" and "we have"; words count only whole', () => {
    // the pattern was `we (are|have|'re|'ve)`: the space before the contraction meant "we're" never matched
    expect(canElements("Customers see errors at checkout. We're on it.")).toBe(2);
    expect(canElements("We've rolled nothing back yet")).toBe(1);
    // "eta" inside "details" used to count as a need
    expect(canElements('See the details')).toBe(0);
  });

  it('a finding ends with its points (the "(none of the expected alerts fired)" note comes before them)', () => {
    const s = score(started().firing(150, 'PostgresCpuHigh', 'postgres-main', 'warning').ack(200, 'PostgresCpuHigh'));
    expect(finding(s, 'detection', 'Acknowledged').text).toBe('Acknowledged PostgresCpuHigh at T+3:20, 0:50 after it fired (target 5:00) (none of the expected alerts fired): +50');
  });
});

// The worked example of docs/scoring.md: real runs of friday-deploy. If an engine change moves
// these numbers, update the example in the doc (the commands to get them are in it).
describe('the worked example in docs/scoring.md', () => {
  const WEAK = `
- { at: 4m30s, action: acknowledge, alert: OrdersLatencyHigh, actor: Dan }
- { at: 6m, action: restart, service: orders, actor: Dan }
- { at: 9m, action: scale-out, service: orders, count: 2, actor: Dan }
- { at: 11m, action: declare, severity: SEV3, summary: Checkout is slow, services: [orders], actor: Dan }
- { at: 12m, action: observe, service: orders, view: deploys, actor: Dan }
- { at: 19m30s, action: rollback, service: orders, actor: Dan }
- { at: 21m30s, action: scale-in, service: orders, count: 2, actor: Dan }
- { at: 22m, action: status-update, audience: internal, text: "Orders was slow, we rolled back.", actor: Dan }
- { at: 25m, action: resolve, summary: rolled back orders, actor: Dan }
`;

  function run(responses: string) {
    const { spec } = LIB.scenarios.get('friday-deploy')!;
    const session = new Session({ scenario: spec, workload: LIB.workloads.get(spec.workload)!, runbooks: LIB.runbooks, seed: 1, teams: ['team-1'] });
    const parsed = parseResponses(responses, 'responses.yaml', ['team-1']);
    expect(parsed.problems).toEqual([]);
    session.run(parsed.inputs);
    return { spec, result: runResult(session) };
  }

  const dims = (s: TeamScore) => Object.fromEntries(DIMENSIONS.map((d) => [d, s.dimensions[d].score]));
  const good = () => readFileSync(`${LIBRARY}examples/friday-deploy.responses.yaml`, 'utf8');

  it('the good team (scenarios/examples/friday-deploy.responses.yaml) scores 99', () => {
    const { spec, result } = run(good());
    const s = result.teams[0].score;
    expect([s.total, dims(s)]).toEqual([99, { detection: 100, escalation: 100, runbook: 100, mitigation: 98, communication: 100 }]);
    expect(s.metrics).toEqual({ ttaSeconds: 29, ttdSeconds: 260, ttmSeconds: 619, ttrSeconds: 720, errorBudgetBurnedPct: 0.377 });
    expect(s.findings.map((f) => `${f.dimension} ${f.text}`)).toEqual([
      'detection Acknowledged OrdersLatencyHigh at T+3:50, 0:29 after it fired (target 5:00): +50',
      'detection Declared at T+4:50, 4:20 after the fault began, naming orders (target 10:00): +35',
      'detection Investigated orders, where the cause was, at T+4:20: +15',
      'escalation Severity SEV2, as expected: +35',
      'escalation Ana named incident commander at T+0:00: +15',
      'escalation No other team needed paging: +30',
      'escalation Tasks handed to named people (Ben as ops-lead, Chloé as comms-lead): +10',
      'escalation The incident commander coordinated and left the hands-on work to others: +10',
      'runbook Opened orders-latency at T+5:10: +30',
      'runbook Ran 3 of 3 expected steps of orders-latency: +50',
      'runbook No ad-hoc remediations that contradict the runbook: +20',
      'mitigation Mitigated at T+10:49, 10:19 after the fault began (target 15:00): +50',
      'mitigation Resolved at T+12:30, 12:00 after onset: +10',
      'mitigation 0.38% of the monthly error budget burned (0% keeps all 20 points, 5% or more loses them): +18',
      'mitigation No trap sprung and no action wasted: +20',
      'communication First status update at T+6:40, 6:10 after onset (target 15:00): +40',
      'communication Updates kept the 15:00 cadence in 1 of 1 intervals: +20',
      'communication Posted a closing update at T+11:20: +15',
      'communication 4 of 4 updates say Condition, Actions and Needs (CAN): +25',
    ]);
    // rescoring the stored log gives the same score
    expect(scoreTeam(JSON.parse(JSON.stringify(result.events)) as SessionEvent[], spec, 'team-1', LIB.runbooks)).toEqual(s);
  });

  it('the weaker team scores 37', () => {
    const { result } = run(WEAK);
    const s = result.teams[0].score;
    expect([s.total, dims(s), s.hints, s.trapsSprung]).toEqual([37, { detection: 99, escalation: 40, runbook: 5, mitigation: 49, communication: 56 }, { count: 2, cost: 15 }, 2]);
    expect(s.metrics).toEqual({ ttaSeconds: 69, ttdSeconds: 630, ttmSeconds: 1380, ttrSeconds: 1470, errorBudgetBurnedPct: s.metrics.errorBudgetBurnedPct });
    expect(s.metrics.errorBudgetBurnedPct?.toFixed(2)).toBe('1.90');
    // the trap texts are the scenario's full lessons; the doc shortens them
    expect(s.findings.map((f) => `${f.dimension} ${f.text.startsWith('Trap') ? f.text.split(' while ')[0] : f.text}`)).toEqual([
      'detection Acknowledged OrdersLatencyHigh at T+4:30, 1:09 after it fired (target 5:00): +50',
      'detection Declared at T+11:00, 10:30 after the fault began, naming orders (target 10:00): +34',
      'detection Investigated orders, where the cause was, at T+12:00: +15',
      'escalation Severity SEV3 for a SEV2 incident: under-classified — pick the severity from customer impact: +10',
      'escalation No incident commander named: +0',
      'escalation No other team needed paging: +30',
      'escalation No roles handed out: +0',
      'escalation Without an incident commander, nobody coordinated: +0',
      'runbook Never opened the orders-latency runbook: +0',
      'runbook Ran 0 of 3 expected steps of orders-latency (skipped 1, 2, 3): +0',
      'runbook 3 ad-hoc remediations outside the runbook that did not fix the cause (restart orders; scale-out orders; scale-in orders): +5',
      'mitigation Mitigated at T+23:30, 23:00 after the fault began (target 15:00): +37',
      'mitigation Resolved at T+25:00, 24:30 after onset: +10',
      'mitigation 1.90% of the monthly error budget burned (0% keeps all 20 points, 5% or more loses them): +12',
      'mitigation Starting allowance for harm-free remediation: +20',
      'mitigation Trap at T+6:00: Restarted orders',
      'mitigation Trap at T+9:00: Scaled out orders',
      'communication First status update at T+22:00, 21:30 after onset (target 15:00): +31',
      'communication Updates kept the 15:00 cadence in 1 of 2 intervals: +10',
      'communication No summary at resolution: +0',
      'communication 1 of 1 updates say Condition, Actions and Needs (CAN): +25',
      'communication Customers were affected but no external update was posted: −10',
      'hints Hint at T+12:00 ("What changed right before this started? The deploy histor…"): −5',
      'hints Hint at T+18:00 ("orders v2.14 went out at 16:40:30 and orders\' pool filled…"): −10',
    ]);
  });

  it('the good team resolving at 9:30, right after the rollback and before the impact signal settles, is mitigated at 9:30', () => {
    // the rollback clears the cause at 9:15; in the full run impact only ends at 10:49
    const early = good().slice(0, good().indexOf('- { at: 10m20s')) + '- { at: 9m30s, action: resolve, summary: orders v2.14 rolled back to v2.13; checkout recovering, actor: Ana }\n';
    const { result } = run(early);
    // the session logs team.mitigated right after the accepted resolve, before team.resolved
    const events = result.events.filter((e) => e.team === 'team-1');
    const i = events.findIndex((e) => e.type === 'team.mitigated');
    expect(events.slice(i - 1, i + 2).map((e) => [e.t, e.type === 'action' ? e.action.action : e.type])).toEqual([[570, 'resolve'], [570, 'team.mitigated'], [570, 'team.resolved']]);
    const s = result.teams[0].score;
    expect(texts(s, 'mitigation').slice(0, 2)).toEqual(['Mitigated at T+9:30, 9:00 after the fault began (target 15:00): +50', 'Resolved at T+9:30, 9:00 after onset: +10']);
    expect([s.metrics.ttmSeconds, s.metrics.ttrSeconds]).toEqual([540, 540]);
  });
});
