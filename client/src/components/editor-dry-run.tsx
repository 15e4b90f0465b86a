// The scenario editor's dry run: the perfect, naive and idle bots' scores side by side, the
// verdict (scoreable or why not), and for each run where its points went.
import type { DryRun, PolicyRun } from '../lib/editor-api.ts';
import { clock, ms } from '../lib/format.ts';

const POLICY_TEXT: Record<string, string> = {
  perfect: 'knows the answer and does everything the expectations ask',
  naive: 'reacts late to the loudest alert: restarts, scales out, pages everyone',
  idle: 'does nothing',
};

const OUTCOME_CLASS: Record<string, string> = { resolved: 'ok', unresolved: 'pending', halted: 'firing' };

function ScoreBar({ value }: { value: number }) {
  const tone = value >= 90 ? 'good' : value >= 40 ? 'mid' : 'low';
  return (
    <span className="dr-bar" aria-hidden="true">
      <span className={`dr-fill ${tone}`} style={{ width: `${Math.max(0, Math.min(100, value))}%` }} />
    </span>
  );
}

function RunDetails({ run }: { run: PolicyRun }) {
  return (
    <details className="dr-details">
      <summary><strong>{run.policy}</strong>: where the points went</summary>
      <ul className="dr-dims">
        {Object.entries(run.dimensions).map(([d, v]) => (
          <li key={d}><span>{d}</span><ScoreBar value={v} /><span className="dr-num">{v}</span></li>
        ))}
      </ul>
      {run.findings.length > 0 ? (
        <ol className="dr-findings">
          {run.findings.map((f, i) => (
            <li key={i}><span className="dr-cost">−{f.cost}</span> <span className="muted">{f.dimension}</span> {f.text}</li>
          ))}
        </ol>
      ) : <p className="empty">Nothing lost.</p>}
    </details>
  );
}

export function DryRunResults({ result, stale, onJump }: { result: DryRun; stale: boolean; onJump: (line: number) => void }) {
  const [perfect, , idle] = result.runs;
  return (
    <div className={`dry-run${stale ? ' stale' : ''}`} data-testid="dry-run-results">
      {stale && <p className="result err" role="status">The text changed since this dry run: run it again.</p>}
      {result.scoreable ? (
        <p className="verdict ok" data-testid="dry-run-verdict">
          ✓ Scoreable — perfect {perfect?.total} (needs ≥ 90), idle {idle?.total} (needs ≤ 20)
        </p>
      ) : (
        <div className="verdict bad" data-testid="dry-run-verdict">
          <strong>✗ Not scoreable:</strong>
          <ul>
            {result.problems.map((p, i) => (
              <li key={i}>
                {p.message} <span className="code">[{p.code}]</span>{' '}
                <button type="button" className="link" onClick={() => onJump(p.line)}>line {p.line}</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <table className="dr-table">
        <caption className="sr-only">Dry run of {result.id}: score, outcome, time to mitigate, traps and hints per bot</caption>
        <thead>
          <tr><th scope="col">Bot</th><th scope="col">Score</th><th scope="col">Outcome</th><th scope="col">TTM</th><th scope="col">Traps</th><th scope="col">Hints</th></tr>
        </thead>
        <tbody>
          {result.runs.map((r) => (
            <tr key={r.policy} data-policy={r.policy}>
              <th scope="row" title={POLICY_TEXT[r.policy]}>{r.policy}</th>
              <td className="dr-score"><span className="dr-num">{r.total}</span><ScoreBar value={r.total} /></td>
              <td><span className={`pill ${OUTCOME_CLASS[r.outcome ?? ''] ?? 'muted'}`}>{r.outcome ?? '—'}</span></td>
              <td>{r.ttmSeconds === null ? '—' : clock(r.ttmSeconds).slice(2)}</td>
              <td className={r.trapsSprung ? 'bad' : undefined}>{r.trapsSprung}</td>
              <td>{r.hints}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small-text">One team, seed 1, {clock(result.duration).slice(2)} of simulated time per run; three runs in {ms(result.ms)}. Perfect {POLICY_TEXT.perfect}; naive {POLICY_TEXT.naive}; idle {POLICY_TEXT.idle}.</p>
      {result.runs.map((r) => <RunDetails key={r.policy} run={r} />)}
    </div>
  );
}
