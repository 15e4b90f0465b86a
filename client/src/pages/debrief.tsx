// The debrief: the after-action report (the server's self-contained HTML) and its downloads.
import { useEffect, useState } from 'react';
import { loadCreds } from '../lib/creds.ts';
import { getReport, type ReportFormat } from '../lib/api.ts';
import { errorText } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';

const TYPES: Record<ReportFormat, { mime: string; label: string }> = {
  html: { mime: 'text/html', label: 'HTML' },
  md: { mime: 'text/markdown', label: 'Markdown' },
  json: { mime: 'application/json', label: 'JSON' },
};

export function DebriefPage({ id }: { id: string }) {
  const creds = loadCreds(id);
  const token = creds?.facilitatorToken ?? creds?.participant?.token;
  const [html, setHtml] = useState<string>();
  const [error, setError] = useState<string>();
  const [downloadError, setDownloadError] = useState<string>();
  const [rev, setRev] = useState(0);

  useEffect(() => {
    if (!token) return;
    setError(undefined);
    getReport(id, token, 'html').then(setHtml, (e: unknown) => setError(errorText(e)));
  }, [id, token, rev]);

  const download = async (format: ReportFormat) => {
    if (!token) return;
    setDownloadError(undefined);
    try {
      const text = await getReport(id, token, format);
      const url = URL.createObjectURL(new Blob([text], { type: TYPES[format].mime }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `firedrill-${id}.${format}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setDownloadError(errorText(e));
    }
  };

  const back = creds?.facilitatorToken ? `/facilitate/${id}` : `/team/${id}`;
  return (
    <div className="app debrief">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="firedrill home"><span className="logo" aria-hidden="true" />firedrill</Link>
        <div className="topbar-title"><strong>Debrief</strong> <span className="muted">after-action report</span></div>
        <div className="topbar-right">
          {token && <Link to={back} className="button small">Back to the console</Link>}
          <button type="button" className="small" onClick={() => setRev((r) => r + 1)}>Refresh</button>
          {(Object.keys(TYPES) as ReportFormat[]).map((f) => (
            <button key={f} type="button" className="small" disabled={!token} onClick={() => download(f)}>Download {TYPES[f].label}</button>
          ))}
        </div>
      </header>
      {downloadError && <p className="result err" role="alert">✗ {downloadError}</p>}
      {!token && (
        <main className="narrow">
          <h1>No access to this report from this tab</h1>
          <p>The report opens in the tab you played or facilitated in.</p>
          <Link to="/" className="button primary">Start page</Link>
        </main>
      )}
      {token && error && (
        <main className="narrow">
          <p className="result err" role="alert">✗ Could not load the report: {error}</p>
        </main>
      )}
      {token && !error && !html && <p className="empty">Building the report…</p>}
      {html && <iframe className="report-frame" title="After-action report" sandbox="allow-scripts" srcDoc={html} />}
    </div>
  );
}
