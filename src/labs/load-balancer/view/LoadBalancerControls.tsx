/**
 * The controls: algorithm (or the algorithms to compare), workload, sessions, layer and routing,
 * health checks and outlier ejection, and every server with its faults.
 */
import { useEffect, useState } from 'react';
import type { Session } from '../../../app/session';
import { ChoiceGroup, type ChoiceOption } from '../../../app/ui/ChoiceGroup';
import { NumberField } from '../../../app/ui/NumberField';
import {
  ALGORITHM_LABELS,
  ALGORITHMS,
  type AlgorithmName,
  BURST_REQUESTS_MAX,
  COMPARE_LANES_MAX,
  COMPARE_LANES_MIN,
  CONCURRENCY_MAX,
  EJECTION_ERRORS_MAX,
  EJECTION_MS_MAX,
  EJECTION_MS_MIN,
  HEALTH_INTERVAL_MS_MAX,
  HEALTH_INTERVAL_MS_MIN,
  HEALTH_THRESHOLD_MAX,
  HEALTH_TIMEOUT_MS_MAX,
  HEALTH_TIMEOUT_MS_MIN,
  LATENCY_MS_MAX,
  REQUESTS_PER_SECOND_MAX,
  SERVICE_MS_MAX,
  SERVICE_MS_MIN,
  type SessionMode,
  TIMEOUT_MS_MAX,
  TIMEOUT_MS_MIN,
  WEIGHT_MAX,
} from '../sim/constants';
import { type LoadBalancerCommand, ROUTE_RULES } from '../sim/model';
import type { LoadBalancerSnapshot } from '../sim/snapshot';
import { FLAP_PERIOD_MS, SLOW_FACTOR } from './BalancerStage';
import { serverStatus } from './balancer-view';
import { useBalancerSettings } from './LoadBalancerPage';

type Send = (command: LoadBalancerCommand) => void;

const SESSION_OPTIONS: ChoiceOption<SessionMode>[] = [
  { value: 'stateless', label: 'Stateless app', testId: 'sessions-stateless' },
  { value: 'sticky', label: 'Sticky sessions', testId: 'sessions-sticky' },
  { value: 'external', label: 'External session store', testId: 'sessions-external' },
];

export function LoadBalancerControls({
  session,
  send,
  compare,
  onCompare,
}: {
  session: Session;
  send: Send;
  compare: string;
  onCompare: (compare: string) => void;
}) {
  const snapshot = useBalancerSettings(session);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'b' || event.key === 'B') send({ type: 'burst', requests: 200 });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send]);
  if (!snapshot) return null;
  return (
    <div className="controls">
      <AlgorithmPanel snapshot={snapshot} send={send} compare={compare} onCompare={onCompare} />
      <ServerList snapshot={snapshot} send={send} />
      <WorkloadPanel snapshot={snapshot} send={send} />
      <RoutingPanel snapshot={snapshot} send={send} />
      <HealthPanel snapshot={snapshot} send={send} />
    </div>
  );
}

function AlgorithmPanel({
  snapshot,
  send,
  compare,
  onCompare,
}: {
  snapshot: LoadBalancerSnapshot;
  send: Send;
  compare: string;
  onCompare: (compare: string) => void;
}) {
  const comparing = snapshot.lanes.length > 1;
  const [picked, setPicked] = useState<AlgorithmName[]>(
    comparing ? snapshot.lanes.map((l) => l.algorithm) : ['round-robin', 'least-connections'],
  );
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="lb-algorithm-title">
      <h2 id="lb-algorithm-title">Algorithm</h2>
      {comparing ? (
        <p className="muted">
          Comparing {snapshot.lanes.length} balancers on the same requests. Each column of the
          comparison is one of them.
        </p>
      ) : (
        <label className="select-field">
          Balancing algorithm
          <select
            data-testid="algorithm-select"
            value={snapshot.lanes[0]?.algorithm}
            onChange={(e) =>
              send({ type: 'setAlgorithm', lane: 0, algorithm: e.target.value as AlgorithmName })
            }
          >
            {ALGORITHMS.map((name) => (
              <option key={name} value={name}>
                {ALGORITHM_LABELS[name]}
              </option>
            ))}
          </select>
        </label>
      )}
      <ChoiceGroup
        type="checkbox"
        className="lb-compare-pick"
        optionClassName="choice"
        legend={`Compare ${COMPARE_LANES_MIN} to ${COMPARE_LANES_MAX} algorithms side by side`}
        options={ALGORITHMS.map((name) => ({
          value: name,
          label: ALGORITHM_LABELS[name],
          testId: `compare-pick-${name}`,
        }))}
        value={picked}
        onChange={(name, on) =>
          setPicked((list) => (on ? [...list, name] : list.filter((n) => n !== name)))
        }
      />
      <div className="lb-button-row">
        <button
          type="button"
          data-testid="compare-start"
          onClick={() => {
            if (picked.length < COMPARE_LANES_MIN || picked.length > COMPARE_LANES_MAX) {
              setProblem(
                `Pick ${COMPARE_LANES_MIN} to ${COMPARE_LANES_MAX} algorithms (you picked ${picked.length}).`,
              );
              return;
            }
            setProblem(null);
            const ordered = ALGORITHMS.filter((n) => picked.includes(n));
            onCompare(ordered.join(','));
          }}
        >
          {comparing ? 'Restart the comparison' : 'Compare'}
        </button>
        {compare !== '' ? (
          <button type="button" onClick={() => onCompare('')}>
            Stop comparing
          </button>
        ) : null}
      </div>
      {problem ? (
        <p role="alert" className="field-error">
          {problem}
        </p>
      ) : null}
      <p className="muted">
        Starting a comparison restarts the run, so every balancer sees the same traffic from the
        start.
      </p>
    </section>
  );
}

function ServerList({ snapshot, send }: { snapshot: LoadBalancerSnapshot; send: Send }) {
  const lane = snapshot.lanes[0];
  return (
    <section className="panel" aria-labelledby="lb-servers-title">
      <h2 id="lb-servers-title">Servers ({snapshot.servers.length})</h2>
      <ul className="lb-server-list" data-testid="server-list">
        {snapshot.servers.map((spec, index) => (
          <li
            key={spec.id}
            id={`lb-server-${spec.id}`}
            className={spec.crashed || spec.health === 'unhealthy' ? 'is-failed' : ''}
          >
            <div className="lb-server-head">
              <span className="server-name">{spec.id}</span>
              <span className="lb-status" data-testid={`status-${spec.id}`}>
                {serverStatus(spec, lane?.servers[index])}
              </span>
            </div>
            <div className="lb-server-buttons">
              <button
                type="button"
                data-testid={`crash-${spec.id}`}
                aria-pressed={spec.crashed}
                onClick={() =>
                  send({ type: 'setCrashed', serverId: spec.id, crashed: !spec.crashed })
                }
              >
                {spec.crashed ? 'Recover' : 'Crash'}
                <span className="visually-hidden"> {spec.id}</span>
              </button>
              <button
                type="button"
                data-testid={`slow-${spec.id}`}
                aria-pressed={spec.slowness > 1}
                onClick={() =>
                  send({
                    type: 'setSlowness',
                    serverId: spec.id,
                    slowness: spec.slowness > 1 ? 1 : SLOW_FACTOR,
                  })
                }
              >
                {spec.slowness > 1 ? 'Normal speed' : `Slow ×${SLOW_FACTOR}`}
                <span className="visually-hidden"> {spec.id}</span>
              </button>
              <button
                type="button"
                data-testid={`flap-${spec.id}`}
                aria-pressed={spec.flapping}
                onClick={() =>
                  send({
                    type: 'setFlapping',
                    serverId: spec.id,
                    periodMs: spec.flapping ? 0 : FLAP_PERIOD_MS,
                  })
                }
              >
                {spec.flapping ? 'Stop flapping' : 'Flap'}
                <span className="visually-hidden"> {spec.id}</span>
              </button>
              <button
                type="button"
                data-testid={`remove-${spec.id}`}
                disabled={spec.removing}
                onClick={() => send({ type: 'removeServer', serverId: spec.id })}
              >
                {spec.removing ? 'Draining…' : 'Drain & remove'}
                <span className="visually-hidden"> {spec.id}</span>
              </button>
            </div>
            <details className="lb-server-details">
              <summary>
                Capacity of {spec.id}: {spec.concurrency} slots, {spec.serviceMs} ms per request,{' '}
                {spec.latencyMs} ms away
              </summary>
              <label className="select-field">
                Weight
                <select
                  value={spec.weight}
                  onChange={(e) =>
                    send({ type: 'setServer', serverId: spec.id, weight: Number(e.target.value) })
                  }
                >
                  {Array.from({ length: WEIGHT_MAX }, (_, i) => i + 1).map((w) => (
                    <option key={w} value={w}>
                      {w}
                    </option>
                  ))}
                </select>
              </label>
              {snapshot.config.pools ? (
                <label className="select-field">
                  Pool
                  <select
                    value={spec.pool}
                    onChange={(e) =>
                      send({
                        type: 'setServer',
                        serverId: spec.id,
                        pool: e.target.value as 'api' | 'static',
                      })
                    }
                  >
                    <option value="api">api</option>
                    <option value="static">static</option>
                  </select>
                </label>
              ) : null}
              <NumberField
                label="Concurrent requests (slots)"
                value={spec.concurrency}
                min={1}
                max={CONCURRENCY_MAX}
                onCommit={(concurrency) =>
                  send({ type: 'setServer', serverId: spec.id, concurrency })
                }
              />
              <NumberField
                label="Service time per request"
                unit="ms"
                value={spec.serviceMs}
                min={SERVICE_MS_MIN}
                max={SERVICE_MS_MAX}
                logScale
                onCommit={(serviceMs) => send({ type: 'setServer', serverId: spec.id, serviceMs })}
              />
              <NumberField
                label="Latency from the balancer"
                unit="ms"
                value={spec.latencyMs}
                min={0}
                max={LATENCY_MS_MAX}
                onCommit={(latencyMs) => send({ type: 'setServer', serverId: spec.id, latencyMs })}
              />
              <NumberField
                label="Slowness"
                unit="×"
                value={spec.slowness}
                min={1}
                max={20}
                onCommit={(slowness) => send({ type: 'setSlowness', serverId: spec.id, slowness })}
              />
            </details>
          </li>
        ))}
      </ul>
    </section>
  );
}

function WorkloadPanel({ snapshot, send }: { snapshot: LoadBalancerSnapshot; send: Send }) {
  const config = snapshot.config;
  const [burst, setBurst] = useState(200);
  return (
    <section className="panel" aria-labelledby="lb-workload-title">
      <h2 id="lb-workload-title">Traffic</h2>
      <NumberField
        label="Requests per second"
        unit="virtual"
        testId="rps-field"
        value={config.requestsPerSecond}
        min={0}
        max={REQUESTS_PER_SECOND_MAX}
        onCommit={(requestsPerSecond) =>
          send({ type: 'setWorkload', requestsPerSecond, arrival: config.arrival })
        }
      />
      <ChoiceGroup
        type="radio"
        className="radio-row"
        legend="Arrivals"
        options={[
          { value: 'poisson', label: 'Poisson (steady)' },
          { value: 'bursty', label: 'Bursty (on/off)' },
        ]}
        value={config.arrival}
        onChange={(arrival) =>
          send({ type: 'setWorkload', requestsPerSecond: config.requestsPerSecond, arrival })
        }
      />
      <NumberField
        label="Burst size"
        value={burst}
        min={1}
        max={BURST_REQUESTS_MAX}
        onCommit={setBurst}
      />
      <button
        type="button"
        data-testid="burst"
        aria-keyshortcuts="B"
        onClick={() => send({ type: 'burst', requests: burst })}
      >
        Send a burst of {burst}
      </button>
      <ChoiceGroup
        type="radio"
        className="radio-row"
        legend="Sessions"
        options={SESSION_OPTIONS}
        value={config.sessions}
        onChange={(mode) => send({ type: 'setSessions', mode })}
      />
      <p className="muted">
        With sessions, {config.users.toLocaleString('en-US')} users log in on their first request.
        Sticky sessions keep a user on the server that holds their session; an external store lets
        any server answer.
      </p>
      <NumberField
        label="Upstream timeout"
        unit="ms"
        value={config.timeoutMs}
        min={TIMEOUT_MS_MIN}
        max={TIMEOUT_MS_MAX}
        logScale
        onCommit={(timeoutMs) => send({ type: 'setUpstreamTimeout', timeoutMs })}
      />
    </section>
  );
}

function RoutingPanel({ snapshot, send }: { snapshot: LoadBalancerSnapshot; send: Send }) {
  const config = snapshot.config;
  return (
    <section className="panel" aria-labelledby="lb-routing-title">
      <h2 id="lb-routing-title">Layer and routing</h2>
      <ChoiceGroup
        type="radio"
        className="radio-row"
        legend="Balancer layer"
        options={[
          { value: 'l7', label: 'L7 (HTTP requests)', testId: 'layer-l7' },
          { value: 'l4', label: 'L4 (TCP connections)', testId: 'layer-l4' },
        ]}
        value={config.layer}
        onChange={(layer) =>
          send({ type: 'setLayer', layer, pools: layer === 'l7' && config.pools })
        }
      />
      <label className="choice">
        <input
          type="checkbox"
          data-testid="pools-toggle"
          checked={config.pools}
          disabled={config.layer === 'l4'}
          onChange={(e) => send({ type: 'setLayer', layer: config.layer, pools: e.target.checked })}
        />
        Route by path and header to pools
      </label>
      {config.layer === 'l4' ? (
        <p className="muted">
          At layer 4 the balancer cannot read paths or headers: it picks a server per connection,
          and every request of a long-lived connection follows it.
        </p>
      ) : (
        <table className="compare-table lb-routes">
          <caption>Routing rules, first match wins{config.pools ? '' : ' (off)'}</caption>
          <thead>
            <tr>
              <th scope="col">Match</th>
              <th scope="col">Pool</th>
            </tr>
          </thead>
          <tbody>
            {ROUTE_RULES.map((rule) => (
              <tr key={rule.match}>
                <td>
                  <code>{rule.match}</code>
                </td>
                <td>{rule.pool}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function HealthPanel({ snapshot, send }: { snapshot: LoadBalancerSnapshot; send: Send }) {
  const config = snapshot.config;
  const health = {
    intervalMs: config.healthIntervalMs,
    timeoutMs: config.healthTimeoutMs,
    healthyThreshold: config.healthyThreshold,
    unhealthyThreshold: config.unhealthyThreshold,
  };
  const ejection = {
    enabled: config.ejection,
    consecutiveErrors: config.ejectionErrors,
    ejectionMs: config.ejectionMs,
  };
  return (
    <section className="panel" aria-labelledby="lb-health-title">
      <h2 id="lb-health-title">Health</h2>
      <p className="muted">
        Active checks probe every server; a crash is noticed within interval × unhealthy threshold +
        timeout ={' '}
        {(
          config.healthIntervalMs * config.unhealthyThreshold +
          config.healthTimeoutMs
        ).toLocaleString('en-US')}{' '}
        ms.
      </p>
      <NumberField
        label="Check interval"
        unit="ms"
        value={config.healthIntervalMs}
        min={HEALTH_INTERVAL_MS_MIN}
        max={HEALTH_INTERVAL_MS_MAX}
        logScale
        onCommit={(intervalMs) => send({ type: 'setHealth', ...health, intervalMs })}
      />
      <NumberField
        label="Check timeout"
        unit="ms"
        value={config.healthTimeoutMs}
        min={HEALTH_TIMEOUT_MS_MIN}
        max={HEALTH_TIMEOUT_MS_MAX}
        logScale
        onCommit={(timeoutMs) => send({ type: 'setHealth', ...health, timeoutMs })}
      />
      <NumberField
        label="Unhealthy after failures"
        value={config.unhealthyThreshold}
        min={1}
        max={HEALTH_THRESHOLD_MAX}
        onCommit={(unhealthyThreshold) =>
          send({ type: 'setHealth', ...health, unhealthyThreshold })
        }
      />
      <NumberField
        label="Healthy after passes"
        value={config.healthyThreshold}
        min={1}
        max={HEALTH_THRESHOLD_MAX}
        onCommit={(healthyThreshold) => send({ type: 'setHealth', ...health, healthyThreshold })}
      />
      <label className="choice">
        <input
          type="checkbox"
          checked={config.ejection}
          onChange={(e) => send({ type: 'setEjection', ...ejection, enabled: e.target.checked })}
        />
        Passive outlier ejection
      </label>
      {config.ejection ? (
        <>
          <NumberField
            label="Eject after errors in a row"
            value={config.ejectionErrors}
            min={1}
            max={EJECTION_ERRORS_MAX}
            onCommit={(consecutiveErrors) =>
              send({ type: 'setEjection', ...ejection, consecutiveErrors })
            }
          />
          <NumberField
            label="Base ejection time"
            unit="ms"
            value={config.ejectionMs}
            min={EJECTION_MS_MIN}
            max={EJECTION_MS_MAX}
            logScale
            onCommit={(ejectionMs) => send({ type: 'setEjection', ...ejection, ejectionMs })}
          />
        </>
      ) : null}
    </section>
  );
}
