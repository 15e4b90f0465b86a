// The start page's line about "my practice": the streak and the drills played, with a link to /practice.
import { Link } from '../lib/router.tsx';
import { usePracticeHistory, streakText } from '../pages/practice.tsx';

export function MyPracticeSummary({ name }: { name: string }) {
  const { history, error } = usePracticeHistory(name);
  const n = history?.drills.length ?? 0;
  return (
    <p className="practice-card-foot" data-testid="my-practice-summary">
      <strong>My practice</strong>{' '}
      {error ? <span className="muted">(not available: {error})</span> : !history ? <span className="muted">…</span> : n === 0 ? (
        <span className="muted">no finished drill yet — your streak starts with the first one.</span>
      ) : (
        <span>
          {n} drill{n === 1 ? '' : 's'} · streak {streakText(history.streak.current)} (longest {streakText(history.streak.longest)}) · best {history.best}/100
        </span>
      )}{' '}
      · <Link to="/practice">See my practice</Link>
    </p>
  );
}
