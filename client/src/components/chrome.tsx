// The page chrome: a top bar with the clock and the connection, and the phase banner.
import type { ReactNode } from 'react';
import type { LiveSnapshot } from '../lib/live.ts';
import { clock } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import type { SessionEvent } from '../../../server/engine/session/events.ts';

/** Why the game day was halted (the facilitator's or the operator's reason), from the event log. */
export function haltReasonOf(events: readonly SessionEvent[]): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'session.phase' && e.phase === 'halted') return e.reason || undefined;
  }
  return undefined;
}

const STATUS_TEXT: Record<LiveSnapshot['status'], string> = {
  connecting: 'connecting…',
  connected: 'live',
  reconnecting: 'reconnecting…',
  failed: 'disconnected',
  closed: 'closed',
};

export function TopBar({ snap, title, children }: { snap: LiveSnapshot; title: ReactNode; children?: ReactNode }) {
  return (
    <header className="topbar">
      <Link to="/" className="brand" aria-label="firedrill home">
        <span className="logo" aria-hidden="true" />firedrill
      </Link>
      <div className="topbar-title">{title}</div>
      <div className="topbar-right">
        {children}
        <span className={`phase phase-${snap.phase}`} aria-label={`phase: ${snap.phase}`}>{snap.phase}</span>
        <span className="clock" aria-label="simulated time" title="simulated time since the start">{clock(snap.t)}</span>
        <span className="speed" title="simulated seconds per wall second">×{snap.speed}</span>
        <span className={`conn conn-${snap.status}`} role="status" title={snap.error ? `${snap.error.code}: ${snap.error.message}` : undefined}>
          <span className="dot" aria-hidden="true" /> {STATUS_TEXT[snap.status]}
        </span>
      </div>
    </header>
  );
}

export function PhaseBanner({ snap, lobbyText, children, debrief, haltReason }: { snap: LiveSnapshot; lobbyText: string; children?: ReactNode; debrief?: string; haltReason?: string }) {
  let banner: ReactNode = null;
  if (snap.status === 'failed') {
    banner = (
      <div className="banner halted" role="alert">
        <strong>Disconnected.</strong> {snap.error?.message ?? 'The server refused the connection.'} <Link to="/">Back to the start page</Link>
      </div>
    );
  } else if (snap.phase === 'halted') {
    banner = (
      <div className="banner halted" role="alert">
        <strong>HALTED.</strong> {haltReason ? <>“{haltReason}” — the</> : 'The'} game day was stopped: every injected fault is cleared and the clock is stopped.
        {debrief && <> <Link to={debrief}>Open the debrief</Link></>}
      </div>
    );
  } else if (snap.phase === 'paused') {
    banner = (
      <div className="banner paused" role="status">
        <strong>PAUSED.</strong> The simulated clock is stopped; nothing changes until the facilitator resumes.
      </div>
    );
  } else if (snap.phase === 'ended') {
    banner = (
      <div className="banner ended" role="status">
        <strong>The game day has ended.</strong> {debrief && <Link to={debrief}>Open the debrief and your score</Link>}
      </div>
    );
  } else if (snap.phase === 'lobby' || snap.phase === 'briefing') {
    banner = (
      <div className="banner lobby" role="status">
        <strong>{snap.phase === 'lobby' ? 'Lobby.' : 'Briefing.'}</strong> {lobbyText}
      </div>
    );
  } else if (snap.status === 'reconnecting' || snap.status === 'connecting') {
    banner = (
      <div className="banner paused" role="status">
        <strong>{snap.status === 'connecting' ? 'Connecting…' : 'Connection lost — reconnecting…'}</strong> Nothing is lost: missed events are replayed when the connection is back.
      </div>
    );
  }
  if (!banner && !children) return null;
  return (
    <div className="banners">
      {banner}
      {children}
    </div>
  );
}
