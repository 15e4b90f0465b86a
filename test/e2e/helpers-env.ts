// Where things are and which browser runs the e2e tests (no imports beyond node: the global setup
// loads this before any test).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLIENT_DIST = join(REPO, 'client/dist');
/** The screenshots the guides show (committed). */
export const SHOTS = join(REPO, 'test/e2e/screenshots');
/**
 * Where the browser tests write screenshots: `.artifacts/screenshots/` (not committed) so that
 * `npm test` leaves the work tree clean; `FIREDRILL_SCREENSHOTS=update npm test` writes over the
 * committed ones instead, to refresh the guides' pictures.
 */
export const SHOTS_OUT = process.env.FIREDRILL_SCREENSHOTS === 'update' ? SHOTS : join(REPO, '.artifacts/screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const VIEWPORT = { width: 1366, height: 768 };
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
export const SKIP_REASON = `no Chromium at ${CHROMIUM} — install it (apt-get install -y chromium; .ci/run does) or set CHROMIUM=/path/to/chromium`;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why the global setup could not build the web client ('' when it could): e2e tests fail with it. */
    clientBuildError: string;
  }
}
