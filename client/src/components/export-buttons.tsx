// "Graduate" a library scenario: download it as an AWS FIS experiment template or a Chaos Toolkit
// experiment (GET /api/scenarios/:id/export). What has no real counterpart is shown, never hidden.
import { useState } from 'react';
import { exportScenario, type Exported } from '../lib/learning-api.ts';
import { errorText } from '../lib/format.ts';
import { saveText } from '../lib/download.ts';

function save(name: string, doc: unknown) {
  saveText(JSON.stringify(doc, null, 2) + '\n', name, 'application/json');
}

export function ExportButtons({ scenarioId }: { scenarioId: string }) {
  const [last, setLast] = useState<Exported>();
  const [error, setError] = useState<string>();
  const run = async (format: 'fis' | 'chaostoolkit') => {
    setError(undefined);
    try {
      const result = await exportScenario(scenarioId, format);
      save(result.filename, result.document);
      setLast(result);
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <details className="export-menu" data-testid="export-menu">
      <summary className="button small" title={`Export library scenario ${scenarioId} to run on real infrastructure`}>Export…</summary>
      <div className="export-pop">
        <p className="small-text muted">Library scenario <code>{scenarioId}</code> as a real chaos experiment. Faults without an AWS counterpart are listed, not dropped.</p>
        <div className="row">
          <button type="button" className="small" onClick={() => void run('fis')} data-testid="export-fis">AWS FIS template</button>
          <button type="button" className="small" onClick={() => void run('chaostoolkit')} data-testid="export-ctk">Chaos Toolkit</button>
        </div>
        {error && <p className="result err" role="alert">✗ {error}</p>}
        {last && (
          <div className="small-text" role="status">
            <p>✓ {last.filename}: {last.mapped.length} fault{last.mapped.length === 1 ? '' : 's'} mapped{last.mapped.length ? ` (${last.mapped.map((m) => `${m.fault} → ${m.action}`).join('; ')})` : ''}.</p>
            <p>{last.unmapped.length} part{last.unmapped.length === 1 ? '' : 's'} not mapped:</p>
            <ul className="unmapped-list">{last.unmapped.map((u, i) => <li key={i}><code>{u.part}</code> {u.kind}: {u.reason}</li>)}</ul>
            {last.placeholders.length > 0 && <p>Fill in: {last.placeholders.join(', ')}</p>}
          </div>
        )}
      </div>
    </details>
  );
}
