// On the join card: when the page was opened from an invitation (`/?code=…`) for a scheduled game
// day, say when it opens — in the viewer's time and the schedule's — instead of letting a join
// fail before then. For an older game day of a series, offer the current one's code.
import { useEffect, useState } from 'react';
import { joinInfo, viewerZone, when, type JoinInfo } from '../lib/schedule-api.ts';

export function OpeningNotice({ code, onCode }: { code: string | null; onCode: (code: string) => void }) {
  const [info, setInfo] = useState<JoinInfo>();
  useEffect(() => {
    // Only the invitation's code (one lookup per page): failed lookups count against the address.
    if (!code || !/^[A-Za-z0-9]{4,32}$/.test(code)) return;
    let live = true;
    joinInfo(code).then((i) => live && setInfo(i), () => undefined);
    return () => {
      live = false;
    };
  }, [code]);
  if (!info || info.state === 'opened') return null;
  const mine = viewerZone();
  const time = (iso: string, local: string) => (
    <>
      <strong>{when(iso, mine)}</strong> your time{mine !== info.timeZone && <> ({local.replace('T', ' ')} {info.timeZone})</>}
    </>
  );
  return (
    <div className="notice opening-notice" role="status">
      {info.state === 'scheduled' && (
        <p>
          “{info.title}” opens at {time(info.opensAt, info.local)}. This code works from then on: come back at that time. Teams: {info.teams.join(', ')}.
        </p>
      )}
      {info.state === 'missed' && <p>“{info.title}” of {time(info.opensAt, info.local)} did not take place.</p>}
      {info.state === 'cancelled' && <p>“{info.title}” of {time(info.opensAt, info.local)} was cancelled.</p>}
      {info.current && (
        <p>
          The current game day of this series {info.current.state === 'opened' ? 'is open now' : <>opens at {time(info.current.opensAt, info.current.local)}</>}:{' '}
          <button type="button" className="small" onClick={() => onCode(info.current!.joinCode)}>Use its code {info.current.joinCode}</button>
        </p>
      )}
    </div>
  );
}
