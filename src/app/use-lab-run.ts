/**
 * Everything a lab page does with its run, in one hook: parse and validate the URL, start the
 * worker session, keep the URL in step with the command log, and go to new runs (a seed, an
 * experiment, an imported file, a reset).
 */
import { useNavigate } from '@tanstack/react-router';
import { useCallback, useMemo, useState } from 'react';
import type * as z from 'zod/mini';
import type { LoggedCommand, RunRecord } from '../worker/protocol';
import { readViewOptions, type ViewOptions, viewSearch } from './embed';
import { useMirrorRunToUrl, useRunKey } from './run-url';
import { type Session, useLabSession } from './session';
import { type ParsedSearch, parseLabSearch, searchForRun } from './url-state';

export interface LabRun<Config> {
  parsed: ParsedSearch<Config>;
  /** How the page is shown (embedded, autoplay); kept across the page's own navigations. */
  view: ViewOptions;
  session: Session | null;
  notices: string[];
  dismissNotices(): void;
  /** Starts a new run; `replace` keeps the browser history clean for small changes. */
  goToRun(
    config: Config,
    seed: number,
    share?: { commands: LoggedCommand[]; atMs: number },
    replace?: boolean,
  ): void;
  /** A fresh run with the same config and seed (drops the command log). */
  reset(): void;
  /** Opens an experiment's run in a new session, even when the URL does not change. */
  openExperiment(
    config: Config,
    seed: number,
    share: { commands: LoggedCommand[]; atMs: number },
  ): void;
  linkForRun(run: RunRecord): string;
}

function queryOf(search: Record<string, string | number>): string {
  return new URLSearchParams(Object.entries(search).map(([k, v]) => [k, String(v)])).toString();
}

export function useLabRun<Shape extends z.core.$ZodShape>(
  labId: string,
  search: Record<string, unknown>,
  schema: z.ZodMiniObject<Shape>,
  defaults: z.infer<z.ZodMiniObject<Shape>>,
  commandSchema: z.ZodMiniType<unknown>,
): LabRun<z.infer<z.ZodMiniObject<Shape>>> {
  type Config = z.infer<z.ZodMiniObject<Shape>>;
  const navigate = useNavigate();
  const searchKey = JSON.stringify(search);
  // biome-ignore lint/correctness/useExhaustiveDependencies: searchKey stands for search.
  const parsed = useMemo(
    () => parseLabSearch(schema, defaults, search, commandSchema),
    [searchKey],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: searchKey stands for search.
  const view = useMemo(() => readViewOptions(search), [searchKey]);
  const [resetCount, setResetCount] = useState(0);
  const [dismissedFor, setDismissedFor] = useState<string | null>(null);
  const runKey = useRunKey(search, [parsed.config, parsed.seed], resetCount);
  const run: RunRecord = useMemo(
    () => ({
      labId,
      seed: parsed.seed,
      config: parsed.config,
      commands: parsed.commands,
      atMs: parsed.atMs,
    }),
    [labId, parsed],
  );
  const session = useLabSession(run, runKey.key);

  const navigateTo = useCallback(
    (next: Record<string, string | number>, replace: boolean) => {
      void navigate({
        to: '/labs/$labId',
        params: { labId },
        search: { ...next, ...viewSearch(view.options) },
        replace,
      });
    },
    [navigate, labId, view.options],
  );

  const goToRun = useCallback(
    (
      config: Config,
      seed: number,
      share?: { commands: LoggedCommand[]; atMs: number },
      replace = true,
    ) => {
      navigateTo(searchForRun({ ...config }, seed, share), replace);
    },
    [navigateTo],
  );

  useMirrorRunToUrl(session, (live) => {
    const next = searchForRun({ ...(live.config as Config) }, live.seed, {
      commands: live.commands,
      atMs: 0,
    });
    runKey.noteMirrored(typeof next.run === 'string' ? next.run : undefined);
    navigateTo(next, true);
  });

  const reset = useCallback(() => {
    if (typeof search.run === 'string') goToRun(parsed.config, parsed.seed);
    else setResetCount((n) => n + 1);
  }, [search.run, goToRun, parsed.config, parsed.seed]);

  const openExperiment = useCallback(
    (config: Config, seed: number, share: { commands: LoggedCommand[]; atMs: number }) => {
      setResetCount((n) => n + 1);
      goToRun(config, seed, share, false);
    },
    [goToRun],
  );

  const linkForRun = useCallback(
    (shared: RunRecord) => {
      const query = queryOf(
        searchForRun({ ...(shared.config as Config) }, shared.seed, {
          commands: shared.commands,
          atMs: shared.atMs,
        }),
      );
      return `${window.location.href.split('#')[0]}#/labs/${labId}?${query}`;
    },
    [labId],
  );

  return {
    parsed,
    view: view.options,
    session,
    notices: dismissedFor === searchKey ? [] : [...parsed.notices, ...view.notices],
    dismissNotices: () => setDismissedFor(searchKey),
    goToRun,
    reset,
    openExperiment,
    linkForRun,
  };
}
