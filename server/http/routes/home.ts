// GET / until the web client exists: one self-contained page (no external assets, no script) that
// says what firedrill is, lists the scenarios, and shows how to start a game day with curl and
// join it with socket.io. Every value from the library or the request is escaped.
import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../engine/duration.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and quoted attributes. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export async function homeRoutes(app: FastifyInstance): Promise<void> {
  // The built web client (server/http/static.ts), when registered first, owns `/`.
  if (app.hasRoute({ method: 'GET', url: '/' })) return;
  app.get('/', { schema: { hide: true } }, async (req, reply) => {
    // The Host header is the client's own; it only ever comes back to that client, escaped.
    const host = /^[A-Za-z0-9.:[\]-]{1,255}$/.test(req.host) ? req.host : 'localhost:3000';
    const base = `${req.protocol}://${host}`;
    reply.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    reply.header('x-content-type-options', 'nosniff');
    return reply.type('text/html; charset=utf-8').send(homePage(app, base));
  });
}

function homePage(app: FastifyInstance, base: string): string {
  const { library } = app.firedrill;
  const scenarios = [...library.scenarios.values()].map((e) => e.spec).sort((a, b) => a.id.localeCompare(b.id));
  const first = scenarios[0]?.id ?? 'friday-deploy';
  const rows = scenarios
    .map(
      (s) =>
        `<tr><td><code>${escapeHtml(s.id)}</code></td><td><strong>${escapeHtml(s.title)}</strong><br><small>${escapeHtml(s.summary)}</small></td>` +
        `<td>${escapeHtml(s.difficulty)}</td><td>${escapeHtml(`${Math.round(parseDuration(s.duration) / 60)} min`)}</td><td><code>${escapeHtml(s.workload)}</code></td></tr>`,
    )
    .join('\n');
  const curl = `curl -s -X POST ${base}/api/sessions \\
  -H 'content-type: application/json' \\
  -d '{"scenario":"${first}","teams":["blue","red"],"speed":2}'
# → {"id":"…","joinCode":"…","facilitatorToken":"…"}

curl -s ${base}/api/sessions/ID -H 'authorization: Bearer FACILITATOR_TOKEN'`;
  const socket = `import { io } from 'socket.io-client';

// The facilitator: start the game day.
const facilitator = io('${base}', { auth: { token: 'FACILITATOR_TOKEN' } });
facilitator.emit('command', { key: crypto.randomUUID(), command: 'start' }, console.log);

// A responder: join a team with the join code.
const me = io('${base}', { auth: { code: 'JOINCODE', team: 'blue', name: 'Ana' } });
me.on('welcome', (w) => console.log('joined', w.sessionId, 'as', w.you));
me.on('event', (e) => {
  if (e.type === 'alert.firing') {
    me.emit('action', { key: crypto.randomUUID(), action: { action: 'acknowledge', alert: e.alert } }, console.log);
  }
});`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>firedrill</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d232a}
h1{margin-bottom:0}h1+p{margin-top:.25rem;color:#555}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
pre{background:#f4f5f7;padding:1rem;overflow-x:auto;border-radius:4px}code{font-family:ui-monospace,monospace;font-size:.9em}
small{color:#555}
</style>
</head>
<body>
<h1>firedrill</h1>
<p>Game days and incident-response drills, with scenarios as code.</p>
<p>A facilitator picks a scenario; the server runs it against a simulated production system and injects faults; teams watch dashboards, alerts and logs and respond in real time — acknowledge, declare, escalate, follow runbooks, mitigate, communicate. At the end everyone gets an after-action report with a timeline and a score for detection, escalation, runbook use, mitigation and communication.</p>
<p><a href="/docs">API reference (OpenAPI)</a> · <a href="/docs/json">OpenAPI JSON</a> · <a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a> · <a href="/metrics">/metrics</a>. The real-time protocol is described in <code>docs/protocol.md</code>.</p>
<h2>Scenarios</h2>
<table>
<thead><tr><th>id</th><th>scenario</th><th>difficulty</th><th>duration</th><th>workload</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="5">The library is empty.</td></tr>'}
</tbody>
</table>
<h2>Start a game day</h2>
<pre><code>${escapeHtml(curl)}</code></pre>
<h2>Join it over socket.io</h2>
<pre><code>${escapeHtml(socket)}</code></pre>
</body>
</html>
`;
}
