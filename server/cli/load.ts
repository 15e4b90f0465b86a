// What the CLI commands load: a runnable scenario, or the whole library.
export { resolveScenario as loadRunnable, readLibrary as loadLibraryDir } from '../library/fs.ts';
export type { ResolvedScenario as Runnable } from '../library/fs.ts';
