/**
 * The rate-limiting lab page: URL state → run → session, and the lab's stage, controls, metrics
 * and lesson inside the shared layout.
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
import { rateLimiterCommandSchema, rateLimiterConfigSchema, rateLimiterDefaults } from '../config';
import { rateLimiterLesson } from '../lesson';
import type { RateLimiterCommand, RateLimiterConfig } from '../sim/model';
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
  const { parsed, session, goToRun, openExperiment } = lab;
  const stageRef = useRef<HTMLElement | null>(null);

  const runExperiment = useCallback(
    (experiment: Experiment<RateLimiterConfig, RateLimiterSnapshot>) => {
      openExperiment(
        { ...rateLimiterDefaults, ...experiment.config },
        experiment.seed ?? parsed.seed,
        { commands: experiment.commands, atMs: experiment.atMs },
      );
    },
    [openExperiment, parsed.seed],
  );

  if (!session) return <p className="loading">Starting the simulation…</p>;
  const send = (command: RateLimiterCommand) => sendCommand(session, command);
  return (
    <ErrorBoundary onReset={lab.reset}>
      <LabLayout
        title="Rate limiting"
        summary="Each request is a dot: it passes to the API, waits in a queue, or bounces back with 429 Too Many Requests."
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
                imported.config as RateLimiterConfig,
                imported.seed,
                { commands: imported.commands, atMs: imported.atMs },
                false,
              )
            }
            configSchema={rateLimiterConfigSchema}
            commandSchema={rateLimiterCommandSchema}
          />
        }
        stage={
          <RateLimiterStage
            session={session}
            stageRef={(element) => {
              stageRef.current = element;
            }}
            send={send}
          />
        }
        controls={<RateLimiterControls session={session} send={send} />}
        metrics={<RateLimiterMetrics session={session} />}
        eventLog={<EventLog session={session} />}
        lesson={
          <LessonPanel
            lesson={rateLimiterLesson}
            session={session}
            onRunExperiment={runExperiment}
          />
        }
        labShortcuts={[
          { keys: 'B', action: 'Fire a burst' },
          { keys: 'Tab to a response, Enter', action: 'Show its status and headers' },
        ]}
      />
    </ErrorBoundary>
  );
}

export function sendCommand(session: Session, command: RateLimiterCommand): void {
  session.send({ type: 'apply', command });
}

/** Panels with live figures: re-rendered on setting changes and a few times a second. */
export function useRateLimiterSnapshot(session: Session): RateLimiterSnapshot | null {
  return useSnapshotWhen<RateLimiterSnapshot>(session, (snapshot, frame) =>
    snapshot
      ? `${snapshot.settingsVersion}|${snapshot.selected?.request.id ?? ''}|${snapshot.selected?.request.status ?? ''}|${frame?.commandLogVersion ?? ''}|${steadyTick(frame)}`
      : '',
  );
}

/** The controls: re-rendered only when a setting changes. */
export function useRateLimiterSettings(session: Session): RateLimiterSnapshot | null {
  return useSnapshotWhen<RateLimiterSnapshot>(session, (snapshot) =>
    snapshot ? snapshot.settingsVersion : '',
  );
}
