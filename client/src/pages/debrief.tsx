// The debrief: the after-action report (the server's self-contained HTML: charts, timeline,
// findings), the teams side by side, downloads, and the lessons learned and action items — which
// the facilitator records here and everyone else reads.
//
// Access comes from this tab's credentials (sessionStorage), or once from a link carrying the
// token in its fragment, `/debrief/<id>#token=<token>`: the fragment never reaches the server or
// its logs, and the page removes it from the address bar at once.
import { useEffect, useState } from 'react';
import { loadCreds, saveCreds, type Creds } from '../lib/creds.ts';
import { ApiError, getReport, getScores, getSession, type ReportFormat, type Scores, type SessionInfo } from '../lib/api.ts';
import { errorText } from '../lib/format.ts';
import { saveText } from '../lib/download.ts';
import { Link } from '../lib/router.tsx';
import { Tabs } from '../components/ui.tsx';
import { TeamComparison } from '../components/team-comparison.tsx';
import { DebriefNotes } from '../components/debrief-notes.tsx';
import { darkReport } from '../lib/report-dark.ts';
import './debrief.css';

const TYPES: Record<ReportFormat, { mime: string; label: string }> = {
  md: { mime: 'text/markdown', label: 'Markdown' },
  html: { mime: 'text/html', label: 'HTML' },
  json: { mime: 'application/json', label: 'JSON' },
};

const OUTCOME_LABELS: Record<string, string> = { resolved: 'resolved', unresolved: 'not resolved', halted: 'halted' };

/** The token of a `#token=…` fragment, removed from the address bar. */
function takeFragmentToken(): string | undefined {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (!m) return undefined;
  history.replaceState(history.state, '', location.pathname + location.search);
  try {
    return decodeURIComponent(m[1]);
  } catch {
    return undefined;
  }
}

export function DebriefPage({ id }: { id: string }) {
  const [creds, setCreds] = useState<Creds | undefined>(() => loadCreds(id));
  const [linkError, setLinkError] = useState<string>();
  const token = creds?.facilitatorToken ?? creds?.participant?.token;
  const facilitator = !!creds?.facilitatorToken;
  const [session, setSession] = useState<SessionInfo>();
  const [html, setHtml] = useState<string>();
  const [reportError, setReportError] = useState<{ code: string; text: string }>();
  const [scores, setScores] = useState<Scores>();
  const [scoresError, setScoresError] = useState<string>();
  const [downloadError, setDownloadError] = useState<string>();
  const [rev, setRev] = useState(0);
  const [reportRev, setReportRev] = useState(0);
  /** Lessons or action items changed since the report in the frame was built. */
  const [stale, setStale] = useState(false);
  const [tab, setTab] = useState('report');

  // A link with the token in its fragment: find out who it is, remember it for this tab.
  useEffect(() => {
    const fromLink = takeFragmentToken();
    if (!fromLink) return;
    getSession(id, fromLink).then(
      (s) => {
        if (!s) return setLinkError('The link\u2019s token does not open this game day.');
        if (s.you.role === 'facilitator') saveCreds({ sessionId: id, facilitatorToken: fromLink });
        else saveCreds({ sessionId: id, participant: { token: fromLink, name: s.you.name, team: s.you.team, role: s.you.teamRole } });
        setCreds(loadCreds(id));
      },
      (e: unknown) => setLinkError(errorText(e)),
    );
  }, [id]);

  useEffect(() => {
    if (!token) return;
    getSession(id, token).then(setSession, () => undefined);
    setScoresError(undefined);
    getScores(id, token).then(
      (s) => {
        setScores(s);
        if (!s) setScoresError('Scores open to participants once the facilitator reveals them or the game day ends.');
      },
      (e: unknown) => setScoresError(errorText(e)),
    );
  }, [id, token, rev]);

  useEffect(() => {
    if (!token) return;
    setReportError(undefined);
    getReport(id, token, 'html').then(
      (h) => {
        setHtml(darkReport(h));
        setStale(false);
      },
      (e: unknown) => setReportError({ code: e instanceof ApiError ? e.code : 'error', text: errorText(e) }),
    );
  }, [id, token, rev, reportRev]);

  const download = async (format: ReportFormat) => {
    if (!token) return;
    setDownloadError(undefined);
    try {
      const text = await getReport(id, token, format);
      saveText(text, `firedrill-${session?.scenario.id ?? 'report'}-${id}.${format}`, TYPES[format].mime);
    } catch (e) {
      setDownloadError(errorText(e));
    }
  };

  const back = facilitator ? `/facilitate/${id}` : `/team/${id}`;
  const ownTeam = session?.you.role === 'participant' ? session.you.team : undefined;
  const outcome = session?.outcome ?? null;

  return (
    <div className="app debrief">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="firedrill home"><span className="logo" aria-hidden="true" />firedrill</Link>
        <div className="topbar-title">
          <h1 className="page-title">Debrief</h1>
          {session && <span className="scenario-title" title={session.scenario.title}>{session.scenario.title}</span>}
          {session && (
            <span className={`phase phase-${session.phase}`}>
              {session.phase === 'ended' ? (outcome ? OUTCOME_LABELS[outcome] ?? outcome : 'ended') : session.phase}
            </span>
          )}
          {session && <span className="muted small-text">{facilitator ? 'facilitator' : `${session.you.role === 'participant' ? session.you.name : ''} · team ${ownTeam ?? ''}`}</span>}
        </div>
        <div className="topbar-right">
          {token && <Link to={back} className="button small">Back to the console</Link>}
          <button type="button" className="small" disabled={!token} onClick={() => setRev((r) => r + 1)}>Refresh</button>
          <div className="downloads" role="group" aria-label="Download the report">
            <span className="muted small-text" aria-hidden="true">Download</span>
            {(Object.keys(TYPES) as ReportFormat[]).map((f) => (
              <button key={f} type="button" className="small" disabled={!token || !!reportError} onClick={() => void download(f)} aria-label={`Download the report as ${TYPES[f].label}`}>
                {TYPES[f].label}
              </button>
            ))}
          </div>
        </div>
      </header>
      {downloadError && <p className="result err banner-line" role="alert">✗ Download failed: {downloadError}</p>}
      {!token && (
        <main className="narrow">
          <h1>No access to this debrief from this tab</h1>
          {linkError ? <p className="result err" role="alert">✗ {linkError}</p> : <p>The debrief opens in the tab you played or facilitated in, or from a link with its token.</p>}
          <Link to="/" className="button primary">Start page</Link>
        </main>
      )}
      {token && (
        <main className="debrief-grid">
          <section className="debrief-main panel" aria-label="After-action report">
            <Tabs
              label="The game day"
              active={tab}
              onChange={setTab}
              className="debrief-tabs"
              tabs={[
                {
                  id: 'report',
                  label: 'After-action report',
                  content: () =>
                    reportError ? (
                      <div className="report-closed">
                        {reportError.code === 'report/not-available' ? (
                          <p className="empty">The report opens once the facilitator reveals the scores or ends the game day.</p>
                        ) : (
                          <p className="result err" role="alert">✗ Could not load the report: {reportError.text}</p>
                        )}
                      </div>
                    ) : html ? (
                      <div className="report-wrap">
                        {stale && (
                          <p className="stale-bar" role="status">
                            Lessons or action items changed since this report was built; downloads are always up to date.{' '}
                            <button type="button" className="small" onClick={() => setReportRev((r) => r + 1)}>Update the report</button>
                          </p>
                        )}
                        {/* Sandboxed without same-origin access: the report's own script cannot reach the app.
                            Popups are allowed so that its links to tickets (target=_blank) open in a new tab. */}
                        <iframe className="report-frame" title="After-action report" sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox" srcDoc={html} />
                      </div>
                    ) : (
                      <p className="empty">Building the report…</p>
                    ),
                },
                {
                  id: 'teams',
                  label: scores && scores.leaderboard.length > 1 ? 'Teams side by side' : 'Team figures',
                  content: () =>
                    scores ? <TeamComparison scores={scores} ownTeam={ownTeam} /> : <p className="empty">{scoresError ?? 'Loading scores…'}</p>,
                },
              ]}
            />
          </section>
          <aside className="debrief-side" aria-label="Lessons learned and action items">
            {!facilitator && <p className="muted small-text read-only-note">Recorded by the facilitator; read-only for participants.</p>}
            <DebriefNotes sessionId={id} token={token} canEdit={facilitator} rev={rev} onChange={() => setStale(true)} />
          </aside>
        </main>
      )}
    </div>
  );
}
