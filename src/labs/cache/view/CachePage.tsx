import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { LabShell } from '../../../app/ui/LabShell';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import { cacheCommandSchema, cacheConfigSchema, cacheDefaults } from '../config';
import { cacheLesson } from '../lesson';
import type { CacheCommand } from '../sim/model';
import type { CacheSnapshot } from '../sim/snapshot';
import { CacheControls } from './CacheControls';
import { CacheMetrics } from './CacheMetrics';
import { CacheStage } from './CacheStage';
import './cache.css';

const LAB_ID = 'cache';

export default function CachePage({ search }: LabPageProps) {
  const lab = useLabRun(LAB_ID, search, cacheConfigSchema, cacheDefaults, cacheCommandSchema);

  return (
    <LabShell
      lab={lab}
      labId={LAB_ID}
      title="Caching"
      summary="A cache in front of a slow database: hit ratios, eviction, expiry, stale data and stampedes."
      defaults={cacheDefaults}
      configSchema={cacheConfigSchema}
      commandSchema={cacheCommandSchema}
      lesson={cacheLesson}
      shortcuts={[
        { keys: 'Tab to a slot, Enter', action: '20 reads of that key at once' },
        { keys: 'Tab to a slot, E', action: 'Expire that key now' },
        { keys: 'B', action: '50 reads of the hot key at once' },
        { keys: 'X', action: 'Crash the cache' },
      ]}
      stage={(session, stageRef) => {
        const send = (command: CacheCommand) => sendCommand(session, command);
        return <CacheStage session={session} stageRef={stageRef} send={send} />;
      }}
      controls={(session) => {
        const send = (command: CacheCommand) => sendCommand(session, command);
        return <CacheControls session={session} send={send} />;
      }}
      metrics={(session) => <CacheMetrics session={session} />}
    />
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
