// The team console's practice panel (solo drills): ask for a hint at a price shown up front, see
// what the bot teammates are doing (the paged team's responder, the support lead asking for
// updates). Everything is read from the event log; nothing here exists in a game day.
import { useState } from 'react';
import type { SessionEvent } from '../../../server/engine/session/events.ts';
import type { LiveSession } from '../lib/live.ts';
import { useLive, useRequest } from '../lib/hooks.ts';
import { clock } from '../lib/format.ts';
import { practiceOf } from '../lib/practice.ts';
import { ConfirmDialog, Panel, Result, toast } from './ui.tsx';
import './practice.css';

type Ev<T extends SessionEvent['type']> = Extract<SessionEvent, { type: T }>;

export interface Teammate {
  oncall: string;
  name: string;
  pagedAt: number;
  acknowledgedAt: number | null;
  joinedAt: number | null;
  /** The responder's latest word after joining (what it sees, or what it does). */
  said: { t: number; text: string } | null;
}

/** The paged teams' bot responders, from the log. */
export function teammatesOf(events: readonly SessionEvent[]): Teammate[] {
  const out: Teammate[] = [];
  for (const e of events) {
    if (e.type === 'action' && e.action.action === 'page' && e.result.ok) {
      const oncall = e.action.oncall;
      if (!out.some((m) => m.oncall === oncall)) out.push({ oncall, name: oncall, pagedAt: e.t, acknowledgedAt: null, joinedAt: null, said: null });
    }
    const m = 'oncall' in e ? out.find((x) => x.oncall === (e as { oncall: string }).oncall) : undefined;
    if (e.type === 'page.acknowledged' && m) {
      m.acknowledgedAt = e.t;
      m.name = e.name;
    } else if (e.type === 'responder.joined' && m) {
      m.joinedAt = e.t;
      m.name = e.name;
    } else if (e.type === 'message' && e.source.startsWith('responder:')) {
      const who = out.find((x) => `responder:${x.oncall}` === e.source);
      if (who && who.joinedAt !== null && e.t > who.joinedAt - 1e-9 && !e.text.includes('joined the incident')) who.said = { t: e.t, text: e.text };
    }
  }
  return out;
}

/** The comms bot's latest request and whether it was answered. */
export function commsStateOf(events: readonly SessionEvent[]): { request: Ev<'comms.requested'>; answer: Ev<'comms.answered'> | undefined; asked: number; answered: number } | undefined {
  const requests = events.filter((e): e is Ev<'comms.requested'> => e.type === 'comms.requested');
  const answers = events.filter((e): e is Ev<'comms.answered'> => e.type === 'comms.answered');
  const request = requests[requests.length - 1];
  if (!request) return undefined;
  return { request, answer: answers.find((a) => a.request === request.request), asked: requests.length, answered: answers.length };
}

export function PracticePanel({ live, canAct, onWriteUpdate }: { live: LiveSession; canAct: boolean; onWriteUpdate: () => void }) {
  useLive(live); // re-render on every new event
  const events = live.events;
  const practice = practiceOf(events);
  const req = useRequest();
  const [confirming, setConfirming] = useState(false);
  if (!practice) return null;
  const released = new Set(events.filter((e): e is Ev<'hint.released'> => e.type === 'hint.released').map((e) => e.hint));
  const next = practice.hints.find((h) => !released.has(h.id));
  const left = practice.hints.filter((h) => !released.has(h.id)).length;
  const ask = () => {
    setConfirming(false);
    void req.run(async () => {
      const o = await live.command({ command: 'request-hint' });
      toast('Hint', o);
      return o;
    });
  };
  const mates = teammatesOf(events);
  const comms = commsStateOf(events);
  const waiting = comms && !comms.answer;

  return (
    <Panel title="Practice" className="practice-panel" actions={<span className="muted small-text">bots play everyone else</span>}>
      <div className="practice-row">
        {next ? (
          <button type="button" className="hint-button" disabled={!canAct || req.busy} onClick={() => setConfirming(true)}>
            Ask for a hint (−{next.cost} points)
          </button>
        ) : (
          <span className="muted">No hints left</span>
        )}
        <span className="muted small-text">{left} of {practice.hints.length} hints left · each costs its points off your total</span>
      </div>
      <Result outcome={req.outcome && !req.outcome.ok ? req.outcome : undefined} />
      <ConfirmDialog open={confirming} title={`Take a hint for −${next?.cost ?? 0} points?`} confirmLabel={`Take the hint (−${next?.cost ?? 0})`} danger={false} onConfirm={ask} onCancel={() => setConfirming(false)}>
        <p>The hint costs <strong>{next?.cost} points</strong> off your total score and shows in your findings. Hints come in the scenario's order; a scenario may also give one by itself later, at its own price.</p>
      </ConfirmDialog>

      <div className={`practice-comms ${waiting ? 'waiting' : comms ? 'answered' : ''}`} aria-live="polite">
        {!comms && <span className="muted small-text">{practice.comms} asks for a status update every {Math.round(practice.askEvery / 60)} min once an incident is declared, unless you post one.</span>}
        {comms && waiting && (
          <>
            <strong>{comms.request.by}</strong> is waiting for a status update (asked {clock(comms.request.t)}).{' '}
            <button type="button" className="small" onClick={onWriteUpdate}>Write an update</button>
          </>
        )}
        {comms && comms.answer && (
          <span>✓ Answered {comms.request.by} {clock(comms.answer.t)}, {Math.round(comms.answer.after)} s after the request.</span>
        )}
        {comms && <span className="muted small-text"> Requests answered: {comms.answered} of {comms.asked}.</span>}
      </div>

      {mates.length > 0 && (
        <ul className="practice-mates" aria-label="Paged teams">
          {mates.map((m) => (
            <li key={m.oncall}>
              <div>
                <strong>{m.name}</strong> <span className="muted">({m.oncall})</span>{' '}
                <span className="mate-steps">
                  paged {clock(m.pagedAt)} · {m.acknowledgedAt !== null ? <span className="ok">acknowledged {clock(m.acknowledgedAt)}</span> : <span className="muted">not acknowledged yet</span>}
                  {' · '}
                  {m.joinedAt !== null ? <span className="ok">joined {clock(m.joinedAt)}</span> : <span className="muted">joining…</span>}
                </span>
              </div>
              {m.said && <p className="said"><time>{clock(m.said.t)}</time> {m.said.text}</p>}
            </li>
          ))}
        </ul>
      )}
    </Panel>
  );
}
