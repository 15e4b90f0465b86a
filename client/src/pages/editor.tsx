// The scenario editor (/editor): the pre-mortem authoring tool. YAML on the left with problems
// on their lines (checked ~400 ms after typing stops), the problems and branches on the right,
// the timeline under both, and a dry run with three bots. The draft lives in localStorage.
import { useCallback, useEffect, useId, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { ApiError, listScenarios, type Scenario } from '../lib/api.ts';
import { dryRunScenario, previewScenario, scenarioSource, type DryRun, type Preview, type Problem } from '../lib/editor-api.ts';
import { SCENARIO_TEMPLATE, TEMPLATE_ID } from '../lib/editor-template.ts';
import { clock, errorText } from '../lib/format.ts';
import { saveText } from '../lib/download.ts';
import { Link, navigate } from '../lib/router.tsx';
import { takeDraft } from '../lib/premortem.ts';
import { ExportButtons } from '../components/export-buttons.tsx';
import { CodeEditor, type CodeEditorHandle, type LineMarker } from '../components/editor-code.tsx';
import { TimelinePreview } from '../components/editor-timeline.tsx';
import { DryRunResults } from '../components/editor-dry-run.tsx';
import { ConfirmDialog, Panel, Tabs } from '../components/ui.tsx';
import '../styles-editor.css';

const DRAFT_KEY = 'firedrill.editor.draft';
const DEBOUNCE_MS = 400;
const MAX_BYTES = 1024 * 1024;

interface Draft {
  text: string;
  origin: string;
  savedAt: number;
}

function loadDraft(): Draft | undefined {
  try {
    const d = JSON.parse(localStorage.getItem(DRAFT_KEY) ?? 'null') as Draft | null;
    return d && typeof d.text === 'string' ? d : undefined;
  } catch {
    return undefined;
  }
}

function saveDraft(d: Draft): boolean {
  try {
    localStorage.setItem(DRAFT_KEY, JSON.stringify(d));
    return true;
  } catch {
    return false; // storage full or disabled: the page still works, the status line says so
  }
}

/** The id to name the download after: the preview's, else the text's `id:` line. */
function fileId(text: string, preview?: Preview): string {
  const id = preview?.id ?? /^id:[ \t]*['"]?([A-Za-z][A-Za-z0-9_.-]{0,63})/m.exec(text)?.[1] ?? 'scenario';
  return id.replace(/[^A-Za-z0-9_.-]/g, '-');
}

function download(name: string, text: string) {
  saveText(text, name, 'application/yaml');
}

function markersOf(problems: readonly { line: number; message: string; code: string }[], severity: LineMarker['severity'], into = new Map<number, LineMarker>()) {
  for (const p of problems) {
    const m = into.get(p.line) ?? { line: p.line, severity, messages: [] };
    if (severity === 'error') m.severity = 'error';
    m.messages.push(`${p.message} [${p.code}]`);
    into.set(p.line, m);
  }
  return into;
}

type Check =
  | { state: 'checking' }
  | { state: 'done'; preview: Preview; forText: string }
  | { state: 'error'; message: string; retrying: boolean };

type Dry =
  | { state: 'idle' }
  | { state: 'running' }
  | { state: 'done'; result: DryRun; forText: string }
  | { state: 'error'; message: string; problems?: Problem[] };

export function EditorPage() {
  const initial = useMemo(() => loadDraft(), []);
  const [text, setText] = useState(initial?.text ?? SCENARIO_TEMPLATE);
  const [origin, setOrigin] = useState(initial?.origin ?? `template ${TEMPLATE_ID}`);
  const [base, setBase] = useState(initial ? '' : SCENARIO_TEMPLATE);
  const [savedAt, setSavedAt] = useState<number | null>(initial?.savedAt ?? null);
  const [storageOk, setStorageOk] = useState(true);
  const [check, setCheck] = useState<Check>({ state: 'checking' });
  const [lastGood, setLastGood] = useState<Preview>();
  const [dry, setDry] = useState<Dry>({ state: 'idle' });
  const [sideTab, setSideTab] = useState('branches');
  const [cursor, setCursor] = useState({ line: 1, column: 1 });
  const [scenarios, setScenarios] = useState<Scenario[]>();
  const [startFrom, setStartFrom] = useState('template');
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string>();
  const [pending, setPending] = useState<{ text: string; origin: string }>();
  const editor = useRef<CodeEditorHandle>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const ids = useId();

  useEffect(() => {
    listScenarios().then(setScenarios, () => setScenarios([]));
  }, []);

  // Keep the draft: a reload or a closed tab loses nothing.
  useEffect(() => {
    const timer = setTimeout(() => {
      const at = Date.now();
      const ok = saveDraft({ text, origin, savedAt: at });
      setStorageOk(ok);
      if (ok) setSavedAt(at);
    }, 300);
    return () => clearTimeout(timer);
  }, [text, origin]);

  // Live validation, ~400 ms after the last keystroke; an older answer never overwrites a newer one.
  const [retry, setRetry] = useState(0);
  useEffect(() => {
    const ctl = new AbortController();
    setCheck((c) => (c.state === 'done' && c.forText === text ? c : { state: 'checking' }));
    const timer = setTimeout(async () => {
      try {
        const preview = await previewScenario(text, ctl.signal);
        if (ctl.signal.aborted) return;
        setCheck({ state: 'done', preview, forText: text });
        if (preview.timeline) setLastGood(preview);
      } catch (e) {
        if (ctl.signal.aborted || (e as Error).name === 'AbortError') return;
        const limited = e instanceof ApiError && e.status === 429;
        setCheck({ state: 'error', message: limited ? 'Checking paused: too many checks from this address. Retrying in a few seconds…' : `Could not check the scenario: ${errorText(e)}`, retrying: limited || (e instanceof ApiError && e.status === 0) });
        if (limited || (e instanceof ApiError && e.status === 0)) setTimeout(() => !ctl.signal.aborted && setRetry((n) => n + 1), 3000);
      }
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text, retry]);

  const preview = check.state === 'done' ? check.preview : undefined;
  const problems = preview?.problems ?? [];
  const dryCurrent = dry.state === 'done' && dry.forText === text;
  const markers = useMemo(() => {
    const m = markersOf(problems, 'error');
    if (dry.state === 'done' && dryCurrent) markersOf(dry.result.problems, 'warning', m);
    return [...m.values()];
  }, [problems, dry, dryCurrent]);

  const jump = useCallback((line: number, column?: number) => editor.current?.jumpTo(line, column), []);

  const replaceText = (next: string, from: string) => {
    setText(next);
    setBase(next);
    setOrigin(from);
    setDry({ state: 'idle' });
    setLastGood(undefined);
    setPending(undefined);
  };
  const offer = (next: string, from: string) => {
    if (text === base || text === next) replaceText(next, from);
    else setPending({ text: next, origin: from });
  };

  // A draft handed over by the risk register or a debrief lesson (/editor?draft=<key>): offered
  // like any other start (asks first when it would replace unsaved changes), then the URL is cleaned.
  useEffect(() => {
    const key = new URLSearchParams(location.search).get('draft');
    if (!key) return;
    const incoming = takeDraft(key);
    navigate('/editor', true);
    if (incoming) offer(incoming.text, incoming.origin);
    // Once, on arrival.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const loadStart = async () => {
    setLoadError(undefined);
    if (startFrom === 'template') return offer(SCENARIO_TEMPLATE, `template ${TEMPLATE_ID}`);
    setLoading(true);
    try {
      offer(await scenarioSource(startFrom), `library scenario ${startFrom}`);
    } catch (e) {
      setLoadError(`Could not load ${startFrom}: ${errorText(e)}`);
    } finally {
      setLoading(false);
    }
  };

  const openFile = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setLoadError(undefined);
    if (file.size > MAX_BYTES) return setLoadError(`${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MiB; scenario files are at most 1 MiB.`);
    offer(await file.text(), `file ${file.name}`);
  };

  const save = () => download(`${fileId(text, preview)}.scenario.yaml`, text);

  const runDry = async () => {
    setSideTab('dry-run');
    if (preview && problems.length > 0) {
      setDry({ state: 'error', message: `Fix the ${problems.length} problem${problems.length === 1 ? '' : 's'} first: a dry run needs a scenario without problems.`, problems });
      return;
    }
    setDry({ state: 'running' });
    const forText = text;
    try {
      const result = await dryRunScenario(forText);
      setDry({ state: 'done', result, forText });
    } catch (e) {
      const details = e instanceof ApiError && Array.isArray(e.details) ? (e.details as Problem[]) : undefined;
      setDry({ state: 'error', message: errorText(e), problems: details });
    }
  };

  // Ctrl+S downloads, Ctrl+Enter dry-runs (from anywhere on the page).
  const shortcuts = useRef({ save, runDry });
  shortcuts.current = { save, runDry };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (e.key === 's') {
        e.preventDefault();
        shortcuts.current.save();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        void shortcuts.current.runDry();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const shown = preview?.timeline ? preview : lastGood;
  const stalePreview = !!shown && shown !== preview;
  const status =
    check.state === 'checking' ? { cls: 'checking', text: 'Checking…' }
    : check.state === 'error' ? { cls: 'err', text: check.message }
    : problems.length === 0 ? { cls: 'ok', text: `✓ No problems${preview?.duration ? ` · ${preview.id} · ${clock(preview.duration).slice(2)} · workload ${preview.workload?.id ?? '?'}` : ''}` }
    : { cls: 'err', text: `✗ ${problems.length} problem${problems.length === 1 ? '' : 's'} — first on line ${problems[0].line}` };

  return (
    <div className="app editor-page">
      <header className="topbar">
        <Link to="/" className="brand" aria-label="firedrill home"><span className="logo" aria-hidden="true" />firedrill</Link>
        <div className="topbar-title">
          <h1 className="editor-h1">Scenario editor</h1>
          <span className="muted" title={origin}>{preview?.title ?? ''}</span>
        </div>
        <div className="topbar-right editor-actions">
          <form className="start-from" onSubmit={(e) => { e.preventDefault(); void loadStart(); }}>
            <label className="inline">
              Start from
              <select value={startFrom} onChange={(e) => setStartFrom(e.target.value)} data-testid="editor-start-from">
                <option value="template" title={`the built-in template (${TEMPLATE_ID})`}>Template</option>
                {scenarios?.map((s) => <option key={s.id} value={s.id}>{s.id}</option>)}
              </select>
            </label>
            <button type="submit" className="small" disabled={loading}>{loading ? 'Loading…' : 'Load'}</button>
          </form>
          <button type="button" className="small" onClick={() => fileInput.current?.click()}>Open file…</button>
          <input ref={fileInput} type="file" accept=".yaml,.yml,text/yaml,application/yaml" hidden onChange={openFile} />
          <button type="button" className="small" onClick={save} title="Ctrl+S" data-testid="editor-download">Download .yaml</button>
          {preview?.id && scenarios?.some((s) => s.id === preview.id) && <ExportButtons scenarioId={preview.id} />}
          <button type="button" className="primary" onClick={() => void runDry()} disabled={dry.state === 'running'} title="Ctrl+Enter" data-testid="editor-dry-run">
            {dry.state === 'running' ? 'Running 3 bots…' : 'Dry run'}
          </button>
        </div>
      </header>
      {loadError && <p className="result err editor-banner" role="alert">✗ {loadError}</p>}
      <main className="editor-grid">
        <section className="panel editor-main" aria-labelledby={`${ids}-code`}>
          <header className="panel-head">
            <h2 id={`${ids}-code`}>YAML <span className="muted small-text">{fileId(text, preview)}.scenario.yaml</span></h2>
            <p id={`${ids}-check`} className={`check-status ${status.cls}`} role="status" aria-live="polite" data-testid="editor-status">{status.text}</p>
          </header>
          <CodeEditor
            value={text}
            onChange={setText}
            markers={markers}
            label="Scenario YAML"
            describedBy={`${ids}-check ${ids}-help`}
            handleRef={editor}
            onCursor={(line, column) => setCursor({ line, column })}
          />
          <footer className="editor-foot">
            <span>Ln {cursor.line}, Col {cursor.column}</span>
            <span id={`${ids}-help`} className="muted">Tab indents while you type · Esc then Tab leaves · Ctrl+S downloads · Ctrl+Enter dry-runs</span>
            <span className="muted grow-right" data-testid="editor-draft">
              {storageOk ? (savedAt ? `Draft saved in this browser ${new Date(savedAt).toLocaleTimeString()}` : '') : 'Draft not saved: browser storage is unavailable'} · from {origin}
            </span>
          </footer>
        </section>

        <aside className="editor-side">
          <Panel title={<>Problems <span className={`count ${problems.length ? 'bad' : ''}`}>{problems.length}</span></>} className="problems-panel">
            {check.state === 'error' && <p className="result err" role="alert">{check.message}</p>}
            {preview && problems.length === 0 && <p className="result ok" data-testid="editor-no-problems">✓ The scenario is valid. Try a dry run to see whether it can be scored.</p>}
            {problems.length > 0 && (
              <ul className="problem-list" data-testid="editor-problems">
                {problems.map((p, i) => (
                  <li key={i}>
                    <button type="button" className="problem" onClick={() => jump(p.line, p.column)} data-line={p.line} data-code={p.code} data-field={p.field}>
                      <span className="where">Line {p.line}:{p.column}</span>
                      {p.field && <code className="field">{p.field}</code>}
                      <span className="msg">{p.message}</span>
                      <span className="code">{p.code}</span>
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </Panel>
          <section className="panel side-tabs-panel" aria-label="Branches and dry run">
            <Tabs
              label="Branches and dry run"
              active={sideTab}
              onChange={setSideTab}
              tabs={[
                {
                  id: 'branches',
                  label: <>Branches <span className="count">{shown?.branches?.length ?? 0}</span></>,
                  content: () => <Branches preview={shown} stale={stalePreview} onJump={jump} />,
                },
                {
                  id: 'dry-run',
                  label: 'Dry run',
                  content: () => <DryRunPanel dry={dry} current={dryCurrent} onJump={jump} onRun={() => void runDry()} />,
                },
              ]}
            />
          </section>
        </aside>

        <section className="panel editor-timeline" aria-labelledby={`${ids}-tl`}>
          <header className="panel-head">
            <h2 id={`${ids}-tl`}>
              Timeline
              {shown?.duration ? <span className="muted small-text">T+0 → {clock(shown.duration)} · {shown.timeline?.length ?? 0} steps · click a marker to go to its line</span> : null}
            </h2>
            {stalePreview && <span className="pill pending">from the last valid version</span>}
          </header>
          <div className="panel-body" data-testid="editor-timeline">
            {shown?.timeline && shown.duration ? (
              <TimelinePreview duration={shown.duration} items={shown.timeline} branches={shown.branches ?? []} stale={stalePreview} onJump={jump} />
            ) : (
              <p className="empty">{check.state === 'checking' ? 'Checking…' : 'The timeline appears once the file has a valid shape.'}</p>
            )}
          </div>
        </section>
      </main>
      <ConfirmDialog
        open={!!pending}
        title="Replace the text in the editor?"
        confirmLabel="Replace"
        onConfirm={() => pending && replaceText(pending.text, pending.origin)}
        onCancel={() => setPending(undefined)}
      >
        <p>Your changes are only in this browser's draft. Download them first if you want to keep them; this loads the {pending?.origin}.</p>
        <p><button type="button" onClick={save}>Download the current text</button></p>
      </ConfirmDialog>
    </div>
  );
}

function Branches({ preview, stale, onJump }: { preview?: Preview; stale: boolean; onJump: (line: number) => void }) {
  const branches = preview?.branches;
  if (!branches) return <p className="empty">The branches appear once the file has a valid shape.</p>;
  if (!branches.length) return <p className="empty">No branches: the scenario does not react to the team.</p>;
  return (
    <ul className={`branch-list${stale ? ' stale' : ''}`} data-testid="editor-branches">
      {branches.map((b) => (
        <li key={b.id} className={b.trap ? 'trap' : undefined}>
          <div className="branch-head">
            <button type="button" className="link" onClick={() => onJump(b.line)} aria-label={`Branch ${b.id}, line ${b.line}`}>{b.id}</button>
            {b.trap && <span className="pill firing">trap</span>}
            {b.ends && <span className="pill pending">ends the run</span>}
            <span className="muted small-text">line {b.line}</span>
          </div>
          <p className="trigger">{b.trigger}{b.delay ? `, then after ${clock(b.delay).slice(2)}` : ''}:</p>
          <ul className="consequences">
            {b.consequences.map((c, i) => <li key={i}>{c}</li>)}
          </ul>
        </li>
      ))}
    </ul>
  );
}

function DryRunPanel({ dry, current, onJump, onRun }: { dry: Dry; current: boolean; onJump: (line: number) => void; onRun: () => void }) {
  if (dry.state === 'idle') {
    return (
      <div className="dry-intro">
        <p>A dry run plays the scenario three times — with a <strong>perfect</strong> bot that knows the answer, a <strong>naive</strong> one and an <strong>idle</strong> one — and scores each run. A scenario is scoreable when the perfect bot resolves it with at least 90 and doing nothing scores at most 20.</p>
        <button type="button" className="primary" onClick={onRun}>Dry run</button>
      </div>
    );
  }
  if (dry.state === 'running') return <p className="checking" role="status" aria-busy="true">Running the perfect, naive and idle bots…</p>;
  if (dry.state === 'error') {
    return (
      <div role="alert" data-testid="dry-run-error">
        <p className="result err">✗ {dry.message}</p>
        {dry.problems && dry.problems.length > 0 && (
          <ul className="problem-list compact">
            {dry.problems.slice(0, 5).map((p, i) => (
              <li key={i}><button type="button" className="problem" onClick={() => onJump(p.line)}><span className="where">Line {p.line}</span><span className="msg">{p.message}</span></button></li>
            ))}
          </ul>
        )}
      </div>
    );
  }
  return <DryRunResults result={dry.result} stale={!current} onJump={onJump} />;
}
