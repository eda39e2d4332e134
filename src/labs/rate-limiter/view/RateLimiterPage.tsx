import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { LabShell } from '../../../app/ui/LabShell';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import { rateLimiterCommandSchema, rateLimiterConfigSchema, rateLimiterDefaults } from '../config';
import { rateLimiterLesson } from '../lesson';
import type { RateLimiterCommand } from '../sim/model';
import type { RateLimiterSnapshot } from '../sim/snapshot';
import { RateLimiterControls } from './RateLimiterControls';
import { RateLimiterMetrics } from './RateLimiterMetrics';
import { RateLimiterStage } from './RateLimiterStage';
import './rate-limiter.css';

const LAB_ID = 'rate-limiter';

export default function RateLimiterPage({ search }: LabPageProps) {
  const lab = useLabRun(
    LAB_ID,
    search,
    rateLimiterConfigSchema,
    rateLimiterDefaults,
    rateLimiterCommandSchema,
  );

  return (
    <LabShell
      lab={lab}
      labId={LAB_ID}
      title="Rate limiting"
      summary="Each request is a dot: it passes to the API, waits in a queue, or bounces back with 429 Too Many Requests."
      defaults={rateLimiterDefaults}
      configSchema={rateLimiterConfigSchema}
      commandSchema={rateLimiterCommandSchema}
      lesson={rateLimiterLesson}
      shortcuts={[
        { keys: 'B', action: 'Fire a burst' },
        { keys: 'Tab to a response, Enter', action: 'Show its status and headers' },
      ]}
      stage={(session, stageRef) => {
        const send = (command: RateLimiterCommand) => sendCommand(session, command);
        return <RateLimiterStage session={session} stageRef={stageRef} send={send} />;
      }}
      controls={(session) => {
        const send = (command: RateLimiterCommand) => sendCommand(session, command);
        return <RateLimiterControls session={session} send={send} />;
      }}
      metrics={(session) => <RateLimiterMetrics session={session} />}
    />
  );
}

export function sendCommand(session: Session, command: RateLimiterCommand): void {
  session.send({ type: 'apply', command });
}

/**
 * Panels with live figures: re-rendered on setting changes, a selection, and a few times a second
 * while playing (`slow`: once a second, for the charts and the list of responses, whose redraws
 * cost the most and which nobody can read or click faster); exact whenever the run is paused.
 */
export function useRateLimiterSnapshot(
  session: Session,
  pace: 'steady' | 'slow' = 'steady',
): RateLimiterSnapshot | null {
  return useSnapshotWhen<RateLimiterSnapshot>(session, (snapshot, frame) =>
    snapshot
      ? `${snapshot.settingsVersion}|${snapshot.selected?.request.id ?? ''}|${snapshot.selected?.request.status ?? ''}|${frame?.commandLogVersion ?? ''}|${pace === 'slow' ? slowTick(frame) : steadyTick(frame)}`
      : '',
  );
}

/** Like `steadyTick`, once a second while playing. */
function slowTick(frame: Parameters<typeof steadyTick>[0]): string {
  if (!frame) return '';
  if (!frame.playing) return steadyTick(frame);
  return `slow ${Math.floor(performance.now() / 1000)}`;
}

/** The controls: re-rendered only when a setting changes. */
export function useRateLimiterSettings(session: Session): RateLimiterSnapshot | null {
  return useSnapshotWhen<RateLimiterSnapshot>(session, (snapshot) =>
    snapshot ? snapshot.settingsVersion : '',
  );
}
