// The operator's strip on the start page: overdue action items of every game day (the learning
// loop: the next game day starts by checking them) and the way to the risk register. Needs the
// operator's admin token, asked for here and kept in this tab.
import { useEffect, useState } from 'react';
import { ApiError } from '../lib/api.ts';
import { overdueActionItems, type OverdueItems } from '../lib/learning-api.ts';
import { setOperatorToken, useOperatorToken } from '../lib/operator.ts';
import { errorText } from '../lib/format.ts';
import { Link } from '../lib/router.tsx';
import { OperatorTokenForm } from './operator-token.tsx';
import '../pages/risks.css';

function daysLate(due: string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${due}T00:00:00Z`)) / 86_400_000);
}

export function OperatorHome() {
  const token = useOperatorToken();
  const [data, setData] = useState<OverdueItems>();
  const [error, setError] = useState<string>();
  const [open, setOpen] = useState(false);

  useEffect(() => {
    if (!token) return;
    overdueActionItems(token).then(
      (d) => {
        setData(d);
        setError(undefined);
      },
      (e: unknown) => {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) setOperatorToken('');
        setError(errorText(e));
      },
    );
  }, [token]);

  return (
    <section className="card big-card operator-home" aria-labelledby="operator-home-h" data-testid="operator-home">
      <h2 id="operator-home-h">Between game days</h2>
      <p className="muted">
        The <Link to="/risks">risk register</Link>: what could fail, how bad, how sure you are you would see it — and which of the top risks you have never rehearsed.
      </p>
      {!token ? (
        open ? (
          <OperatorTokenForm why="Overdue action items of every game day and the risk register open with the operator's admin token." error={error} />
        ) : (
          <p><button type="button" className="small" onClick={() => setOpen(true)}>Show overdue action items (operator)</button></p>
        )
      ) : (
        <>
          {error && <p className="result err" role="alert">✗ {error}</p>}
          {data && data.actionItems.length === 0 && <p className="result ok">✓ No overdue action items.</p>}
          {data && data.actionItems.length > 0 && (
            <>
              <h3 className="small-text">Overdue action items <span className="count bad">{data.actionItems.length}</span></h3>
              <ul className="overdue-list" data-testid="overdue-items">
                {data.actionItems.map((a) => (
                  <li key={a.id}>
                    <strong>{a.title}</strong> — {a.owner}
                    <span className="muted small-text"> · due {a.dueDate} ({daysLate(a.dueDate!, data.today)} days late) · {a.status} · from {a.session.title}</span>
                    {a.link && <> · <a href={a.link} target="_blank" rel="noreferrer">ticket</a></>}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
