import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { LabShell } from '../../../app/ui/LabShell';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import { hashRingCommandSchema, hashRingConfigSchema, hashRingDefaults } from '../config';
import { hashRingLesson } from '../lesson';
import type { HashRingCommand } from '../sim/model';
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

  return (
    <LabShell
      lab={lab}
      labId={LAB_ID}
      title="Consistent hashing"
      summary="Keys and servers share one hash ring; a key belongs to the next server clockwise."
      defaults={hashRingDefaults}
      configSchema={hashRingConfigSchema}
      commandSchema={hashRingCommandSchema}
      lesson={hashRingLesson}
      shortcuts={[
        { keys: 'Tab to a server, Delete', action: 'Remove that server' },
        { keys: 'Tab to a server, F', action: 'Fail or recover that server' },
        { keys: 'A', action: 'Add a server' },
      ]}
      stage={(session, stageRef) => (
        <RingStage
          session={session}
          stageRef={stageRef}
          send={(command) => sendCommand(session, command)}
        />
      )}
      controls={(session) => (
        <HashRingControls session={session} send={(command) => sendCommand(session, command)} />
      )}
      metrics={(session) => <HashRingMetrics session={session} />}
    />
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
