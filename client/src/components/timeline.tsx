// The team's timeline: visible events, newest first.
import type { SessionEvent } from '../../../server/engine/session/events.ts';
import { describe } from '../lib/describe.ts';
import { clock } from '../lib/format.ts';

export function Timeline({ events, limit = 300, hide = [] }: { events: SessionEvent[]; limit?: number; hide?: SessionEvent['type'][] }) {
  const shown = events.filter((e) => !hide.includes(e.type)).slice(-limit).reverse();
  if (!shown.length) return <p className="empty">Nothing has happened yet.</p>;
  return (
    <ol className="timeline" aria-label="Timeline, newest first">
      {shown.map((e) => {
        const d = describe(e);
        return (
          <li key={e.seq} className={`tone-${d.tone}`}>
            <time>{clock(e.t)}</time>
            {e.team && <span className="team-tag">{e.team}</span>}
            {d.who && <span className="who">{d.who}</span>}
            <span className="what">{d.text}</span>
          </li>
        );
      })}
    </ol>
  );
}
