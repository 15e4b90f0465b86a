// The operator's admin token in this tab (sessionStorage, like the facilitator's key): it opens
// the risk register and the overdue action items of every game day. Never sent anywhere but to
// this server, in `Authorization: Bearer`.
import { useSyncExternalStore } from 'react';

const KEY = 'firedrill.operator-token';
const listeners = new Set<() => void>();

function read(): string {
  try {
    return sessionStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

export function operatorToken(): string {
  return read();
}

export function setOperatorToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(KEY, token);
    else sessionStorage.removeItem(KEY);
  } catch {
    /* storage unavailable: the token lives only until the page changes */
  }
  listeners.forEach((fn) => fn());
}

export function useOperatorToken(): string {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    read,
  );
}
