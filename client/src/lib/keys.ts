// Idempotency keys: every action and command carries a fresh one; a retry of the same message
// reuses it, so the server acts once however often socket.io delivers it.
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/** 21 random characters of `[A-Za-z0-9_-]` (the protocol's IdempotencyKey pattern). */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(21));
  let key = '';
  for (const b of bytes) key += ALPHABET[b & 63];
  return key;
}
