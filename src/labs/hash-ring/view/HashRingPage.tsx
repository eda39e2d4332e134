/**
 * The consistent-hashing lab page: URL state → run → session, and the lab's stage, controls,
 * metrics and lesson inside the shared layout.
 */
import { useNavigate } from '@tanstack/react-router';
import { useCallback, useMemo, useRef, useState } from 'react';
import type { Experiment } from '../../../app/lesson';
import { type Session, useLabSession, useSession } from '../../../app/session';
import { ErrorBoundary } from '../../../app/ui/ErrorBoundary';
import { EventLog } from '../../../app/ui/EventLog';
import { LabLayout } from '../../../app/ui/LabLayout';
import { LessonPanel } from '../../../app/ui/LessonPanel';
import { ShareExport } from '../../../app/ui/ShareExport';
import { parseLabSearch, searchForRun } from '../../../app/url-state';
import type { RunRecord } from '../../../worker/protocol';
import type { LabPageProps } from '../../registry';
import { hashRingCommandSchema, hashRingConfigSchema, hashRingDefaults } from '../config';
import { hashRingLesson } from '../lesson';
import type { HashRingCommand, HashRingConfig } from '../sim/model';
import type { HashRingSnapshot } from '../sim/snapshot';
import { HashRingControls } from './HashRingControls';
import { HashRingMetrics } from './HashRingMetrics';
import { RingStage } from './RingStage';

const LAB_ID = 'hash-ring';

export default function HashRingPage({ search }: LabPageProps) {
  const navigate = useNavigate();
  const searchKey = JSON.stringify(search);
  // biome-ignore lint/correctness/useExhaustiveDependencies: searchKey stands for search.
  const parsed = useMemo(
    () => parseLabSearch(hashRingConfigSchema, hashRingDefaults, search, hashRingCommandSchema),
    [searchKey],
  );
  const [resetCount, setResetCount] = useState(0);
  const [dismissedFor, setDismissedFor] = useState<string | null>(null);
  const run: RunRecord = useMemo(
    () => ({
      labId: LAB_ID,
      seed: parsed.seed,
      config: parsed.config,
      commands: parsed.commands,
      atMs: parsed.atMs,
    }),
    [parsed],
  );
  const session = useLabSession(run, `${searchKey}#${resetCount}`);
  const stageRef = useRef<HTMLElement | null>(null);

  const goToRun = useCallback(
    (
      config: HashRingConfig,
      seed: number,
      share?: { commands: RunRecord['commands']; atMs: number },
      replace = true,
    ) => {
      void navigate({
        to: '/labs/$labId',
        params: { labId: LAB_ID },
        search: searchForRun({ ...config }, seed, share),
        replace,
      });
    },
    [navigate],
  );

  const linkForRun = useCallback((shared: RunRecord) => {
    const search = searchForRun({ ...(shared.config as HashRingConfig) }, shared.seed, {
      commands: shared.commands,
      atMs: shared.atMs,
    });
    const query = new URLSearchParams(
      Object.entries(search).map(([key, value]) => [key, String(value)]),
    ).toString();
    return `${window.location.href.split('#')[0]}#/labs/${LAB_ID}?${query}`;
  }, []);

  const runExperiment = useCallback(
    (experiment: Experiment<HashRingConfig, HashRingSnapshot>) => {
      goToRun(
        { ...hashRingDefaults, ...experiment.config },
        experiment.seed ?? parsed.seed,
        { commands: experiment.commands, atMs: experiment.atMs },
        false,
      );
    },
    [goToRun, parsed.seed],
  );

  if (!session) return <p className="loading">Starting the simulation…</p>;
  const notices = dismissedFor === searchKey ? [] : parsed.notices;
  return (
    <ErrorBoundary onReset={() => setResetCount((n) => n + 1)}>
      <LabLayout
        title="Consistent hashing"
        summary="Keys and servers share one hash ring; a key belongs to the next server clockwise."
        session={session}
        seed={parsed.seed}
        notices={notices}
        onDismissNotices={() => setDismissedFor(searchKey)}
        onReset={() => setResetCount((n) => n + 1)}
        onSeedChange={(seed) => goToRun(parsed.config, seed)}
        share={
          <ShareExport
            session={session}
            labId={LAB_ID}
            stageRef={stageRef}
            linkForRun={linkForRun}
            onImport={(imported) =>
              goToRun(
                imported.config as HashRingConfig,
                imported.seed,
                { commands: imported.commands, atMs: imported.atMs },
                false,
              )
            }
            configSchema={hashRingConfigSchema}
            commandSchema={hashRingCommandSchema}
          />
        }
        stage={
          <RingStage
            session={session}
            stageRef={(element) => {
              stageRef.current = element;
            }}
            send={(command) => sendCommand(session, command)}
          />
        }
        controls={
          <HashRingControls session={session} send={(command) => sendCommand(session, command)} />
        }
        metrics={<HashRingMetrics session={session} />}
        eventLog={<EventLog session={session} />}
        lesson={
          <LessonPanel lesson={hashRingLesson} session={session} onRunExperiment={runExperiment} />
        }
        labShortcuts={[
          { keys: 'Tab to a server, Delete', action: 'Remove that server' },
          { keys: 'Tab to a server, F', action: 'Fail or recover that server' },
          { keys: 'A', action: 'Add a server' },
        ]}
      />
    </ErrorBoundary>
  );
}

export function sendCommand(session: Session, command: HashRingCommand): void {
  session.send({ type: 'apply', command });
}

export function useHashRingSnapshot(session: Session): HashRingSnapshot | null {
  return useSession(session, (s) => s.snapshot) as HashRingSnapshot | null;
}
