/**
 * The leader-election lab page: URL state → run → session, and the lab's stage, controls,
 * metrics and lesson inside the shared layout.
 */
import { useCallback, useState } from 'react';
import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { LabShell } from '../../../app/ui/LabShell';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import {
  leaderElectionCommandSchema,
  leaderElectionConfigSchema,
  leaderElectionDefaults,
} from '../config';
import { leaderElectionLesson } from '../lesson';
import type { LeaderElectionCommand, LeaderElectionConfig } from '../sim/model';
import type { LeaderElectionSnapshot } from '../sim/snapshot';
import { ElectionControls } from './ElectionControls';
import { ElectionMetrics } from './ElectionMetrics';
import { ElectionStage } from './ElectionStage';
import './leader-election.css';

const LAB_ID = 'leader-election';

export default function LeaderElectionPage({ search }: LabPageProps) {
  const lab = useLabRun(
    LAB_ID,
    search,
    leaderElectionConfigSchema,
    leaderElectionDefaults,
    leaderElectionCommandSchema,
  );
  const { parsed, goToRun } = lab;
  const [selected, setSelected] = useState<number | null>(null);

  const changeConfig = useCallback(
    (patch: Partial<LeaderElectionConfig>) => {
      setSelected(null);
      goToRun({ ...parsed.config, ...patch }, parsed.seed);
    },
    [goToRun, parsed.config, parsed.seed],
  );

  return (
    <LabShell
      lab={lab}
      labId={LAB_ID}
      title="Leader election"
      summary="Nodes agree on one leader by passing messages: LCR round a ring, Hirschberg–Sinclair both ways, and Bully with timeouts that survive crashes."
      defaults={leaderElectionDefaults}
      configSchema={leaderElectionConfigSchema}
      commandSchema={leaderElectionCommandSchema}
      lesson={leaderElectionLesson}
      shortcuts={[
        { keys: 'Tab to a node, C', action: 'Crash that node (Bully: or recover it)' },
        { keys: 'Tab to a node, Enter', action: 'Show what that node has seen' },
        { keys: 'R', action: 'Restart the election on the same UIDs' },
      ]}
      stage={(session, stageRef) => {
        const send = (command: LeaderElectionCommand) => sendCommand(session, command);
        return (
          <ElectionStage
            session={session}
            mode={parsed.config.mode}
            selected={selected}
            onSelect={setSelected}
            onMode={(mode) => changeConfig({ mode })}
            stageRef={stageRef}
            send={send}
          />
        );
      }}
      controls={(session) => {
        const send = (command: LeaderElectionCommand) => sendCommand(session, command);
        return (
          <ElectionControls
            session={session}
            config={parsed.config}
            selected={selected}
            onSelect={setSelected}
            onConfig={changeConfig}
            send={send}
          />
        );
      }}
      metrics={(session) => <ElectionMetrics session={session} />}
    />
  );
}

export function sendCommand(session: Session, command: LeaderElectionCommand): void {
  session.send({ type: 'apply', command });
}

/**
 * The node table and controls: re-rendered when a run's status or the UIDs change, else at most
 * four times a second while playing (exact when paused). Counts and node states change with
 * almost every message, which on a 64-node ring is every frame.
 */
export function useElectionSnapshot(session: Session): LeaderElectionSnapshot | null {
  return useSnapshotWhen<LeaderElectionSnapshot>(session, (snapshot, frame) =>
    snapshot ? `${statusKey(snapshot)}|${steadyTick(frame)}` : '',
  );
}

/** The counters: the same rhythm, so the figures read steadily and land exactly at each status. */
export function useElectionCounts(session: Session): LeaderElectionSnapshot | null {
  return useSnapshotWhen<LeaderElectionSnapshot>(session, (snapshot, frame) =>
    snapshot ? `${statusKey(snapshot)}|${steadyTick(frame)}` : '',
  );
}

/** What changes rarely: the election, the runs' statuses and leaders, the UIDs. */
function statusKey(snapshot: LeaderElectionSnapshot): string {
  const ring = (run: LeaderElectionSnapshot['lcr']) =>
    run ? `${run.status}:${run.leaderIndex}` : '-';
  const bully = snapshot.bully
    ? `${snapshot.bully.leaderIndex}:${snapshot.bully.settled}:${snapshot.bully.nodes.map((n) => n.state[0]).join('')}`
    : '-';
  return `${snapshot.electionNumber}|${ring(snapshot.lcr)}|${ring(snapshot.hs)}|${bully}|${snapshot.uids.join(',')}`;
}
