// The team console: what a responder sees and does during a game day.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ServiceView } from '../../../server/engine/session/view.ts';
import type { SessionEvent } from '../../../server/engine/session/events.ts';
import { loadCreds } from '../lib/creds.ts';
import { liveFor, type LiveSession, type Metric, type TeamSeries } from '../lib/live.ts';
import { useLive, useTeamView } from '../lib/hooks.ts';
import { getWorkload, type RunbookInfo, type WorkloadInfo } from '../lib/api.ts';
import { health } from '../lib/health.ts';
import { clock, ms, num, pct } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { describe } from '../lib/describe.ts';
import { TopBar, PhaseBanner, haltReasonOf } from '../components/chrome.tsx';
import { ServiceMap, type NodeState } from '../components/service-map.tsx';
import { Chart, type Marker, type SeriesDef } from '../components/chart.tsx';
import { AlertList, mergedAlerts } from '../components/alerts.tsx';
import { IncidentPanel } from '../components/incident.tsx';
import { Runbooks } from '../components/runbooks.tsx';
import { Remediation } from '../components/remediation.tsx';
import { Logs } from '../components/logs.tsx';
import { Timeline } from '../components/timeline.tsx';
import { Prose } from '../components/prose.tsx';
import { Panel, Tabs, Toasts } from '../components/ui.tsx';
import { SoloControls } from './solo-controls.tsx';
import { PracticePanel } from '../components/practice-panel.tsx';
import { JOIN_ROLES } from '../lib/catalog.ts';

const CHARTS: { title: string; series: SeriesDef[]; unit: (v: number) => string }[] = [
  { title: 'Traffic (requests/s)', series: [{ metric: 'rps', label: 'rps', color: '#5b9cff' }], unit: num },
  { title: 'Errors', series: [{ metric: 'error_rate', label: 'error rate', color: '#ff5c5c', scale: 100 }], unit: (v) => `${v.toFixed(v < 10 ? 1 : 0)}%` },
  { title: 'Latency', series: [{ metric: 'latency_p50_ms', label: 'p50', color: '#3ecf8e' }, { metric: 'latency_p99_ms', label: 'p99', color: '#ffb347' }], unit: ms },
  { title: 'Saturation and CPU', series: [{ metric: 'saturation', label: 'saturation', color: '#c08bff', scale: 100 }, { metric: 'cpu', label: 'CPU', color: '#4dd0e1', scale: 100 }], unit: (v) => `${Math.round(v)}%` },
];

/** Markers on the selected service's charts: its deploys, alerts and the actions taken on it. */
export function markersFor(events: SessionEvent[], service: string, team?: string): Marker[] {
  const out: Marker[] = [];
  for (const e of events) {
    if (team && e.team !== undefined && e.team !== team) continue;
    if (e.type === 'deploy' && e.service === service) out.push({ t: e.t, kind: 'deploy', label: `deploy ${e.version}` });
    else if (e.type === 'audit' && e.service === service && e.kind !== 'ops') out.push({ t: e.t, kind: 'deploy', label: e.kind });
    else if (e.type === 'alert.firing' && e.service === service) out.push({ t: e.t, kind: 'alert', label: e.alert });
    else if (e.type === 'alert.resolved' && e.service === service) out.push({ t: e.t, kind: 'resolved', label: `${e.alert} ok` });
    else if (e.type === 'fault.injected' && e.service === service) out.push({ t: e.t, kind: 'fault', label: e.kind });
    else if (e.type === 'action' && e.result.ok && 'service' in e.action && e.action.service === service && e.action.action !== 'observe') out.push({ t: e.t, kind: 'action', label: e.action.action });
  }
  return out;
}

/**
 * Each service's colour and one-line summary, from telemetry when it is fresh, else from the last
 * team view (telemetry frames are volatile: a screen may miss some, or all of one team's).
 */
export function nodeStates(view: { t: number; services: ServiceView[]; alerts: { service: string; severity: string; state: string }[] } | undefined, series: TeamSeries | undefined) {
  const map = new Map<string, NodeState>();
  const lastFrame = series?.times[series.times.length - 1];
  const fresh = series !== undefined && lastFrame !== undefined && (view === undefined || lastFrame >= view.t - 5);
  for (const s of view?.services ?? []) {
    const firing = (view?.alerts ?? []).filter((a) => a.service === s.id && a.state === 'firing');
    const v = (m: Metric) => (fresh ? series!.value(s.id, m) : view && view.t > 0 ? s.metrics[m] : undefined);
    const h = health(v, firing);
    const err = v('error_rate');
    const p99 = v('latency_p99_ms');
    map.set(s.id, { ...h, firing: firing.length, line: err === undefined ? s.kind : `${pct(err)} err · p99 ${ms(p99 ?? 0)}` });
  }
  return (id: string) => map.get(id) ?? { level: 'unknown' as const, reasons: [], firing: 0 };
}

export function TeamPage({ id }: { id: string }) {
  const creds = loadCreds(id);
  const live = useMemo(() => (creds ? liveFor(creds, 'participant') : undefined), [id]);
  const facilitator = useMemo(() => (creds?.facilitatorToken ? liveFor(creds, 'facilitator') : undefined), [id]);
  if (!creds || !live) {
    return (
      <main className="narrow">
        <h1>You have not joined this game day in this tab</h1>
        <p>Join with the code your facilitator gave you.</p>
        <p><Link to="/" className="button primary">Go to the start page</Link></p>
      </main>
    );
  }
  return <TeamConsole id={id} live={live} facilitator={facilitator} />;
}

function TeamConsole({ id, live, facilitator }: { id: string; live: LiveSession; facilitator?: LiveSession }) {
  const snap = useLive(live);
  const w = snap.welcome;
  const me = w?.you.kind === 'participant' ? w.you.participant : undefined;
  const team = me?.team;
  const { view } = useTeamView(live, undefined);
  const series = team ? live.telemetry.get(team) : undefined;
  const [workload, setWorkload] = useState<WorkloadInfo>();
  useEffect(() => {
    if (w?.scenario.workload) getWorkload(w.scenario.workload).then(setWorkload, () => undefined);
  }, [w?.scenario.workload]);

  const services = view?.services ?? [];
  const alerts = mergedAlerts(view?.alerts, series, view?.t);
  const [selected, setSelected] = useState<string>();
  const current = services.find((s) => s.id === selected) ?? services.find((s) => alerts.some((a) => a.state === 'firing' && a.service === s.id)) ?? services[0];
  const canAct = snap.phase === 'running' && snap.status === 'connected' && !view?.ended;
  const [rightTab, setRightTab] = useState('incident');
  const [serviceTab, setServiceTab] = useState('metrics');
  const [runbookFocus, setRunbookFocus] = useState<{ id: string }>();

  // Looking is part of responding: record which dashboards and logs were opened (once a minute).
  const observed = useRef(new Map<string, number>());
  const observe = (service: string, what: 'metrics' | 'logs') => {
    if (!canAct) return;
    const k = `${service}:${what}`;
    const last = observed.current.get(k) ?? 0;
    if (Date.now() - last < 60_000) return;
    observed.current.set(k, Date.now());
    void live.act({ action: 'observe', service, view: what });
  };
  const select = (sid: string) => {
    setSelected(sid);
    observe(sid, serviceTab === 'logs' ? 'logs' : 'metrics');
  };
  useEffect(() => {
    if (current && serviceTab === 'logs') observe(current.id, 'logs');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [serviceTab, current?.id]);

  const state = nodeStates(view ? { t: view.t, services, alerts } : undefined, series);
  const markers = useMemo(() => (current ? markersFor(live.events, current.id) : []), [live, current?.id, snap.eventsRev]);
  const runbooks: RunbookInfo[] = useMemo(() => {
    const ids = new Set<string>();
    for (const s of services) for (const r of s.runbooks) ids.add(r);
    for (const a of view?.alerts ?? []) if (a.runbook) ids.add(a.runbook);
    for (const s of workload?.services ?? []) for (const r of s.runbooks) ids.add(r);
    return [...ids].map((rid) => ({ id: rid }));
  }, [services.length, view?.alerts.length, workload]);
  const suggested = new Set(alerts.filter((a) => a.state === 'firing' && a.runbook).map((a) => a.runbook!));
  const oncallTeams = workload?.teams ?? [...new Set(services.map((s) => s.team))].map((t) => ({ id: t }));
  // Practice drills add the bots' words: a paged team acknowledging, the support lead asking for updates.
  const notices = live.events.filter((e) => e.type === 'hint.released' || e.type === 'message' || e.type === 'page.acknowledged' || e.type === 'comms.requested' || e.type === 'comms.answered').slice(-2).reverse();
  const firing = alerts.filter((a) => a.state === 'firing');
  const unacked = firing.filter((a) => a.acknowledgedAt === null).length;

  return (
    <div className="app team-console">
      <TopBar
        snap={snap}
        title={
          <>
            <strong>{w?.scenario.title ?? 'Joining…'}</strong>
            {team && <span className="team-name">team {team}</span>}
            {me && <span className="muted">{me.name} · {JOIN_ROLES[me.role as keyof typeof JOIN_ROLES] ?? me.role}</span>}
          </>
        }
      >
        {facilitator && <SoloControls live={facilitator} phase={snap.phase} />}
        <Link to={`/debrief/${id}`} className="button small">Debrief</Link>
      </TopBar>
      <PhaseBanner snap={snap} debrief={`/debrief/${id}`} haltReason={snap.phase === 'halted' ? haltReasonOf(live.events) : undefined} lobbyText={facilitator ? 'Read the briefing, then press Start when you are ready.' : 'Waiting for the facilitator to start. Read the briefing below.'}>
        {(snap.phase === 'lobby' || snap.phase === 'briefing') && w && (
          <details className="briefing" open>
            <summary>Briefing: {w.scenario.title}</summary>
            <Prose text={w.scenario.briefing} />
          </details>
        )}
      </PhaseBanner>

      <main className="console-grid">
        <div className="col-main">
          <Panel
            title="Service map"
            className="map-panel"
            actions={
              <span className="legend" aria-hidden="true">
                <span className="sw ok" /> healthy <span className="sw warn" /> degraded <span className="sw bad" /> failing <span className="sw unknown" /> no data
              </span>
            }
          >
            {services.length ? <ServiceMap services={services} state={state} selected={current?.id} onSelect={select} /> : <p className="empty">Loading the workload…</p>}
          </Panel>

          {current && (
            <Panel
              className="service-panel"
              title={
                <>
                  {current.id} <span className="muted small-text">{current.kind} · {current.version} · {current.replicas} replicas · {current.team}</span>
                </>
              }
              actions={
                <label className="inline">
                  Service
                  <select value={current.id} onChange={(e) => select(e.target.value)}>
                    {services.map((s) => <option key={s.id}>{s.id}</option>)}
                  </select>
                </label>
              }
            >
              <Tabs
                label="Service views"
                active={serviceTab}
                onChange={setServiceTab}
                tabs={[
                  {
                    id: 'metrics',
                    label: 'Metrics',
                    content: () => (
                      <div className="charts">
                        {CHARTS.map((c) => (
                          <Chart key={c.title} title={c.title} series={c.series} unit={c.unit} data={series} service={current.id} markers={markers} rev={snap.telemetryRev} />
                        ))}
                      </div>
                    ),
                  },
                  { id: 'logs', label: 'Logs', content: () => <Logs live={live} services={services.map((s) => s.id)} service={current.id} onService={select} /> },
                  { id: 'actions', label: 'Remediate', content: () => <Remediation service={current} zones={workload?.zones ?? []} live={live} canAct={canAct} /> },
                ]}
              />
            </Panel>
          )}
        </div>

        <div className="col-side">
          {notices.length > 0 && (
            <section className="notices" aria-label="Hints and messages">
              {notices.map((e) => {
                const d = describe(e);
                return (
                  <div key={e.seq} className={`notice ${e.type === 'hint.released' ? 'hint' : e.type === 'comms.requested' ? 'message comms' : 'message'}`}>
                    <time>{clock(e.t)}</time> <strong>{e.type === 'hint.released' ? `Hint (−${e.cost} points)` : `Message${d.who ? ` from ${d.who}` : ''}`}</strong> <span>{e.type === 'hint.released' ? e.text : d.text}</span>
                  </div>
                );
              })}
            </section>
          )}
          <PracticePanel live={live} canAct={canAct} onWriteUpdate={() => setRightTab('incident')} />
          <Panel title={<>Alerts {firing.length > 0 && <span className="count bad">{firing.length} firing</span>} {unacked > 0 && <span className="count warn">{unacked} unacknowledged</span>}</>} className="alerts-panel">
            <AlertList
              alerts={alerts}
              live={live}
              canAct={canAct}
              onSelectService={select}
              onOpenRunbook={(rid) => {
                setRightTab('runbooks');
                setRunbookFocus({ id: rid });
              }}
            />
          </Panel>
          <section className="panel side-tabs" aria-label="Incident, runbooks and timeline">
            <Tabs
              label="Incident tools"
              active={rightTab}
              onChange={setRightTab}
              tabs={[
                { id: 'incident', label: view?.incident.declaredAt != null ? `Incident ${view.incident.severity}` : 'Incident', content: () => <IncidentPanel incident={view?.incident} services={services} oncallTeams={oncallTeams} people={snap.presence.filter((p) => p.team === team)} live={live} canAct={canAct} me={me?.name} /> },
                { id: 'runbooks', label: 'Runbooks', content: () => <Runbooks runbooks={runbooks} suggested={suggested} incident={view?.incident} live={live} canAct={canAct} focus={runbookFocus} /> },
                { id: 'timeline', label: 'Timeline', content: () => <Timeline events={live.events} /> },
              ]}
            />
          </section>
        </div>
      </main>
      <Toasts />
    </div>
  );
}
