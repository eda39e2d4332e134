/**
 * The webhooks-vs-polling lab page: URL state → run → session, and the lab's stage, controls,
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
import { webhooksCommandSchema, webhooksConfigSchema, webhooksDefaults } from '../config';
import { webhooksLesson } from '../lesson';
import type { WebhooksConfig } from '../sim/constants';
import type { WebhooksCommand } from '../sim/model';
import type { WebhooksSnapshot } from '../sim/snapshot';
import './webhooks.css';
import { TimelineStage } from './TimelineStage';
import { WebhooksControls } from './WebhooksControls';
import { WebhooksMetrics } from './WebhooksMetrics';

const LAB_ID = 'webhooks';

export default function WebhooksPage({ search }: LabPageProps) {
  const lab = useLabRun(
    LAB_ID,
    search,
    webhooksConfigSchema,
    webhooksDefaults,
    webhooksCommandSchema,
  );
  const { parsed, session, goToRun, openExperiment } = lab;
  const stageRef = useRef<HTMLElement | null>(null);

  const runExperiment = useCallback(
    (experiment: Experiment<WebhooksConfig, WebhooksSnapshot>) => {
      openExperiment(
        { ...webhooksDefaults, ...experiment.config },
        experiment.seed ?? parsed.seed,
        { commands: experiment.commands, atMs: experiment.atMs },
      );
    },
    [openExperiment, parsed.seed],
  );

  if (!session) return <p className="loading">Starting the simulation…</p>;
  const send = (command: WebhooksCommand) => sendCommand(session, command);
  return (
    <ErrorBoundary onReset={lab.reset}>
      <LabLayout
        title="Webhooks vs polling"
        summary="Keep asking, hold the line, or let the shop call you: four ways to learn that the pizza is ready."
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
                imported.config as WebhooksConfig,
                imported.seed,
                { commands: imported.commands, atMs: imported.atMs },
                false,
              )
            }
            configSchema={webhooksConfigSchema}
            commandSchema={webhooksCommandSchema}
          />
        }
        stage={
          <TimelineStage
            session={session}
            stageRef={(element) => {
              stageRef.current = element;
            }}
            send={send}
          />
        }
        controls={<WebhooksControls session={session} send={send} />}
        metrics={<WebhooksMetrics session={session} />}
        eventLog={<EventLog session={session} />}
        lesson={
          <LessonPanel lesson={webhooksLesson} session={session} onRunExperiment={runExperiment} />
        }
        labShortcuts={[
          { keys: 'P', action: 'Pizza ready! (fire one event)' },
          { keys: 'D', action: 'Take the consumer down, or bring it back' },
          {
            keys: 'Tab to an event marker, Enter',
            action: 'Show how long each lane took to learn of it',
          },
        ]}
      />
    </ErrorBoundary>
  );
}

export function sendCommand(session: Session, command: WebhooksCommand): void {
  session.send({ type: 'apply', command });
}

/** The snapshot for panels with figures: at most four renders a second while playing. */
export function useWebhooksSnapshot(session: Session): WebhooksSnapshot | null {
  return useSnapshotWhen<WebhooksSnapshot>(session, (snapshot, frame) =>
    snapshot ? `${settingsKey(snapshot)}|${steadyTick(frame)}` : '',
  );
}

/** The snapshot for the controls: re-rendered only when a setting or a fault changes. */
export function useWebhooksSettings(session: Session): WebhooksSnapshot | null {
  return useSnapshotWhen<WebhooksSnapshot>(session, (snapshot) =>
    snapshot ? settingsKey(snapshot) : '',
  );
}

function settingsKey(snapshot: WebhooksSnapshot): string {
  return `${JSON.stringify(snapshot.config)}|${snapshot.consumerDown}|${snapshot.producerUp}|${snapshot.receiversDown}|${snapshot.webhook.receivers}|${snapshot.webhook.dlqTotal}|${snapshot.webhook.dlq.length}`;
}
