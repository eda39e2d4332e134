/** The rate-limiter lab's controls: algorithms, limits, traffic, clients, retries, distribution. */
import { useEffect, useState } from 'react';
import type { Session } from '../../../app/session';
import { ChoiceGroup } from '../../../app/ui/ChoiceGroup';
import { NumberField } from '../../../app/ui/NumberField';
import {
  ABUSE_FACTOR_MAX,
  ALGORITHM_IDS,
  ALGORITHM_LABELS,
  type AlgorithmId,
  BURST_COUNT_MAX,
  CLIENTS_MAX,
  CLIENTS_MIN,
  GATEWAYS_MAX,
  GATEWAYS_MIN,
  GLOBAL_LIMIT_MAX,
  type KeyBy,
  LANES_MAX,
  LIMIT_MAX,
  MINUTE_LIMIT_MAX,
  PATTERN_LABELS,
  RATE_PER_SECOND_MAX,
  RETRY_BEHAVIOURS,
  RETRY_LABELS,
  type RetryBehaviour,
  STORE_LATENCY_MS_MAX,
  SYNC_MS_MAX,
  SYNC_MS_MIN,
  TRAFFIC_PATTERNS,
  type TrafficPattern,
  WINDOW_MS_MAX,
  WINDOW_MS_MIN,
} from '../sim/constants';
import type { RateLimiterCommand } from '../sim/model';
import type { RateLimiterSnapshot } from '../sim/snapshot';
import { useRateLimiterSettings } from './RateLimiterPage';

export function RateLimiterControls({
  session,
  send,
}: {
  session: Session;
  send: (command: RateLimiterCommand) => void;
}) {
  const snapshot = useRateLimiterSettings(session);
  if (!snapshot) return null;
  return (
    <div className="controls">
      <BurstPanel snapshot={snapshot} send={send} />
      <AlgorithmsPanel snapshot={snapshot} send={send} />
      <LimitsPanel snapshot={snapshot} send={send} />
      <TrafficPanel snapshot={snapshot} send={send} />
      <DistributedPanel snapshot={snapshot} send={send} />
    </div>
  );
}

type PanelProps = { snapshot: RateLimiterSnapshot; send: (command: RateLimiterCommand) => void };

function BurstPanel({ snapshot, send }: PanelProps) {
  const [count, setCount] = useState(20);
  const [client, setClient] = useState(0);
  const safeClient = Math.min(client, snapshot.clients.length - 1);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (
        (event.key === 'b' || event.key === 'B') &&
        !event.ctrlKey &&
        !event.metaKey &&
        !event.altKey
      ) {
        send({ type: 'fireBurst', count, client: safeClient });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send, count, safeClient]);
  return (
    <section className="panel" aria-labelledby="burst-title">
      <h2 id="burst-title">Fire a burst</h2>
      <NumberField
        label="Requests in the burst"
        testId="burst-count"
        value={count}
        min={1}
        max={BURST_COUNT_MAX}
        logScale
        onCommit={setCount}
      />
      <div className="rl-row">
        <label>
          From
          <select
            value={safeClient}
            onChange={(e) => setClient(Number(e.target.value))}
            data-testid="burst-client"
          >
            {snapshot.clients.map((c) => (
              <option key={c.index} value={c.index}>
                {c.name} ({c.key})
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="primary"
          data-testid="fire-burst"
          aria-keyshortcuts="B"
          onClick={() => send({ type: 'fireBurst', count, client: safeClient })}
        >
          Fire burst of {count}
        </button>
      </div>
    </section>
  );
}

function AlgorithmsPanel({ snapshot, send }: PanelProps) {
  const chosen = snapshot.algorithms;
  const toggle = (id: AlgorithmId, on: boolean) => {
    const next = on ? [...chosen, id] : chosen.filter((a) => a !== id);
    const ordered = ALGORITHM_IDS.filter((a) => next.includes(a));
    if (ordered.length >= 1 && ordered.length <= LANES_MAX)
      send({ type: 'setLanes', lanes: ordered });
  };
  return (
    <section className="panel" aria-labelledby="algorithms-title">
      <h2 id="algorithms-title">Algorithms</h2>
      <ChoiceGroup
        type="checkbox"
        className="rl-checks"
        testId="algorithms"
        legend={`Tick one, or 2 to ${LANES_MAX} to compare them on the same traffic${snapshot.mode === 'distributed' ? ' (local mode)' : ''}`}
        options={ALGORITHM_IDS.map((id) => {
          const on = chosen.includes(id);
          return {
            value: id,
            label: ALGORITHM_LABELS[id],
            testId: `algorithm-${id}`,
            // At least one lane, at most LANES_MAX: the box that would break either is disabled.
            disabled: (on && chosen.length <= 1) || (!on && chosen.length >= LANES_MAX),
          };
        })}
        value={chosen}
        onChange={toggle}
      />
    </section>
  );
}

function LimitsPanel({ snapshot, send }: PanelProps) {
  const l = snapshot.limits;
  const set = (patch: Partial<typeof l>) => send({ type: 'setLimits', ...l, ...patch });
  return (
    <section className="panel" aria-labelledby="limits-title">
      <h2 id="limits-title">Limits</h2>
      <NumberField
        label="Limit per client"
        unit="requests per window"
        testId="limit-field"
        value={l.limit}
        min={1}
        max={LIMIT_MAX}
        logScale
        onCommit={(limit) => set({ limit })}
      />
      <NumberField
        label="Window"
        unit="ms"
        testId="window-field"
        value={l.windowMs}
        min={WINDOW_MS_MIN}
        max={WINDOW_MS_MAX}
        logScale
        onCommit={(windowMs) => set({ windowMs })}
      />
      <NumberField
        label="Burst (bucket capacity, queue length)"
        testId="burst-field"
        value={l.burst}
        min={1}
        max={LIMIT_MAX}
        logScale
        onCommit={(burst) => set({ burst })}
      />
      <NumberField
        label="Second tier: per client per minute"
        unit="0 = off"
        value={l.minuteLimit}
        min={0}
        max={MINUTE_LIMIT_MAX}
        onCommit={(minuteLimit) => set({ minuteLimit })}
      />
      <NumberField
        label="Global limit per window, all clients"
        unit="0 = off"
        value={l.globalLimit}
        min={0}
        max={GLOBAL_LIMIT_MAX}
        onCommit={(globalLimit) => set({ globalLimit })}
      />
    </section>
  );
}

function TrafficPanel({ snapshot, send }: PanelProps) {
  return (
    <section className="panel" aria-labelledby="traffic-title">
      <h2 id="traffic-title">Traffic and clients</h2>
      <div className="rl-row">
        <label>
          Pattern
          <select
            value={snapshot.pattern}
            data-testid="pattern"
            onChange={(e) =>
              send({
                type: 'setTraffic',
                pattern: e.target.value as TrafficPattern,
                ratePerSecond: snapshot.ratePerSecond,
              })
            }
          >
            {TRAFFIC_PATTERNS.map((p) => (
              <option key={p} value={p}>
                {PATTERN_LABELS[p]}
              </option>
            ))}
          </select>
        </label>
        <label>
          After a 429, clients
          <select
            value={snapshot.retry}
            data-testid="retry"
            onChange={(e) => send({ type: 'setRetry', retry: e.target.value as RetryBehaviour })}
          >
            {RETRY_BEHAVIOURS.map((r) => (
              <option key={r} value={r}>
                {RETRY_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <NumberField
        label="Rate, all clients together"
        unit="requests/s"
        testId="rate-field"
        value={snapshot.ratePerSecond}
        min={0}
        max={RATE_PER_SECOND_MAX}
        onCommit={(ratePerSecond) =>
          send({ type: 'setTraffic', pattern: snapshot.pattern, ratePerSecond })
        }
      />
      <NumberField
        label="Clients"
        value={snapshot.clients.length}
        min={CLIENTS_MIN}
        max={CLIENTS_MAX}
        onCommit={(clients) =>
          send({
            type: 'setClients',
            clients,
            abuseFactor: snapshot.abuseFactor,
            keyBy: snapshot.keyBy,
          })
        }
      />
      <NumberField
        label="Abusive client sends ×"
        unit="1 = nobody abusive"
        value={snapshot.abuseFactor}
        min={1}
        max={ABUSE_FACTOR_MAX}
        onCommit={(abuseFactor) =>
          send({
            type: 'setClients',
            clients: snapshot.clients.length,
            abuseFactor,
            keyBy: snapshot.keyBy,
          })
        }
      />
      <div className="rl-row">
        <label>
          Limit clients by
          <select
            value={snapshot.keyBy}
            data-testid="key-by"
            onChange={(e) =>
              send({
                type: 'setClients',
                clients: snapshot.clients.length,
                abuseFactor: snapshot.abuseFactor,
                keyBy: e.target.value as KeyBy,
              })
            }
          >
            <option value="user">user (API key)</option>
            <option value="ip">IP address (carol and dave share one)</option>
          </select>
        </label>
      </div>
    </section>
  );
}

function DistributedPanel({ snapshot, send }: PanelProps) {
  const set = (
    patch: Partial<{
      mode: 'local' | 'distributed';
      gateways: number;
      syncMs: number;
      storeLatencyMs: number;
    }>,
  ) =>
    send({
      type: 'setDistributed',
      mode: snapshot.mode,
      gateways: snapshot.gateways,
      syncMs: snapshot.syncMs,
      storeLatencyMs: snapshot.storeLatencyMs,
      ...patch,
    });
  return (
    <section className="panel" aria-labelledby="distributed-title">
      <h2 id="distributed-title">Distributed limiting</h2>
      <label>
        <input
          type="checkbox"
          checked={snapshot.mode === 'distributed'}
          data-testid="distributed-toggle"
          onChange={(e) => set({ mode: e.target.checked ? 'distributed' : 'local' })}
        />{' '}
        Several gateways share one limit (fixed window per client) through a counter store
      </label>
      <NumberField
        label="Gateways"
        value={snapshot.gateways}
        min={GATEWAYS_MIN}
        max={GATEWAYS_MAX}
        onCommit={(gateways) => set({ gateways })}
      />
      <NumberField
        label="Sync interval (local counters)"
        unit="ms"
        value={snapshot.syncMs}
        min={SYNC_MS_MIN}
        max={SYNC_MS_MAX}
        logScale
        onCommit={(syncMs) => set({ syncMs })}
      />
      <NumberField
        label="Store latency, one way"
        unit="ms"
        value={snapshot.storeLatencyMs}
        min={0}
        max={STORE_LATENCY_MS_MAX}
        onCommit={(storeLatencyMs) => set({ storeLatencyMs })}
      />
    </section>
  );
}
