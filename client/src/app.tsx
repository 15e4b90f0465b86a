// Routes: / (home), /team/:id, /facilitate/:id, /debrief/:id, /editor.
import { useEffect } from 'react';
import { match, useLocation, Link } from './lib/router.tsx';
import { HomePage } from './pages/home.tsx';
import { TeamPage } from './pages/team.tsx';
import { FacilitatorPage } from './pages/facilitator.tsx';
import { DebriefPage } from './pages/debrief.tsx';
import { EditorPage } from './pages/editor.tsx';
import { ProgrammePage } from './pages/programme.tsx';
import { PracticePage } from './pages/practice.tsx';
import { RisksPage } from './pages/risks.tsx';
import { HistoryPage } from './pages/history.tsx';

const TITLES: Record<string, string> = { team: 'Team console', facilitate: 'Facilitator console', debrief: 'Debrief', editor: 'Scenario editor', risks: 'Risk register', history: 'History and trends', programme: 'Programme', practice: 'My practice' };

export function App() {
  const { path } = useLocation();
  const section = path.split('/')[1] ?? '';
  useEffect(() => {
    document.title = TITLES[section] ? `${TITLES[section]} · firedrill` : 'firedrill';
  }, [section]);
  let m: Record<string, string> | null;
  if (path === '/' || path === '') return <HomePage />;
  if (path === '/editor') return <EditorPage />;
  if (path === '/programme') return <ProgrammePage />;
  if (path === '/practice') return <PracticePage />;
  if (path === '/risks') return <RisksPage />;
  if (path === '/history') return <HistoryPage />;
  if ((m = match('/team/:id', path))) return <TeamPage key={m.id} id={m.id} />;
  if ((m = match('/facilitate/:id', path))) return <FacilitatorPage key={m.id} id={m.id} />;
  if ((m = match('/debrief/:id', path))) return <DebriefPage key={m.id} id={m.id} />;
  return (
    <main className="narrow">
      <h1>Page not found</h1>
      <p><Link to="/" className="button primary">Go to the start page</Link></p>
    </main>
  );
}
