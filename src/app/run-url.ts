/**
 * Keeps the address bar in step with the run. The URL holds the lab's initial config and seed,
 * and after every action the compressed command log (replacing the entry, so history is not
 * spammed): a reload or "Reset lab" after an error loses nothing the learner set. "Copy link"
 * adds the moment to land on.
 *
 * A URL change the page made itself must not restart the session; a change from outside (a link,
 * an experiment, an import, a new seed) must. `useRunKey` tells them apart.
 */
import { useEffect, useRef } from 'react';
import type { RunRecord } from '../worker/protocol';
import type { Session } from './session';

export interface RunKey {
  key: string;
  /** Call before navigating to a URL whose `run` parameter mirrors the live session. */
  noteMirrored(runParam: string | undefined): void;
}

export function useRunKey(
  search: Record<string, unknown>,
  identity: unknown,
  resetCount: number,
): RunKey {
  const mirrored = useRef<string | undefined>(undefined);
  const key = useRef('');
  const runParam = typeof search.run === 'string' ? search.run : undefined;
  const base = JSON.stringify([identity, resetCount]);
  const ours = runParam === mirrored.current && key.current.startsWith(base);
  if (!ours) {
    key.current = `${base}|${runParam ?? ''}|${String(search.t ?? '')}`;
    mirrored.current = runParam;
  }
  return {
    key: key.current,
    noteMirrored(next) {
      mirrored.current = next;
    },
  };
}

/**
 * Whenever the worker's command log changes after the run has loaded, fetches the run and hands
 * it to `write`, which replaces the URL.
 */
export function useMirrorRunToUrl(session: Session | null, write: (run: RunRecord) => void): void {
  const writeRef = useRef(write);
  writeRef.current = write;
  useEffect(() => {
    if (!session) return;
    let loadedVersion: number | null = null;
    let latestAsked = 0;
    return session.store.subscribe((state) => {
      const version = state.frame?.commandLogVersion;
      if (version === undefined) return;
      if (loadedVersion === null) {
        loadedVersion = version;
        return;
      }
      if (version === loadedVersion || version <= latestAsked) return;
      latestAsked = version;
      void session.requestRun().then((run) => {
        if (latestAsked === version) writeRef.current(run);
      });
    });
  }, [session]);
}
