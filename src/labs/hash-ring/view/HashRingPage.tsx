/**
 * The consistent-hashing lab page: URL state → run → session, and the lab's stage, controls,
 * metrics and lesson inside the shared layout.
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
import { hashRingCommandSchema, hashRingConfigSchema, hashRingDefaults } from '../config';
import { hashRingLesson } from '../lesson';
import type { HashRingCommand, HashRingConfig } from '../sim/model';
import type { HashRingSnapshot } from '../sim/snapshot';
import { HashRingControls } from './HashRingControls';
import { HashRingMetrics } from './HashRingMetrics';
import { RingStage } from './RingStage';

const LAB_ID = 'hash-ring';

export default function HashRingPage({ search }: LabPageProps) {
  const lab = useLabRun(
    LAB_ID,
    search,
    hashRingConfigSchema,
    hashRingDefaults,
    hashRingCommandSchema,
  );
  const { parsed, session, goToRun, openExperiment } = lab;
  const stageRef = useRef<HTMLElement | null>(null);

  const runExperiment = useCallback(
    (experiment: Experiment<HashRingConfig, HashRingSnapshot>) => {
      openExperiment(
        { ...hashRingDefaults, ...experiment.config },
        experiment.seed ?? parsed.seed,
        {
          commands: experiment.commands,
          atMs: experiment.atMs,
        },
      );
    },
    [openExperiment, parsed.seed],
  );

  if (!session) return <p className="loading">Starting the simulation…</p>;
  return (
    <ErrorBoundary onReset={lab.reset}>
      <LabLayout
        title="Consistent hashing"
        summary="Keys and servers share one hash ring; a key belongs to the next server clockwise."
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

/**
 * The snapshot for panels that show settings and per-server figures: re-rendered when the ring,
 * keys, lookup or config change, and otherwise at most four times a second while playing.
 */
export function useHashRingSnapshot(session: Session): HashRingSnapshot | null {
  return useSnapshotWhen<HashRingSnapshot>(session, (snapshot, frame) =>
    snapshot ? `${settingsKey(snapshot)}|${steadyTick(frame)}` : '',
  );
}

/** The snapshot for the controls: re-rendered only when a setting, the ring or the keys change. */
export function useHashRingSettings(session: Session): HashRingSnapshot | null {
  return useSnapshotWhen<HashRingSnapshot>(session, (snapshot) =>
    snapshot ? settingsKey(snapshot) : '',
  );
}

function settingsKey(snapshot: HashRingSnapshot): string {
  return `${snapshot.versions.ring}|${snapshot.versions.keys}|${snapshot.lookup?.key ?? ''}|${JSON.stringify(snapshot.config)}|${snapshot.lastChange?.atMs ?? ''}`;
}
