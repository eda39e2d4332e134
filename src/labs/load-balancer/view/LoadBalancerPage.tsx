/**
 * The load-balancing lab page: URL state → run → session, and the lab's stage, controls, metrics
 * and lesson inside the shared layout.
 */
import { useState } from 'react';
import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { LabShell } from '../../../app/ui/LabShell';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import {
  loadBalancerCommandSchema,
  loadBalancerConfigSchema,
  loadBalancerDefaults,
} from '../config';
import { loadBalancerLesson } from '../lesson';
import type { LoadBalancerCommand } from '../sim/model';
import type { LoadBalancerSnapshot } from '../sim/snapshot';
import '../load-balancer.css';
import { BalancerStage } from './BalancerStage';
import { LoadBalancerControls } from './LoadBalancerControls';
import { LoadBalancerMetrics } from './LoadBalancerMetrics';

const LAB_ID = 'load-balancer';

export default function LoadBalancerPage({ search }: LabPageProps) {
  const lab = useLabRun(
    LAB_ID,
    search,
    loadBalancerConfigSchema,
    loadBalancerDefaults,
    loadBalancerCommandSchema,
  );
  const { parsed, goToRun } = lab;
  const [laneIndex, setLaneIndex] = useState(0);

  return (
    <LabShell
      lab={lab}
      labId={LAB_ID}
      title="Load balancing"
      summary="Clients → a load balancer → a pool of servers. Pick the algorithm, break servers, and watch latency, errors and sessions."
      defaults={loadBalancerDefaults}
      configSchema={loadBalancerConfigSchema}
      commandSchema={loadBalancerCommandSchema}
      lesson={loadBalancerLesson}
      shortcuts={[
        { keys: 'Tab to a server, Delete', action: 'Drain and remove that server' },
        { keys: 'Tab to a server, K', action: 'Crash or recover that server' },
        { keys: 'Tab to a server, S', action: 'Make that server slow (8×) or normal' },
        { keys: 'Tab to a server, F', action: 'Start or stop flapping' },
        { keys: 'A', action: 'Add a server' },
        { keys: 'B', action: 'Send a burst of 200 requests' },
      ]}
      stage={(session, stageRef) => {
        const send = (command: LoadBalancerCommand) => sendCommand(session, command);
        return (
          <BalancerStage
            session={session}
            laneIndex={laneIndex}
            onLaneChange={setLaneIndex}
            stageRef={stageRef}
            send={send}
          />
        );
      }}
      controls={(session) => {
        const send = (command: LoadBalancerCommand) => sendCommand(session, command);
        return (
          <LoadBalancerControls
            session={session}
            send={send}
            compare={parsed.config.compare}
            onCompare={(compare) => {
              setLaneIndex(0);
              goToRun({ ...parsed.config, compare }, parsed.seed, undefined, false);
            }}
          />
        );
      }}
      metrics={(session) => <LoadBalancerMetrics session={session} laneIndex={laneIndex} />}
    />
  );
}

export function sendCommand(session: Session, command: LoadBalancerCommand): void {
  session.send({ type: 'apply', command });
}

function settingsKey(snapshot: LoadBalancerSnapshot): string {
  const servers = snapshot.servers
    .map(
      (s) =>
        `${s.id}:${s.weight}:${s.concurrency}:${s.serviceMs}:${s.latencyMs}:${s.queueLimit}:${s.slowness}:${s.pool}:${s.crashed}:${s.flapping}:${s.removing}:${s.health}`,
    )
    .join(',');
  // Ejections belong to each balancer; the server status shown beside the controls reads them.
  const lanes = snapshot.lanes
    .map((l) => `${l.algorithm}:${l.servers.map((s) => (s.ejected ? 1 : 0)).join('')}`)
    .join(',');
  return `${servers}|${lanes}|${JSON.stringify(snapshot.config)}`;
}

/** For the controls: re-rendered only when a setting, a server or the algorithms change. */
export function useBalancerSettings(session: Session): LoadBalancerSnapshot | null {
  return useSnapshotWhen<LoadBalancerSnapshot>(session, (snapshot) =>
    snapshot ? settingsKey(snapshot) : '',
  );
}

/** For panels with live figures: settings changes, and at most four times a second while playing. */
export function useBalancerSnapshot(session: Session): LoadBalancerSnapshot | null {
  return useSnapshotWhen<LoadBalancerSnapshot>(session, (snapshot, frame) =>
    snapshot ? `${settingsKey(snapshot)}|${steadyTick(frame)}` : '',
  );
}
