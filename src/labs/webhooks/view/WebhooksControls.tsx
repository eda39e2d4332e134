/** The webhooks lab's controls: the shop, polling, webhook delivery, the network and faults. */
import { useEffect, useState } from 'react';
import type { Session } from '../../../app/session';
import { NumberField } from '../../../app/ui/NumberField';
import {
  BACKOFF_BASE_MS_MAX,
  BACKOFF_BASE_MS_MIN,
  BACKOFF_CAP_MS_MAX,
  BACKOFF_FACTOR_MAX,
  EVENTS_PER_MINUTE_MAX,
  EXTRA_RECEIVERS_MAX,
  FAULT_PERCENT_MAX,
  HOLD_TIMEOUT_MS_MAX,
  HOLD_TIMEOUT_MS_MIN,
  JITTER_KINDS,
  type JitterKind,
  LATENCY_MS_MAX,
  LATENCY_MS_MIN,
  MAX_ATTEMPTS_MAX,
  OUTAGE_MS_MAX,
  OUTAGE_MS_MIN,
  POLL_INTERVAL_MS_MAX,
  POLL_INTERVAL_MS_MIN,
  PROCESSING_MS_MAX,
  WEBHOOK_TIMEOUT_MS_MAX,
  WEBHOOK_TIMEOUT_MS_MIN,
  type WebhooksConfig,
} from '../sim/constants';
import type { WebhooksCommand } from '../sim/model';
import { useWebhooksSettings } from './WebhooksPage';

const JITTER_LABELS: Record<JitterKind, string> = {
  none: 'None (lockstep)',
  full: 'Full: random(0, d)',
  equal: 'Equal: d/2 + random(0, d/2)',
  decorrelated: 'Decorrelated: random(base, 3 × last)',
};

function webhookSettings(config: WebhooksConfig) {
  return {
    webhookTimeoutMs: config.webhookTimeoutMs,
    maxAttempts: config.maxAttempts,
    backoffBaseMs: config.backoffBaseMs,
    backoffFactor: config.backoffFactor,
    backoffCapMs: config.backoffCapMs,
    jitter: config.jitter,
    processingMs: config.processingMs,
  };
}

function networkSettings(config: WebhooksConfig) {
  return {
    latencyMs: config.latencyMs,
    dropPercent: config.dropPercent,
    duplicatePercent: config.duplicatePercent,
  };
}

export function WebhooksControls({
  session,
  send,
}: {
  session: Session;
  send: (command: WebhooksCommand) => void;
}) {
  const snapshot = useWebhooksSettings(session);
  const [outageMs, setOutageMs] = useState(20_000);
  const consumerDown = snapshot?.consumerDown ?? false;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'p' || event.key === 'P') send({ type: 'fireEvent' });
      if (event.key === 'd' || event.key === 'D')
        send({ type: 'setConsumerDown', down: !consumerDown });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send, consumerDown]);
  if (!snapshot) return null;
  const config = snapshot.config;
  return (
    <div className="controls">
      <section className="panel" aria-labelledby="wh-faults-title">
        <h2 id="wh-faults-title">Faults</h2>
        <div className="wh-buttons">
          <button
            type="button"
            data-testid="consumer-toggle"
            aria-pressed={snapshot.consumerDown}
            aria-keyshortcuts="D"
            onClick={() => send({ type: 'setConsumerDown', down: !snapshot.consumerDown })}
          >
            {snapshot.consumerDown ? 'Bring consumer back' : 'Take consumer down'}
          </button>
          <button
            type="button"
            data-testid="consumer-outage"
            onClick={() => send({ type: 'setConsumerDown', down: true, durationMs: outageMs })}
          >
            Consumer down for {outageMs / 1000} s
          </button>
          <button
            type="button"
            data-testid="restart-producer"
            disabled={!snapshot.producerUp}
            onClick={() => send({ type: 'restartProducer', downMs: 3_000 })}
          >
            Restart the shop (3 s)
          </button>
          <button
            type="button"
            data-testid="fail-receivers"
            onClick={() => send({ type: 'failReceivers', durationMs: outageMs })}
          >
            All receivers fail for {outageMs / 1000} s
          </button>
          <button
            type="button"
            data-testid="send-forged"
            onClick={() => send({ type: 'sendForged' })}
          >
            Forge a webhook
          </button>
          <button
            type="button"
            data-testid="redrive"
            disabled={snapshot.webhook.dlq.length === 0}
            onClick={() => send({ type: 'redrive' })}
          >
            Redrive dead letters ({snapshot.webhook.dlq.length})
          </button>
        </div>
        <NumberField
          label="Outage length"
          unit="ms"
          value={outageMs}
          min={OUTAGE_MS_MIN}
          max={OUTAGE_MS_MAX}
          logScale
          onCommit={setOutageMs}
        />
        <NumberField
          label="Extra webhook receivers (the herd)"
          testId="receivers-field"
          value={config.extraReceivers}
          min={0}
          max={EXTRA_RECEIVERS_MAX}
          onCommit={(extraReceivers) => send({ type: 'setReceivers', extraReceivers })}
        />
      </section>
      <section className="panel" aria-labelledby="wh-shop-title">
        <h2 id="wh-shop-title">Shop and polling</h2>
        <NumberField
          label="Events per minute (Poisson)"
          testId="rate-field"
          value={config.eventsPerMinute}
          min={0}
          max={EVENTS_PER_MINUTE_MAX}
          integer={false}
          step={0.5}
          onCommit={(eventsPerMinute) => send({ type: 'setRate', eventsPerMinute })}
        />
        <NumberField
          label="Short polling interval"
          unit="ms"
          testId="interval-field"
          value={config.pollIntervalMs}
          min={POLL_INTERVAL_MS_MIN}
          max={POLL_INTERVAL_MS_MAX}
          logScale
          onCommit={(pollIntervalMs) =>
            send({ type: 'setPolling', pollIntervalMs, holdTimeoutMs: config.holdTimeoutMs })
          }
        />
        <NumberField
          label="Long polling hold timeout"
          unit="ms"
          value={config.holdTimeoutMs}
          min={HOLD_TIMEOUT_MS_MIN}
          max={HOLD_TIMEOUT_MS_MAX}
          logScale
          onCommit={(holdTimeoutMs) =>
            send({ type: 'setPolling', pollIntervalMs: config.pollIntervalMs, holdTimeoutMs })
          }
        />
      </section>
      <section className="panel" aria-labelledby="wh-delivery-title">
        <h2 id="wh-delivery-title">Webhook delivery</h2>
        <label className="wh-check">
          <input
            type="checkbox"
            data-testid="dedupe-toggle"
            checked={config.dedupe}
            onChange={(e) => send({ type: 'setDedupe', dedupe: e.target.checked })}
          />
          Receiver deduplicates by event id
        </label>
        <label className="select-field">
          Jitter
          <select
            value={config.jitter}
            data-testid="jitter-select"
            onChange={(e) =>
              send({
                type: 'setWebhook',
                ...webhookSettings(config),
                jitter: e.target.value as JitterKind,
              })
            }
          >
            {JITTER_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {JITTER_LABELS[kind]}
              </option>
            ))}
          </select>
        </label>
        <NumberField
          label="Response timeout"
          unit="ms"
          value={config.webhookTimeoutMs}
          min={WEBHOOK_TIMEOUT_MS_MIN}
          max={WEBHOOK_TIMEOUT_MS_MAX}
          logScale
          onCommit={(webhookTimeoutMs) =>
            send({ type: 'setWebhook', ...webhookSettings(config), webhookTimeoutMs })
          }
        />
        <NumberField
          label="Attempts before the dead-letter queue"
          value={config.maxAttempts}
          min={1}
          max={MAX_ATTEMPTS_MAX}
          onCommit={(maxAttempts) =>
            send({ type: 'setWebhook', ...webhookSettings(config), maxAttempts })
          }
        />
        <NumberField
          label="Backoff base"
          unit="ms"
          value={config.backoffBaseMs}
          min={BACKOFF_BASE_MS_MIN}
          max={BACKOFF_BASE_MS_MAX}
          logScale
          onCommit={(backoffBaseMs) =>
            send({
              type: 'setWebhook',
              ...webhookSettings(config),
              backoffBaseMs,
              backoffCapMs: Math.max(backoffBaseMs, config.backoffCapMs),
            })
          }
        />
        <NumberField
          label="Backoff factor"
          value={config.backoffFactor}
          min={1}
          max={BACKOFF_FACTOR_MAX}
          step={0.5}
          integer={false}
          onCommit={(backoffFactor) =>
            send({ type: 'setWebhook', ...webhookSettings(config), backoffFactor })
          }
        />
        <NumberField
          label="Backoff cap"
          unit="ms"
          value={config.backoffCapMs}
          min={config.backoffBaseMs}
          max={BACKOFF_CAP_MS_MAX}
          logScale
          onCommit={(backoffCapMs) =>
            send({ type: 'setWebhook', ...webhookSettings(config), backoffCapMs })
          }
        />
        <NumberField
          label="Receiver processing time"
          unit="ms"
          value={config.processingMs}
          min={0}
          max={PROCESSING_MS_MAX}
          onCommit={(processingMs) =>
            send({ type: 'setWebhook', ...webhookSettings(config), processingMs })
          }
        />
      </section>
      <section className="panel" aria-labelledby="wh-network-title">
        <h2 id="wh-network-title">Network</h2>
        <NumberField
          label="One-way latency (±25%)"
          unit="ms"
          value={config.latencyMs}
          min={LATENCY_MS_MIN}
          max={LATENCY_MS_MAX}
          logScale
          onCommit={(latencyMs) =>
            send({ type: 'setNetwork', ...networkSettings(config), latencyMs })
          }
        />
        <NumberField
          label="Messages dropped"
          unit="%"
          testId="drop-field"
          value={config.dropPercent}
          min={0}
          max={FAULT_PERCENT_MAX}
          integer={false}
          onCommit={(dropPercent) =>
            send({ type: 'setNetwork', ...networkSettings(config), dropPercent })
          }
        />
        <NumberField
          label="Messages duplicated"
          unit="%"
          value={config.duplicatePercent}
          min={0}
          max={FAULT_PERCENT_MAX}
          integer={false}
          onCommit={(duplicatePercent) =>
            send({ type: 'setNetwork', ...networkSettings(config), duplicatePercent })
          }
        />
      </section>
    </div>
  );
}
