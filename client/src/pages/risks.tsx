// The pre-mortem risk register (/risks): the ways the workload could fail, scored 1–5 for
// likelihood, impact and detection confidence, ranked by priority = L × I × (6 − D), on a
// likelihood × impact heat map, each linked to the scenarios that rehearse it and flagged when
// it was never rehearsed or not for N days. One click opens a scenario draft for a risk.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, listScenarios, type Scenario } from '../lib/api.ts';
import { addRisk, deleteRisk, getRegister, updateRisk, type Register, type RiskInfo } from '../lib/learning-api.ts';
import { setOperatorToken, useOperatorToken } from '../lib/operator.ts';
import { openDraft, riskDraft } from '../lib/premortem.ts';
import { errorText } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { ConfirmDialog, Panel } from '../components/ui.tsx';
import { OperatorTokenForm } from '../components/operator-token.tsx';
import './risks.css';

type SortKey = 'priority' | 'title' | 'likelihood' | 'impact' | 'detection' | 'rehearsal';
const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'priority', label: 'Priority' },
  { key: 'title', label: 'Risk' },
  { key: 'likelihood', label: 'Likelihood' },
  { key: 'impact', label: 'Impact' },
  { key: 'detection', label: 'Detection' },
  { key: 'rehearsal', label: 'Last rehearsed' },
];

function rehearsalDays(r: RiskInfo): number {
  return r.rehearsal.daysAgo ?? Number.POSITIVE_INFINITY;
}

function compare(key: SortKey): (a: RiskInfo, b: RiskInfo) => number {
  switch (key) {
    case 'priority':
      return (a, b) => a.rank - b.rank;
    case 'title':
      return (a, b) => a.title.localeCompare(b.title);
    case 'rehearsal':
      return (a, b) => rehearsalDays(b) - rehearsalDays(a) || a.rank - b.rank;
    default:
      return (a, b) => b[key] - a[key] || a.rank - b.rank;
  }
}

export function RehearsalBadge({ r, staleAfterDays }: { r: RiskInfo; staleAfterDays: number }) {
  const { status, daysAgo, scenarioId } = r.rehearsal;
  if (status === 'never') return <span className="pill firing" data-testid="rehearsal-badge">{r.scenarioIds.length ? 'never rehearsed' : 'no scenario yet'}</span>;
  const text = daysAgo === 0 ? 'rehearsed today' : `last rehearsed ${daysAgo} day${daysAgo === 1 ? '' : 's'} ago`;
  return (
    <span className={`pill ${status === 'stale' ? 'pending' : 'ok'}`} title={`${scenarioId}${status === 'stale' ? ` — more than ${staleAfterDays} days ago` : ''}`} data-testid="rehearsal-badge">
      {text}
    </span>
  );
}

export function RisksPage() {
  const token = useOperatorToken();
  const [register, setRegister] = useState<Register>();
  const [error, setError] = useState<string>();
  const [scenarios, setScenarios] = useState<Scenario[]>([]);
  const [staleDays, setStaleDays] = useState(90);
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'priority', dir: 1 });
  const [editing, setEditing] = useState<RiskInfo | 'new'>();
  const [deleting, setDeleting] = useState<RiskInfo>();
  const [note, setNote] = useState<{ ok: boolean; text: string }>();

  useEffect(() => {
    listScenarios().then(setScenarios, () => setScenarios([]));
  }, []);

  const load = useCallback(async () => {
    if (!token) return;
    try {
      setRegister(await getRegister(token, staleDays));
      setError(undefined);
    } catch (e) {
      if (e instanceof ApiError && (e.status === 403 || e.status === 401)) setOperatorToken('');
      setError(e instanceof ApiError && e.status === 404 && e.code === 'not-found' ? 'This server has no operator token configured (FIREDRILL_ADMIN_TOKEN), so it keeps no risk register.' : errorText(e));
    }
  }, [token, staleDays]);

  useEffect(() => {
    void load();
  }, [load]);

  const rows = useMemo(() => {
    const list = [...(register?.risks ?? [])].sort(compare(sort.key));
    return sort.dir === 1 ? list : list.reverse();
  }, [register, sort]);

  const titleOf = (id: string) => scenarios.find((s) => s.id === id)?.title ?? id;

  const remove = async (r: RiskInfo) => {
    setDeleting(undefined);
    try {
      await deleteRisk(token, r.id);
      setNote({ ok: true, text: `Deleted “${r.title}”` });
      void load();
    } catch (e) {
      setNote({ ok: false, text: errorText(e) });
    }
  };

  const attention = register?.risks.filter((r) => r.needsRehearsal) ?? [];

  return (
    <div className="app risks-page">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="firedrill home"><span className="logo" aria-hidden="true" />firedrill</Link>
        <div className="topbar-title"><h1 className="editor-h1">Risk register</h1><span className="muted">pre-mortems: what could fail, and have we rehearsed it?</span></div>
        <div className="topbar-right">
          {token && <button type="button" className="small" onClick={() => setOperatorToken('')}>Lock</button>}
          <Link to="/editor" className="button small">Scenario editor</Link>
        </div>
      </header>
      {!token ? (
        <main className="narrow">
          <Panel title="Operator only">
            <OperatorTokenForm why="The risk register covers every game day on this server; it opens with the operator's admin token." error={error} />
          </Panel>
        </main>
      ) : (
        <main className="risks-grid">
          {error && <p className="result err" role="alert">✗ {error}</p>}
          <Panel
            title={<>Register <span className="count muted-count">{register?.risks.length ?? '…'}</span></>}
            className="risks-table-panel"
            actions={
              <>
                <label className="inline small-text">
                  Stale after
                  <input type="number" min={1} max={3650} value={staleDays} onChange={(e) => setStaleDays(Math.max(1, Number(e.target.value) || 90))} className="days-input" aria-label="Days after which a rehearsal is stale" />
                  days
                </label>
                <button type="button" className="primary small" onClick={() => setEditing('new')} data-testid="risk-add">Add a risk</button>
              </>
            }
          >
            {note && <p className={`result ${note.ok ? 'ok' : 'err'}`} role={note.ok ? 'status' : 'alert'}>{note.ok ? '✓ ' : '✗ '}{note.text}</p>}
            {attention.length > 0 && (
              <p className="result err attention" data-testid="risk-attention">
                {attention.length} of the top {register!.top} risks {attention.length === 1 ? 'has' : 'have'} not been rehearsed {attention.some((r) => r.rehearsal.status === 'stale') ? `within ${register!.staleAfterDays} days` : 'yet'}: {attention.map((r) => r.title).join(' · ')}
              </p>
            )}
            {register && register.risks.length === 0 && <p className="empty">No risks yet. Ask the team: “It is six months from now and we had a bad outage. What happened?”</p>}
            {rows.length > 0 && (
              <div className="table-wrap">
                <table className="risk-table" data-testid="risk-table">
                  <thead>
                    <tr>
                      {COLUMNS.map((c) => (
                        <th key={c.key} aria-sort={sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none'} scope="col">
                          <button type="button" className="sort" onClick={() => setSort((s) => ({ key: c.key, dir: s.key === c.key ? (s.dir === 1 ? -1 : 1) : 1 }))}>
                            {c.label}{sort.key === c.key ? (sort.dir === 1 ? ' ▾' : ' ▴') : ''}
                          </button>
                        </th>
                      ))}
                      <th scope="col" className="plain-th">Scenarios</th>
                      <th scope="col"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.id} data-risk-id={r.id} className={r.needsRehearsal ? 'needs' : undefined}>
                        <td><span className={`prio ${r.band}`} title={`${r.likelihood} × ${r.impact} × (6 − ${r.detection})`}>{r.priority}</span> <span className="muted small-text">#{r.rank}</span></td>
                        <td className="risk-title">
                          <strong>{r.title}</strong>
                          {r.description && <p className="muted small-text">{r.description}</p>}
                          {r.owner && <p className="muted small-text">owner: {r.owner}</p>}
                        </td>
                        <td title={register!.scales.likelihood[r.likelihood - 1]}>{r.likelihood}</td>
                        <td title={register!.scales.impact[r.impact - 1]}>{r.impact}</td>
                        <td title={register!.scales.detection[r.detection - 1]}>{r.detection}</td>
                        <td><RehearsalBadge r={r} staleAfterDays={register!.staleAfterDays} /></td>
                        <td>
                          <ul className="chips">
                            {r.scenarioIds.map((id) => <li key={id} className={r.unknownScenarios.includes(id) ? 'unknown' : undefined} title={r.unknownScenarios.includes(id) ? 'no longer in the library' : titleOf(id)}>{id}</li>)}
                          </ul>
                        </td>
                        <td>
                          <div className="row-actions">
                          <button type="button" className="small primary" onClick={() => openDraft(riskDraft(r))} data-testid="risk-write-scenario">Write a scenario for this risk</button>
                          <button type="button" className="small" onClick={() => setEditing(r)} aria-label={`Edit ${r.title}`}>Edit</button>
                          <button type="button" className="small danger-outline" onClick={() => setDeleting(r)} aria-label={`Delete ${r.title}`}>Delete</button>
                          </div>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
          <Panel title="Likelihood × impact" className="heat-panel">
            {register && <HeatMap register={register} />}
          </Panel>
          <Panel title="The scales" className="scales-panel">
            {register && <Scales register={register} />}
          </Panel>
        </main>
      )}
      {editing && token && (
        <RiskDialog
          token={token}
          risk={editing === 'new' ? undefined : editing}
          scenarios={scenarios}
          scales={register?.scales}
          onClose={(saved) => {
            setEditing(undefined);
            if (saved) {
              setNote({ ok: true, text: `Saved “${saved}”` });
              void load();
            }
          }}
        />
      )}
      <ConfirmDialog open={!!deleting} title="Delete this risk?" confirmLabel="Delete risk" onConfirm={() => deleting && void remove(deleting)} onCancel={() => setDeleting(undefined)}>
        <p><strong>{deleting?.title}</strong></p>
        <p className="muted">Scenarios linked to it stay in the library.</p>
      </ConfirmDialog>
    </div>
  );
}

/** Likelihood up (5 at the top), impact across; each cell coloured by likelihood × impact. */
function HeatMap({ register }: { register: Register }) {
  const cells = [5, 4, 3, 2, 1].flatMap((l) => [1, 2, 3, 4, 5].map((i) => ({ l, i, risks: register.risks.filter((r) => r.likelihood === l && r.impact === i) })));
  return (
    <div className="heat" role="grid" aria-label="Risks by likelihood (rows, 5 at the top) and impact (columns)" data-testid="heat-map">
      <div className="heat-axis-y" aria-hidden="true">likelihood →</div>
      <div className="heat-cells">
        {cells.map(({ l, i, risks }) => (
          <div key={`${l}-${i}`} role="gridcell" className={`heat-cell h${Math.min(4, Math.floor((l * i - 1) / 5))}`} data-testid={`heat-${l}-${i}`} data-count={risks.length} aria-label={`likelihood ${l}, impact ${i}: ${risks.length} risk${risks.length === 1 ? '' : 's'}${risks.length ? ` — ${risks.map((r) => r.title).join('; ')}` : ''}`} title={risks.map((r) => `#${r.rank} ${r.title}`).join('\n')}>
            {risks.length > 0 && (
              <>
                <span className="heat-count">{risks.length}</span>
                <ul className="heat-ranks">{risks.slice(0, 6).map((r) => <li key={r.id} className={`prio ${r.band}`}>#{r.rank}</li>)}{risks.length > 6 && <li>…</li>}</ul>
              </>
            )}
          </div>
        ))}
      </div>
      <div className="heat-axis-x" aria-hidden="true">impact →</div>
    </div>
  );
}

function Scales({ register }: { register: Register }) {
  return (
    <div className="scales">
      <p className="small-text">
        <strong>Priority</strong> = likelihood × impact × (6 − detection), from 1 to 125: high from {register.bands.high}, medium from {register.bands.medium}. A risk the team would not notice counts five times one it is alerted to at once.
      </p>
      {(['likelihood', 'impact', 'detection'] as const).map((k) => (
        <div key={k}>
          <h3>{k === 'detection' ? 'Detection confidence' : k[0].toUpperCase() + k.slice(1)}</h3>
          <ol className="scale-list">{register.scales[k].map((t, n) => <li key={n} value={n + 1}>{t}</li>)}</ol>
        </div>
      ))}
    </div>
  );
}

function ScoreSelect({ label, value, onChange, scale, testId }: { label: string; value: number; onChange: (v: number) => void; scale?: readonly string[]; testId: string }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
        {[1, 2, 3, 4, 5].map((n) => <option key={n} value={n}>{n}{scale ? ` — ${scale[n - 1]}` : ''}</option>)}
      </select>
    </label>
  );
}

function RiskDialog({ token, risk, scenarios, scales, onClose }: { token: string; risk?: RiskInfo; scenarios: Scenario[]; scales?: Register['scales']; onClose: (saved?: string) => void }) {
  const [title, setTitle] = useState(risk?.title ?? '');
  const [description, setDescription] = useState(risk?.description ?? '');
  const [likelihood, setLikelihood] = useState(risk?.likelihood ?? 3);
  const [impact, setImpact] = useState(risk?.impact ?? 3);
  const [detection, setDetection] = useState(risk?.detection ?? 3);
  const [linked, setLinked] = useState<string[]>(risk?.scenarioIds ?? []);
  const [owner, setOwner] = useState(risk?.owner ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { title: title.trim(), description: description.trim(), likelihood, impact, detection, scenarioIds: linked };
      if (risk) await updateRisk(token, risk.id, { ...body, owner: owner.trim() ? owner.trim() : null });
      else await addRisk(token, { ...body, ...(owner.trim() ? { owner: owner.trim() } : {}) });
      onClose(body.title);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const priority = likelihood * impact * (6 - detection);
  return (
    <dialog ref={ref} className="dialog risk-dialog" aria-labelledby={`${id}-h`} onCancel={(e) => { e.preventDefault(); onClose(); }}>
      <h2 id={`${id}-h`}>{risk ? 'Edit the risk' : 'Add a risk'}</h2>
      <form onSubmit={submit} className="stack">
        <label>
          What could fail
          <input required maxLength={200} value={title} onChange={(e) => setTitle(e.target.value)} placeholder="The primary database runs out of disk" data-testid="risk-title" autoFocus />
        </label>
        <label>
          How it would happen, what it would do
          <textarea maxLength={4000} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} data-testid="risk-description" />
        </label>
        <div className="row scores">
          <ScoreSelect label="Likelihood" value={likelihood} onChange={setLikelihood} scale={scales?.likelihood} testId="risk-likelihood" />
          <ScoreSelect label="Impact" value={impact} onChange={setImpact} scale={scales?.impact} testId="risk-impact" />
          <ScoreSelect label="Detection confidence" value={detection} onChange={setDetection} scale={scales?.detection} testId="risk-detection" />
        </div>
        <p className="small-text muted">Priority {likelihood} × {impact} × (6 − {detection}) = <strong>{priority}</strong></p>
        <fieldset className="scenario-picks">
          <legend>Scenarios that rehearse it</legend>
          {scenarios.map((s) => (
            <label key={s.id} className="inline">
              <input type="checkbox" checked={linked.includes(s.id)} onChange={(e) => setLinked((l) => (e.target.checked ? [...l, s.id] : l.filter((x) => x !== s.id)))} data-testid={`risk-scenario-${s.id}`} />
              {s.id}
            </label>
          ))}
        </fieldset>
        <label>
          Owner (optional)
          <input maxLength={80} value={owner} onChange={(e) => setOwner(e.target.value)} />
        </label>
        {error && <p className="result err" role="alert">✗ {error}</p>}
        <div className="dialog-buttons">
          <button type="button" onClick={() => onClose()}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || !title.trim()} data-testid="risk-save">{busy ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </dialog>
  );
}
