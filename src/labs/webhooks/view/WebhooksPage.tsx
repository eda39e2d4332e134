import { type Session, steadyTick, useSnapshotWhen } from '../../../app/session';
import { LabShell } from '../../../app/ui/LabShell';
import { useLabRun } from '../../../app/use-lab-run';
import type { LabPageProps } from '../../registry';
import { webhooksCommandSchema, webhooksConfigSchema, webhooksDefaults } from '../config';
import { webhooksLesson } from '../lesson';
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

  return (
    <LabShell
      lab={lab}
      labId={LAB_ID}
      title="Webhooks vs polling"
      summary="Keep asking, hold the line, or let the shop call you: four ways to learn that the pizza is ready."
      defaults={webhooksDefaults}
      configSchema={webhooksConfigSchema}
      commandSchema={webhooksCommandSchema}
      lesson={webhooksLesson}
      shortcuts={[
        { keys: 'P', action: 'Pizza ready! (fire one event)' },
        { keys: 'D', action: 'Take the consumer down, or bring it back' },
        {
          keys: 'Tab to an event marker, Enter',
          action: 'Show how long each lane took to learn of it',
        },
      ]}
      stage={(session, stageRef) => {
        const send = (command: WebhooksCommand) => sendCommand(session, command);
        return <TimelineStage session={session} stageRef={stageRef} send={send} />;
      }}
      controls={(session) => {
        const send = (command: WebhooksCommand) => sendCommand(session, command);
        return <WebhooksControls session={session} send={send} />;
      }}
      metrics={(session) => <WebhooksMetrics session={session} />}
    />
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
