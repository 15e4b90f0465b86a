// `firedrill demo` (what `npm start` runs until the server lands): one headless game day of the
// walkthrough's scenario, played by a scripted team, printed as a timeline.
import { join } from 'node:path';
import { runCommand } from './run.ts';
import type { Io } from './io.ts';
import { LIBRARY_DIR } from '../cli.ts';

export async function demoCommand(args: string[], io: Io): Promise<number> {
  const scenario = args[0] ?? 'friday-deploy';
  io.stdout.write(
    `firedrill demo: a headless game day of "${scenario}", played by a scripted team\n` +
      `(responses from scenarios/examples/${scenario}.responses.yaml). Simulated time runs as fast as the machine allows.\n\n`,
  );
  const code = await runCommand([scenario, '--seed', '1', '--responses', join(LIBRARY_DIR, 'examples', `${scenario}.responses.yaml`)], io);
  if (code === 0) {
    io.stdout.write(
      `\nNext: list the library with \`npx firedrill scenarios\`, run one with \`npx firedrill run <id>\`,\n` +
        `or write your own scenario (docs/scenario-format.md) and check it with \`npx firedrill validate <file>\`.\n`,
    );
  }
  return code;
}
