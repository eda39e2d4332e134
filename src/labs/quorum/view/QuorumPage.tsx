/**
 * The quorum replication lab page: URL state → run → session, and the lab's stage (cluster and
 * space-time history), controls, metrics with the history checker, and lesson in the shared layout.
 */
import { useEffect, useMemo } from 'react';
import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { LabShell } from '../../../app/ui/LabShell';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import { quorumCommandSchema, quorumConfigSchema, quorumDefaults } from '../config';
import { quorumLesson } from '../lesson';
import type { QuorumCommand } from '../sim/model';
import type { QuorumSnapshot } from '../sim/snapshot';
import { ClusterStage } from './ClusterStage';
import { QuorumControls } from './QuorumControls';
import { QuorumMetrics } from './QuorumMetrics';
import { createQuorumUi, followHistory } from './ui-store';
import './quorum.css';

const LAB_ID = 'quorum';

export default function QuorumPage({ search }: LabPageProps) {
  const lab = useLabRun(LAB_ID, search, quorumConfigSchema, quorumDefaults, quorumCommandSchema);
  const { parsed, session, goToRun } = lab;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new session starts a new UI cache.
  const ui = useMemo(() => createQuorumUi(), [session]);
  useEffect(() => (session ? followHistory(session, ui) : undefined), [session, ui]);

  return (
    <LabShell
      lab={lab}
      labId={LAB_ID}
      title="Quorum replication"
      summary="N replicas, a write quorum W and a read quorum R: cut the network and watch reads go stale, requests fail, and replicas converge again."
      defaults={quorumDefaults}
      configSchema={quorumConfigSchema}
      commandSchema={quorumCommandSchema}
      lesson={quorumLesson}
      shortcuts={[
        { keys: 'Tab to a replica, I', action: 'Cut that replica off (isolate it)' },
        { keys: 'Tab to a replica, G', action: 'Move it to the next partition group' },
        { keys: 'H', action: 'Heal the partition' },
        { keys: 'W / R', action: 'The first client writes / reads the shown key' },
      ]}
      stage={(session, stageRef) => {
        const send = (command: QuorumCommand) => sendCommand(session, command);
        return <ClusterStage session={session} ui={ui} stageRef={stageRef} send={send} />;
      }}
      controls={(session) => {
        const send = (command: QuorumCommand) => sendCommand(session, command);
        return (
          <QuorumControls
            session={session}
            ui={ui}
            send={send}
            onNewConfig={(patch) => goToRun({ ...parsed.config, ...patch }, parsed.seed)}
          />
        );
      }}
      metrics={(session) => <QuorumMetrics session={session} ui={ui} />}
    />
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
  return `${JSON.stringify(snapshot.config)}|${JSON.stringify(snapshot.groups)}|${JSON.stringify(snapshot.slowLink)}`;
}
