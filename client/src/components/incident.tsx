// The incident panel: declare, severity, roles, paging, status updates, hypotheses, mitigated,
// resolved. Every button sends one action with a fresh idempotency key and shows its result.
import { useId, useState, type FormEvent } from 'react';
import type { IncidentView, ServiceView } from '../../../server/engine/session/view.ts';
import type { Participant } from '../../../server/protocol/events.ts';
import type { ActionSpec } from '../../../server/engine/actions/schema.ts';
import type { LiveSession } from '../lib/live.ts';
import { useRequest } from '../lib/hooks.ts';
import { CAN_TEMPLATE, INCIDENT_ROLES, SEVERITIES, type Audience, type IncidentRole, type Severity } from '../lib/catalog.ts';
import { clock } from '../lib/format.ts';
import { ConfirmDialog, Result } from './ui.tsx';

const severities = Object.keys(SEVERITIES) as Severity[];
const roles = Object.keys(INCIDENT_ROLES) as IncidentRole[];

function useAction(live: LiveSession | undefined, _label: string) {
  const req = useRequest();
  const send = (action: ActionSpec) =>
    req.run(async () => {
      if (!live) return { ok: false, code: 'client/not-connected', message: 'not connected' };
      return live.act(action);
    });
  return { ...req, send };
}

export function IncidentPanel({ incident, services, oncallTeams, people, live, canAct, me }: {
  incident: IncidentView | undefined;
  services: ServiceView[];
  oncallTeams: { id: string; name?: string }[];
  people: Participant[];
  live?: LiveSession;
  canAct: boolean;
  me?: string;
}) {
  const id = useId();
  const declared = incident?.declaredAt != null;
  const resolved = incident?.resolvedAt != null;

  // declare
  const declare = useAction(live, 'Declare incident');
  const [sev, setSev] = useState<Severity>('SEV2');
  const [summary, setSummary] = useState('');
  const [affected, setAffected] = useState<string[]>([]);
  const onDeclare = (e: FormEvent) => {
    e.preventDefault();
    void declare.send({ action: 'declare', severity: sev, summary: summary.trim(), ...(affected.length ? { services: affected } : {}) });
  };

  // severity
  const setSeverity = useAction(live, 'Set severity');
  const [newSev, setNewSev] = useState<Severity>('SEV1');

  // roles
  const assign = useAction(live, 'Assign role');
  const [role, setRole] = useState<IncidentRole>('incident-commander');
  const [person, setPerson] = useState(me ?? '');

  // page
  const page = useAction(live, 'Page');
  const [oncall, setOncall] = useState('');
  const [reason, setReason] = useState('');

  // status update
  const update = useAction(live, 'Status update');
  const [audience, setAudience] = useState<Audience>('internal');
  const [text, setText] = useState('');

  // hypothesis
  const hypo = useAction(live, 'Hypothesis');
  const [hypothesis, setHypothesis] = useState('');

  // mitigated / resolved
  const mitigate = useAction(live, 'Mark mitigated');
  const resolve = useAction(live, 'Resolve');
  const [confirmResolve, setConfirmResolve] = useState(false);
  const [resolution, setResolution] = useState('');

  const disabled = !canAct || resolved;
  const pickOncall = oncall || oncallTeams[0]?.id || '';

  return (
    <div className="incident">
      <div className={`incident-status ${declared ? (resolved ? 'resolved' : 'declared') : 'none'}`} role="status">
        {!declared && <span>No incident declared.</span>}
        {declared && (
          <>
            <strong className="sev-badge">{incident!.severity}</strong>
            <span className="incident-summary">{incident!.summary}</span>
            <span className="muted">declared {clock(incident!.declaredAt!)}</span>
            {incident!.services.length > 0 && <span className="muted">· {incident!.services.join(', ')}</span>}
            {incident!.mitigatedClaimAt != null && <span className="good">· mitigated {clock(incident!.mitigatedClaimAt)}</span>}
            {resolved && <span className="good">· resolved {clock(incident!.resolvedAt!)}</span>}
          </>
        )}
      </div>

      {!declared && (
        <form className="card" onSubmit={onDeclare} aria-labelledby={`${id}-declare`}>
          <h3 id={`${id}-declare`}>Declare an incident</h3>
          <div className="row">
            <label>
              Severity
              <select value={sev} onChange={(e) => setSev(e.target.value as Severity)}>
                {severities.map((s) => <option key={s} value={s}>{SEVERITIES[s]}</option>)}
              </select>
            </label>
            <label className="grow">
              Summary
              <input required maxLength={500} value={summary} onChange={(e) => setSummary(e.target.value)} placeholder="checkout errors, orders suspected" />
            </label>
          </div>
          <fieldset className="chips">
            <legend>Affected services</legend>
            {services.map((s) => (
              <label key={s.id} className="chip">
                <input type="checkbox" checked={affected.includes(s.id)} onChange={(e) => setAffected((a) => (e.target.checked ? [...a, s.id] : a.filter((x) => x !== s.id)))} />
                {s.id}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={disabled || declare.busy || !summary.trim()}>Declare</button>
          <Result outcome={declare.outcome} />
        </form>
      )}

      {declared && (
        <div className="card">
          <h3>Severity</h3>
          <div className="row">
            <label>
              New severity
              <select value={newSev} onChange={(e) => setNewSev(e.target.value as Severity)}>
                {severities.map((s) => <option key={s} value={s}>{SEVERITIES[s]}</option>)}
              </select>
            </label>
            <button type="button" disabled={disabled || setSeverity.busy} onClick={() => setSeverity.send({ action: 'set-severity', severity: newSev })}>Set severity</button>
          </div>
          <Result outcome={setSeverity.outcome} />
        </div>
      )}

      <form className="card" onSubmit={(e) => { e.preventDefault(); void assign.send({ action: 'assign-role', role, person: person.trim() }); }}>
        <h3>Roles</h3>
        {incident && Object.keys(incident.roles).length > 0 && (
          <ul className="kv">
            {Object.entries(incident.roles).map(([r, p]) => <li key={r}><span>{INCIDENT_ROLES[r as IncidentRole] ?? r}</span> <strong>{p}</strong></li>)}
          </ul>
        )}
        <div className="row">
          <label>
            Role
            <select value={role} onChange={(e) => setRole(e.target.value as IncidentRole)}>
              {roles.map((r) => <option key={r} value={r}>{INCIDENT_ROLES[r]}</option>)}
            </select>
          </label>
          <label className="grow">
            Person
            <input required maxLength={80} list={`${id}-people`} value={person} onChange={(e) => setPerson(e.target.value)} />
            <datalist id={`${id}-people`}>{people.map((p) => <option key={p.id} value={p.name} />)}</datalist>
          </label>
          <button type="submit" disabled={disabled || assign.busy || !person.trim()}>Assign</button>
        </div>
        <Result outcome={assign.outcome} />
      </form>

      <form className="card" onSubmit={(e) => { e.preventDefault(); void page.send({ action: 'page', oncall: pickOncall, ...(reason.trim() ? { reason: reason.trim() } : {}) }); }}>
        <h3>Page a team</h3>
        {incident && incident.paged.length > 0 && (
          <ul className="kv">
            {incident.paged.map((p) => <li key={p.oncall}><span>{p.oncall}</span> paged {clock(p.at)} {p.joinedAt != null ? <strong className="good">joined {clock(p.joinedAt)}</strong> : <em>waiting…</em>}</li>)}
          </ul>
        )}
        <div className="row">
          <label>
            On-call team
            <select value={pickOncall} onChange={(e) => setOncall(e.target.value)}>
              {oncallTeams.map((t) => <option key={t.id} value={t.id}>{t.name ?? t.id}</option>)}
            </select>
          </label>
          <label className="grow">
            Reason
            <input maxLength={300} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="postgres CPU at 100%, need a DBA" />
          </label>
          <button type="submit" disabled={disabled || page.busy || !pickOncall}>Page</button>
        </div>
        <Result outcome={page.outcome} />
      </form>

      <form className="card" onSubmit={(e) => { e.preventDefault(); void update.send({ action: 'status-update', audience, text: text.trim() }).then((o) => o.ok && setText('')); }}>
        <h3>Status update</h3>
        <div className="row">
          <fieldset className="radios">
            <legend>Audience</legend>
            {(['internal', 'external'] as Audience[]).map((a) => (
              <label key={a}><input type="radio" name={`${id}-aud`} value={a} checked={audience === a} onChange={() => setAudience(a)} /> {a}</label>
            ))}
          </fieldset>
          <button type="button" onClick={() => setText(CAN_TEMPLATE)}>Insert CAN template</button>
        </div>
        <label>
          Update
          <textarea required rows={4} maxLength={2000} value={text} onChange={(e) => setText(e.target.value)} placeholder="Condition — Actions — Needs" />
        </label>
        <button type="submit" className="primary" disabled={disabled || update.busy || !text.trim()}>Post update</button>
        <Result outcome={update.outcome} />
        {incident && incident.updates.length > 0 && (
          <ol className="updates">
            {[...incident.updates].reverse().map((u, i) => <li key={i}><time>{clock(u.t)}</time> <span className="team-tag">{u.audience}</span> <span className="pre">{u.text}</span></li>)}
          </ol>
        )}
      </form>

      <form className="card" onSubmit={(e) => { e.preventDefault(); void hypo.send({ action: 'hypothesis', text: hypothesis.trim() }).then((o) => o.ok && setHypothesis('')); }}>
        <h3>Hypotheses</h3>
        <div className="row">
          <label className="grow">
            Hypothesis
            <input required maxLength={1000} value={hypothesis} onChange={(e) => setHypothesis(e.target.value)} placeholder="N+1 query in orders v2.14" />
          </label>
          <button type="submit" disabled={disabled || hypo.busy || !hypothesis.trim()}>Note it</button>
        </div>
        <Result outcome={hypo.outcome} />
        {incident && incident.hypotheses.length > 0 && (
          <ul className="updates">{incident.hypotheses.map((h, i) => <li key={i}><time>{clock(h.t)}</time> {h.text}</li>)}</ul>
        )}
      </form>

      <div className="card">
        <h3>Close out</h3>
        <div className="row">
          <button type="button" disabled={disabled || mitigate.busy || incident?.mitigatedClaimAt != null} onClick={() => mitigate.send({ action: 'mark-mitigated' })}>
            Mark mitigated
          </button>
          <button type="button" className="primary" disabled={disabled || resolve.busy} onClick={() => setConfirmResolve(true)}>
            Resolve incident…
          </button>
        </div>
        <Result outcome={mitigate.outcome} />
        <Result outcome={resolve.outcome} />
      </div>

      <ConfirmDialog
        open={confirmResolve}
        title="Resolve the incident?"
        confirmLabel="Resolve"
        danger={false}
        onCancel={() => setConfirmResolve(false)}
        onConfirm={() => {
          setConfirmResolve(false);
          void resolve.send({ action: 'resolve', ...(resolution.trim() ? { summary: resolution.trim() } : {}) });
        }}
      >
        <p>Resolving ends your team's game day. Do it when customers are fine and the cause is fixed.</p>
        <label>
          Resolution summary (optional)
          <textarea rows={3} maxLength={2000} value={resolution} onChange={(e) => setResolution(e.target.value)} />
        </label>
      </ConfirmDialog>
    </div>
  );
}
