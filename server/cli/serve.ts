// `firedrill serve`: the live server (what `npm start` runs).
import { parseArgs } from 'node:util';
import closeWithGrace from 'close-with-grace';
import { defaultServeOptions, startServer } from '../serve.ts';
import { isPostgresUrl, redactDatabaseUrl } from '../store/postgres.ts';
import type { Io } from './io.ts';
import { LIBRARY_DIR } from '../cli.ts';

export async function serveCommand(args: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, library: { type: 'string' }, origins: { type: 'string' }, 'database-url': { type: 'string' } },
    }));
  } catch (err) {
    io.stderr.write(`firedrill serve: ${(err as Error).message}\n`);
    return 2;
  }
  const options = defaultServeOptions(values.library ?? LIBRARY_DIR);
  if (values.port !== undefined) options.port = Number(values.port);
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    io.stderr.write(`firedrill serve: --port (or PORT) must be a port number, got "${values.port ?? process.env.PORT}"\n`);
    return 2;
  }
  if (values.host) options.host = values.host;
  if (values.data) options.dataDir = values.data;
  if (values['database-url']) options.databaseUrl = values['database-url'];
  if (values.origins) options.allowedOrigins = values.origins.split(',').map((s) => s.trim()).filter(Boolean);
  const generatedAdmin = !process.env.FIREDRILL_ADMIN_TOKEN;
  let running;
  try {
    running = await startServer(options);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    io.stderr.write(`firedrill serve: ${e.code === 'EADDRINUSE' ? `port ${options.port} is already in use (set PORT or --port)` : e.message}\n`);
    return 1;
  }
  io.stderr.write(
    `\nfiredrill is running at ${running.url}\n` +
      `  API docs      ${running.url}/docs\n` +
      `  health        ${running.url}/healthz · ${running.url}/readyz · ${running.url}/metrics\n` +
      (isPostgresUrl(options.databaseUrl) ? `  database      ${redactDatabaseUrl(options.databaseUrl)}\n` : `  data          ${options.dataDir}\n`) +
      (generatedAdmin ? `  admin token   ${options.adminToken}  (for /api/admin/*; set FIREDRILL_ADMIN_TOKEN to choose one)\n` : '') +
      `Stop with Ctrl-C: running game days are paused and kept.\n\n`,
  );
  await new Promise<void>((resolve) => {
    closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
      if (err) running.app.log.error({ err }, 'shutting down after an error');
      else running.app.log.info({ signal }, 'shutting down');
      await running.close(signal ? `the server is shutting down (${signal})` : 'the server is shutting down');
      resolve();
    });
  });
  return 0;
}
