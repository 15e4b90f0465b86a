// Start/pause/resume for a solo drill: the player also holds the facilitator token.
import type { LiveSession } from '../lib/live.ts';
import { useLive, useRequest } from '../lib/hooks.ts';
import { toast } from '../components/ui.tsx';
import type { CommandName } from '../../../server/protocol/messages.ts';
import { COMMAND_LABELS } from '../lib/catalog.ts';

export function SoloControls({ live, phase }: { live: LiveSession; phase: string }) {
  const snap = useLive(live);
  const req = useRequest();
  const send = (command: CommandName) =>
    req.run(async () => {
      const o = await live.command({ command });
      toast(COMMAND_LABELS[command], o);
      return o;
    });
  const ready = snap.status === 'connected';
  return (
    <span className="solo-controls" aria-label="Drill controls">
      {(phase === 'lobby' || phase === 'briefing') && (
        <button type="button" className="primary small" disabled={!ready || req.busy} onClick={() => send('start')}>Start drill</button>
      )}
      {phase === 'running' && <button type="button" className="small" disabled={!ready || req.busy} onClick={() => send('pause')}>Pause</button>}
      {phase === 'paused' && <button type="button" className="primary small" disabled={!ready || req.busy} onClick={() => send('resume')}>Resume</button>}
    </span>
  );
}
