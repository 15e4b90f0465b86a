// Runbooks: open one, follow its steps in order, run a step and read its result (a check's
// output, or the action it ran).
import { useEffect, useRef, useState } from 'react';
import type { IncidentView } from '../../../server/engine/session/view.ts';
import type { LiveSession, Outcome } from '../lib/live.ts';
import type { Static } from 'typebox';
import type { RunbookDetail } from '../../../server/protocol/rest.ts';
import { optional, type RunbookInfo } from '../lib/api.ts';
import { clock } from '../lib/format.ts';
import { Prose } from './prose.tsx';
import { Result } from './ui.tsx';

export function Runbooks({ runbooks, suggested, incident, live, canAct, focus }: {
  runbooks: RunbookInfo[];
  /** Runbooks linked from alerts that are firing now. */
  suggested: Set<string>;
  incident?: IncidentView;
  live?: LiveSession;
  canAct: boolean;
  /** Open this runbook (a new object each time the user asks, e.g. from an alert). */
  focus?: { id: string };
}) {
  const [openId, setOpenId] = useState<string | undefined>(focus?.id);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [results, setResults] = useState<Record<string, Outcome>>({});
  const [titles, setTitles] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState<string>();
  const [manualStep, setManualStep] = useState(1);
  // Opening a runbook (here or from an alert) scrolls its steps into view: the list above them
  // is long enough to leave them below the fold of the side panel.
  const article = useRef<HTMLElement>(null);
  const reveal = useRef(false);
  useEffect(() => {
    if (focus) {
      reveal.current = true;
      setOpenId(focus.id);
    }
  }, [focus]);
  // Each runbook's title and steps (GET /api/runbooks/:id), so a step can be read before it is run.
  const [details, setDetails] = useState<Record<string, Static<typeof RunbookDetail>>>({});
  const ids = runbooks.map((r) => r.id).join(',');
  useEffect(() => {
    let stop = false;
    for (const r of runbooks) {
      if (r.steps?.length || details[r.id]) continue;
      optional<Static<typeof RunbookDetail>>(`/api/runbooks/${encodeURIComponent(r.id)}`).then(
        (d) => !stop && d && setDetails((x) => ({ ...x, [r.id]: d })),
        () => undefined, // the list still works by id, with steps numbered from the server's answer
      );
    }
    return () => {
      stop = true;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [ids]);
  const current = openId;

  const open = async (id: string) => {
    reveal.current = true;
    setOpenId(id);
    if (!live || incident?.runbooks.some((r) => r.id === id)) return;
    setBusy(id);
    const o = await live.act({ action: 'open-runbook', runbook: id });
    setBusy(undefined);
    setResults((r) => ({ ...r, [`${id}:open`]: o }));
    // 'opened runbook "Title" (5 steps)': the title and the number of steps, which the server
    // lists nowhere else yet.
    const m = o.ok ? /runbook "(.*)" \((\d+) steps?\)/.exec(o.effect) : null;
    if (m) {
      setCounts((c) => ({ ...c, [id]: Number(m[2]) }));
      setTitles((t) => ({ ...t, [id]: m[1] }));
    }
  };

  const run = async (id: string, n: number) => {
    if (!live) return;
    setBusy(`${id}:${n}`);
    const o = await live.act({ action: 'run-step', runbook: id, step: n });
    setBusy(undefined);
    setResults((r) => ({ ...r, [`${id}:${n}`]: o }));
    // 'step 2: Roll back the last deploy — running rollback': the step's title.
    const m = o.ok ? /^step \d+: (.*?)(?: — running .*)?$/.exec(o.effect) : null;
    if (m) setTitles((t) => ({ ...t, [`${id}:${n}`]: m[1] }));
  };

  const sorted = [...runbooks].sort((a, b) => Number(suggested.has(b.id)) - Number(suggested.has(a.id)) || a.id.localeCompare(b.id));
  const given = runbooks.find((r) => r.id === current);
  const rb = given?.steps?.length ? given : current && details[current] ? { ...given, ...details[current] } : given;
  const opened = incident?.runbooks.find((r) => r.id === current);
  const opened0 = current ? incident?.runbooks.find((r) => r.id === current) : undefined;
  const count = (current && counts[current]) || Math.max(0, ...(opened0?.steps ?? []));
  const steps = rb?.steps?.length ? rb.steps : Array.from({ length: count }, (_, i) => ({ n: i + 1, title: titles[`${current}:${i + 1}`] ?? `Step ${i + 1}`, body: undefined }));
  const titleOf = (id: string) => rb?.title ?? titles[id] ?? id;
  useEffect(() => {
    const el = article.current;
    if (!reveal.current || !el) return;
    // Once the steps are listed (the server says how many when the runbook is opened).
    if (steps.length) reveal.current = false;
    // The nearest scrolling ancestor (the side column or the tab panel), never the window.
    let box = el.parentElement;
    while (box && !(box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY))) box = box.parentElement;
    if (box && box !== document.documentElement && box !== document.body) box.scrollTop += el.getBoundingClientRect().top - box.getBoundingClientRect().top - 4;
  }, [openId, steps.length]);

  return (
    <div className="runbooks">
      <ul className="runbook-list" aria-label="Runbooks">
        {sorted.map((r) => {
          const o = incident?.runbooks.find((x) => x.id === r.id);
          return (
            <li key={r.id} className={r.id === current ? 'current' : ''}>
              <button type="button" className="runbook-open" aria-current={r.id === current} disabled={busy === r.id} onClick={() => open(r.id)}>
                <span className="rb-title">
                  {r.title ?? details[r.id]?.title ?? titles[r.id] ?? r.id}
                  {/* the id too: alerts link to runbooks by id */}
                  {(r.title ?? details[r.id]?.title ?? titles[r.id]) && <span className="rb-id">{r.id}</span>}
                </span>
                <span className="rb-meta">
                  {suggested.has(r.id) && <span className="pill firing">linked to a firing alert</span>}
                  {o && <span className="pill ok">opened {clock(o.openedAt)} · {o.steps.length} run</span>}
                </span>
              </button>
            </li>
          );
        })}
        {!sorted.length && <li className="empty">No runbooks for this workload.</li>}
      </ul>

      {current && (
        <article className="runbook" ref={article} aria-label={`Runbook ${titleOf(current)}`}>
          <h3>{titleOf(current)}</h3>
          <Result outcome={results[`${current}:open`]} />
          {steps.length > 0 ? (
            <ol className="steps">
              {steps.map((s) => {
                const done = opened?.steps.includes(s.n);
                const key = `${current}:${s.n}`;
                const res = results[key];
                const check = res?.ok ? (res.data?.check as string | undefined) : undefined;
                const directive = (s as { directive?: { type: string; text: string } }).directive;
                return (
                  <li key={s.n} className={done ? 'done' : ''}>
                    <div className="step-head">
                      <span className="step-n">{s.n}</span>
                      <span className="step-title">{s.title}</span>
                      {done && <span className="pill ok">done</span>}
                      <button type="button" className="small" disabled={!canAct || busy === key} onClick={() => run(current, s.n)}>
                        {busy === key ? 'Running…' : done ? 'Run again' : 'Run step'}
                      </button>
                    </div>
                    {s.body && <Prose text={s.body} className="step-body" />}
                    {directive && <p className="muted small-text">{directive.type === 'run' ? 'Run step performs' : 'Run step shows'} <code>{directive.text}</code></p>}
                    <Result outcome={res} />
                    {check && <pre className="check-output">{check}</pre>}
                  </li>
                );
              })}
            </ol>
          ) : (
            <div className="row">
              <p className="muted">Open the runbook to see its steps, or run a step by number.</p>
              <label>
                Step
                <input type="number" min={1} max={100} value={manualStep} onChange={(e) => setManualStep(Number(e.target.value) || 1)} />
              </label>
              <button type="button" disabled={!canAct} onClick={() => run(current, manualStep)}>Run step</button>
              <Result outcome={results[`${current}:${manualStep}`]} />
            </div>
          )}
        </article>
      )}
    </div>
  );
}
