// WAL checkpoints of the SQLite store, on a thread of their own (server/store/sqlite.ts starts it
// once a store has committed a few groups of appends). A checkpoint copies the write-ahead log
// into the database file and syncs it to disk; SQLite's automatic one runs inside whichever commit
// crosses 1,000 pages, so a live game day's event loop stalled on it for 20–100 ms at a time.
// Here a second connection checkpoints PASSIVE every `intervalMs`: it never waits for, nor
// blocks, the writer. Plain JavaScript, so that it needs no loader.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, intervalMs } = workerData;
// Background work: on Linux this lowers the priority of this thread only, so that on a busy core
// the event loop goes first and the checkpoint takes the gaps.
try {
  setPriority(0, 10);
} catch {
  // not permitted or not supported: run at the process's priority
}
const db = new Database(path, { fileMustExist: true });
db.pragma('busy_timeout = 5000');

function checkpoint() {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ checkpointed: row.checkpointed, log: row.log });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message ? err.message : err) });
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
