/**
 * The quorum replication lab page: URL state → run → session, and the lab's stage (cluster and
 * space-time history), controls, metrics with the history checker, and lesson in the shared layout.
 */
import { useCallback, useEffect, useMemo, useRef } from 'react';
import type { Experiment } from '../../../app/lesson';
import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { ErrorBoundary } from '../../../app/ui/ErrorBoundary';
import { EventLog } from '../../../app/ui/EventLog';
import { LabLayout } from '../../../app/ui/LabLayout';
import { LessonPanel } from '../../../app/ui/LessonPanel';
import { ShareExport } from '../../../app/ui/ShareExport';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import { quorumCommandSchema, quorumConfigSchema, quorumDefaults } from '../config';
import { quorumLesson } from '../lesson';
import type { QuorumCommand, QuorumConfig } from '../sim/model';
import type { QuorumSnapshot } from '../sim/snapshot';
import { ClusterStage } from './ClusterStage';
import { QuorumControls } from './QuorumControls';
import { QuorumMetrics } from './QuorumMetrics';
import { createQuorumUi, followHistory } from './ui-store';
import './quorum.css';

const LAB_ID = 'quorum';

export default function QuorumPage({ search }: LabPageProps) {
  const lab = useLabRun(LAB_ID, search, quorumConfigSchema, quorumDefaults, quorumCommandSchema);
  const { parsed, session, goToRun, openExperiment } = lab;
  const stageRef = useRef<HTMLElement | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new session starts a new UI cache.
  const ui = useMemo(() => createQuorumUi(), [session]);
  useEffect(() => (session ? followHistory(session, ui) : undefined), [session, ui]);

  const runExperiment = useCallback(
    (experiment: Experiment<QuorumConfig, QuorumSnapshot>) => {
      openExperiment({ ...quorumDefaults, ...experiment.config }, experiment.seed ?? parsed.seed, {
        commands: experiment.commands,
        atMs: experiment.atMs,
      });
    },
    [openExperiment, parsed.seed],
  );

  if (!session) return <p className="loading">Starting the simulation…</p>;
  const send = (command: QuorumCommand) => sendCommand(session, command);
  return (
    <ErrorBoundary onReset={lab.reset}>
      <LabLayout
        title="Quorum replication"
        summary="N replicas, a write quorum W and a read quorum R: cut the network and watch reads go stale, requests fail, and replicas converge again."
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
                imported.config as QuorumConfig,
                imported.seed,
                { commands: imported.commands, atMs: imported.atMs },
                false,
              )
            }
            configSchema={quorumConfigSchema}
            commandSchema={quorumCommandSchema}
          />
        }
        stage={
          <ClusterStage
            session={session}
            ui={ui}
            stageRef={(element) => {
              stageRef.current = element;
            }}
            send={send}
          />
        }
        controls={
          <QuorumControls
            session={session}
            ui={ui}
            send={send}
            onNewConfig={(patch) => goToRun({ ...parsed.config, ...patch }, parsed.seed)}
          />
        }
        metrics={<QuorumMetrics session={session} ui={ui} />}
        eventLog={<EventLog session={session} />}
        lesson={
          <LessonPanel lesson={quorumLesson} session={session} onRunExperiment={runExperiment} />
        }
        labShortcuts={[
          { keys: 'Tab to a replica, I', action: 'Cut that replica off (isolate it)' },
          { keys: 'Tab to a replica, G', action: 'Move it to the next partition group' },
          { keys: 'H', action: 'Heal the partition' },
          { keys: 'W / R', action: 'The first client writes / reads the shown key' },
        ]}
      />
    </ErrorBoundary>
  );
}

export function sendCommand(session: Session, command: QuorumCommand): void {
  session.send({ type: 'apply', command });
}

/** Panels with live figures: re-rendered on setting changes and at most four times a second. */
export function useQuorumSnapshot(session: Session): QuorumSnapshot | null {
  return useSnapshotWhen<QuorumSnapshot>(session, (snapshot, frame) =>
    snapshot ? `${settingsKey(snapshot)}|${steadyTick(frame)}` : '',
  );
}

/** The controls: re-rendered only when a setting or the partition changes. */
export function useQuorumSettings(session: Session): QuorumSnapshot | null {
  return useSnapshotWhen<QuorumSnapshot>(session, (snapshot) =>
    snapshot ? settingsKey(snapshot) : '',
  );
}

function settingsKey(snapshot: QuorumSnapshot): string {
  return `${JSON.stringify(snapshot.config)}|${JSON.stringify(snapshot.groups)}|${JSON.stringify(snapshot.slowLink)}|${snapshot.clients.map((c) => c.busy ?? '-').join('')}`;
}
