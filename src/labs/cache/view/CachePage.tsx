/**
 * The caching lab page: URL state → run → session, and the lab's stage, controls, metrics and
 * lesson inside the shared layout.
 */
import { useCallback, useRef } from 'react';
import type { Experiment } from '../../../app/lesson';
import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { ErrorBoundary } from '../../../app/ui/ErrorBoundary';
import { EventLog } from '../../../app/ui/EventLog';
import { LabLayout } from '../../../app/ui/LabLayout';
import { LessonPanel } from '../../../app/ui/LessonPanel';
import { ShareExport } from '../../../app/ui/ShareExport';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import { cacheCommandSchema, cacheConfigSchema, cacheDefaults } from '../config';
import { cacheLesson } from '../lesson';
import type { CacheCommand, CacheConfig } from '../sim/model';
import type { CacheSnapshot } from '../sim/snapshot';
import { CacheControls } from './CacheControls';
import { CacheMetrics } from './CacheMetrics';
import { CacheStage } from './CacheStage';
import './cache.css';

const LAB_ID = 'cache';

export default function CachePage({ search }: LabPageProps) {
  const lab = useLabRun(LAB_ID, search, cacheConfigSchema, cacheDefaults, cacheCommandSchema);
  const { parsed, session, goToRun, openExperiment } = lab;
  const stageRef = useRef<HTMLElement | null>(null);

  const runExperiment = useCallback(
    (experiment: Experiment<CacheConfig, CacheSnapshot>) => {
      openExperiment({ ...cacheDefaults, ...experiment.config }, experiment.seed ?? parsed.seed, {
        commands: experiment.commands,
        atMs: experiment.atMs,
      });
    },
    [openExperiment, parsed.seed],
  );

  if (!session) return <p className="loading">Starting the simulation…</p>;
  const send = (command: CacheCommand) => sendCommand(session, command);
  return (
    <ErrorBoundary onReset={lab.reset}>
      <LabLayout
        title="Caching"
        summary="A cache in front of a slow database: hit ratios, eviction, expiry, stale data and stampedes."
        session={session}
        seed={parsed.seed}
        notices={lab.notices}
        onDismissNotices={lab.dismissNotices}
        onReset={lab.reset}
        onSeedChange={(seed) => goToRun(parsed.config, seed)}
        share={
          <ShareExport
            session={session}
            labId={LAB_ID}
            stageRef={stageRef}
            linkForRun={lab.linkForRun}
            onImport={(imported) =>
              goToRun(
                imported.config as CacheConfig,
                imported.seed,
                { commands: imported.commands, atMs: imported.atMs },
                false,
              )
            }
            configSchema={cacheConfigSchema}
            commandSchema={cacheCommandSchema}
          />
        }
        stage={
          <CacheStage
            session={session}
            stageRef={(element) => {
              stageRef.current = element;
            }}
            send={send}
          />
        }
        controls={<CacheControls session={session} send={send} />}
        metrics={<CacheMetrics session={session} />}
        eventLog={<EventLog session={session} />}
        lesson={
          <LessonPanel lesson={cacheLesson} session={session} onRunExperiment={runExperiment} />
        }
        labShortcuts={[
          { keys: 'Tab to a slot, Enter', action: '20 reads of that key at once' },
          { keys: 'Tab to a slot, E', action: 'Expire that key now' },
          { keys: 'B', action: '50 reads of the hot key at once' },
          { keys: 'X', action: 'Crash the cache' },
        ]}
      />
    </ErrorBoundary>
  );
}

export function sendCommand(session: Session, command: CacheCommand): void {
  session.send({ type: 'apply', command });
}

function settingsKey(snapshot: CacheSnapshot): string {
  return JSON.stringify(snapshot.settings);
}

/** The snapshot for panels with live figures: at most four renders a second while playing. */
export function useCacheSnapshot(session: Session): CacheSnapshot | null {
  // Commands change figures without moving the clock (a crash, a burst while paused).
  return useSnapshotWhen<CacheSnapshot>(session, (snapshot, frame) =>
    snapshot
      ? `${settingsKey(snapshot)}|${steadyTick(frame)}|${frame?.commandLogVersion ?? 0}`
      : '',
  );
}

/** The snapshot for the controls: re-rendered only when a setting changes. */
export function useCacheSettings(session: Session): CacheSnapshot | null {
  return useSnapshotWhen<CacheSnapshot>(session, (snapshot) =>
    snapshot ? `${settingsKey(snapshot)}|${JSON.stringify(snapshot.keyTtlMs)}` : '',
  );
}
