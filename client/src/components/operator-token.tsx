// Asks for the operator's admin token (what `firedrill serve` prints, or FIREDRILL_ADMIN_TOKEN),
// kept in this tab only. Used by the risk register and the home page's overdue action items.
import { useId, useState, type FormEvent } from 'react';
import { setOperatorToken } from '../lib/operator.ts';

export function OperatorTokenForm({ why, error }: { why: string; error?: string }) {
  const [value, setValue] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) setOperatorToken(value.trim());
  };
  return (
    <form className="operator-form stack" onSubmit={submit} aria-labelledby={`${id}-h`}>
      <p id={`${id}-h`} className="muted small-text">{why}</p>
      <div className="row">
        <label className="grow">
          Operator token
          <input type="password" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} placeholder="FIREDRILL_ADMIN_TOKEN" data-testid="operator-token" />
        </label>
        <button type="submit" className="primary" disabled={!value.trim()}>Unlock</button>
      </div>
      {error && <p className="result err" role="alert">✗ {error}</p>}
      <p className="muted small-text">Kept in this tab only. <code>firedrill serve</code> prints it when it starts.</p>
    </form>
  );
}
