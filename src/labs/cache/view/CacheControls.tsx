/** The caching lab's controls: the cache, the workload, latencies, expiry, writes and stampedes. */
import { useEffect, useState } from 'react';
import type { Session } from '../../../app/session';
import { ChoiceGroup } from '../../../app/ui/ChoiceGroup';
import { NumberField } from '../../../app/ui/NumberField';
import {
  CAPACITY_MAX,
  COMPARE_MAX,
  COMPARE_MIN,
  EARLY_REFRESH_BETA_MAX,
  FLUSH_INTERVAL_MS_MAX,
  FLUSH_INTERVAL_MS_MIN,
  KEYS_MAX,
  LATENCY_MS_MAX,
  POLICY_NAMES,
  type PolicyName,
  parsePolicyList,
  policyLabel,
  READ_STRATEGIES,
  REQUESTS_PER_SECOND_MAX,
  TTL_MS_MAX,
  WORKLOAD_KINDS,
  WORKLOAD_LABELS,
  type WorkloadKind,
  WRITE_POLICIES,
  WRITE_POLICY_LABELS,
  type WritePolicy,
  ZIPF_S_MAX,
} from '../sim/constants';
import type { CacheCommand, CacheConfig } from '../sim/model';
import { useCacheSettings } from './CachePage';

export function CacheControls({
  session,
  send,
}: {
  session: Session;
  send: (command: CacheCommand) => void;
}) {
  const snapshot = useCacheSettings(session);
  if (!snapshot) return null;
  const s = snapshot.settings;
  const set = (settings: Partial<CacheConfig>) => send({ type: 'set', settings });
  return (
    <div className="controls cache-controls">
      <section className="panel" aria-labelledby="cache-settings-title">
        <h2 id="cache-settings-title">Cache</h2>
        <label className="select-field">
          Eviction policy
          <select
            data-testid="policy-select"
            value={s.policy}
            onChange={(e) => set({ policy: e.target.value as PolicyName })}
          >
            {POLICY_NAMES.map((p) => (
              <option key={p} value={p}>
                {policyLabel(p)}
              </option>
            ))}
          </select>
        </label>
        <NumberField
          label="Capacity"
          unit="slots"
          testId="capacity-field"
          value={s.capacity}
          min={1}
          max={CAPACITY_MAX}
          logScale
          onCommit={(capacity) => set({ capacity })}
        />
        <ChoiceGroup
          type="radio"
          className="radio-row"
          legend="Reads"
          options={READ_STRATEGIES.map((r) => ({
            value: r,
            label: r === 'cache-aside' ? 'Cache-aside' : 'Read-through',
          }))}
          value={s.readStrategy}
          onChange={(readStrategy) => set({ readStrategy })}
        />
      </section>
      <section className="panel" aria-labelledby="workload-title">
        <h2 id="workload-title">Workload</h2>
        <label className="select-field">
          Key pattern
          <select
            data-testid="workload-select"
            value={s.workload}
            onChange={(e) => set({ workload: e.target.value as WorkloadKind })}
          >
            {WORKLOAD_KINDS.map((w) => (
              <option key={w} value={w}>
                {WORKLOAD_LABELS[w]}
              </option>
            ))}
          </select>
        </label>
        <NumberField
          label="Keys"
          value={s.keys}
          min={1}
          max={KEYS_MAX}
          logScale
          onCommit={(keys) => set({ keys })}
        />
        {s.workload === 'zipf' || s.workload === 'scan' || s.workload === 'shifting' ? (
          <NumberField
            label="Zipf skew s"
            value={s.zipfS}
            min={0}
            max={ZIPF_S_MAX}
            step={0.1}
            integer={false}
            onCommit={(zipfS) => set({ zipfS })}
          />
        ) : null}
        <NumberField
          label="Requests per second"
          unit="virtual"
          testId="rate-field"
          value={s.requestsPerSecond}
          min={0}
          max={REQUESTS_PER_SECOND_MAX}
          onCommit={(requestsPerSecond) => set({ requestsPerSecond })}
        />
        <NumberField
          label="Writes"
          unit="%"
          value={s.writePercent}
          min={0}
          max={100}
          onCommit={(writePercent) => set({ writePercent })}
        />
      </section>
      <section className="panel" aria-labelledby="latency-title">
        <h2 id="latency-title">Latency</h2>
        <NumberField
          label="Cache"
          unit="ms"
          value={s.cacheLatencyMs}
          min={0}
          max={LATENCY_MS_MAX}
          onCommit={(cacheLatencyMs) => set({ cacheLatencyMs })}
        />
        <NumberField
          label="Database"
          unit="ms"
          value={s.dbLatencyMs}
          min={1}
          max={LATENCY_MS_MAX}
          onCommit={(dbLatencyMs) => set({ dbLatencyMs })}
        />
      </section>
      <section className="panel" aria-labelledby="expiry-title">
        <h2 id="expiry-title">Expiry and writes</h2>
        <NumberField
          label="TTL (0 = never)"
          unit="ms"
          value={s.ttlMs}
          min={0}
          max={TTL_MS_MAX}
          onCommit={(ttlMs) => set({ ttlMs })}
        />
        <NumberField
          label="TTL jitter"
          unit="±%"
          value={s.ttlJitterPercent}
          min={0}
          max={50}
          onCommit={(ttlJitterPercent) => set({ ttlJitterPercent })}
        />
        <label className="check-field">
          <input
            type="checkbox"
            checked={s.activeExpiry === 'on'}
            onChange={(e) => set({ activeExpiry: e.target.checked ? 'on' : 'off' })}
          />
          Active expiry (sample 20 keys every 100 ms); lazy expiry on read is always on
        </label>
        <KeyTtlForm send={send} keys={s.keys} overrides={snapshot.keyTtlMs} />
        <label className="select-field">
          On a write
          <select
            data-testid="write-policy-select"
            value={s.writePolicy}
            onChange={(e) => set({ writePolicy: e.target.value as WritePolicy })}
          >
            {WRITE_POLICIES.map((w) => (
              <option key={w} value={w}>
                {WRITE_POLICY_LABELS[w]}
              </option>
            ))}
          </select>
        </label>
        {s.writePolicy === 'write-back' ? (
          <NumberField
            label="Flush dirty entries every"
            unit="ms"
            value={s.flushIntervalMs}
            min={FLUSH_INTERVAL_MS_MIN}
            max={FLUSH_INTERVAL_MS_MAX}
            logScale
            onCommit={(flushIntervalMs) => set({ flushIntervalMs })}
          />
        ) : null}
      </section>
      <section className="panel" aria-labelledby="stampede-title">
        <h2 id="stampede-title">Stampede protection</h2>
        <label className="check-field">
          <input
            type="checkbox"
            data-testid="single-flight"
            checked={s.singleFlight === 'on'}
            onChange={(e) => set({ singleFlight: e.target.checked ? 'on' : 'off' })}
          />
          Single flight: misses for a key wait on the query already in flight
        </label>
        <NumberField
          label="Early refresh β (0 = off)"
          value={s.earlyRefreshBeta}
          min={0}
          max={EARLY_REFRESH_BETA_MAX}
          step={0.5}
          integer={false}
          onCommit={(earlyRefreshBeta) => set({ earlyRefreshBeta })}
        />
      </section>
      <CompareForm current={s.compare} onApply={(compare) => set({ compare })} />
    </div>
  );
}

function KeyTtlForm({
  send,
  keys,
  overrides,
}: {
  send: (command: CacheCommand) => void;
  keys: number;
  overrides: Record<number, number>;
}) {
  const [keyDraft, setKeyDraft] = useState('0');
  const [ttlDraft, setTtlDraft] = useState('1000');
  const [error, setError] = useState<string | null>(null);
  const entries = Object.entries(overrides);
  return (
    <form
      className="inline-form key-ttl-form"
      onSubmit={(e) => {
        e.preventDefault();
        const key = Number(keyDraft);
        const ttlMs = Number(ttlDraft);
        if (!Number.isInteger(key) || key < 0 || key >= keys) {
          setError(`Key: a whole number from 0 to ${keys - 1}.`);
          return;
        }
        if (!Number.isInteger(ttlMs) || ttlMs < 0 || ttlMs > TTL_MS_MAX) {
          setError(`TTL: a whole number of ms from 0 to ${TTL_MS_MAX.toLocaleString('en-US')}.`);
          return;
        }
        setError(null);
        send({ type: 'setKeyTtl', key, ttlMs });
      }}
    >
      <fieldset>
        <legend>Per-key TTL</legend>
        <label>
          Key{' '}
          <input
            value={keyDraft}
            inputMode="numeric"
            onChange={(e) => setKeyDraft(e.target.value)}
            size={5}
          />
        </label>
        <label>
          TTL ms{' '}
          <input
            value={ttlDraft}
            inputMode="numeric"
            onChange={(e) => setTtlDraft(e.target.value)}
            size={7}
          />
        </label>
        <button type="submit">Set</button>
      </fieldset>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
      {entries.length > 0 ? (
        <ul className="key-ttl-list">
          {entries.map(([key, ttl]) => (
            <li key={key}>
              key {key}: {ttl} ms{' '}
              <button
                type="button"
                onClick={() => send({ type: 'setKeyTtl', key: Number(key), ttlMs: null })}
              >
                Reset<span className="visually-hidden"> key {key}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}

function CompareForm({
  current,
  onApply,
}: {
  current: string;
  onApply: (compare: string) => void;
}) {
  const [picked, setPicked] = useState<PolicyName[]>(parsePolicyList(current) ?? []);
  useEffect(() => setPicked(parsePolicyList(current) ?? []), [current]);
  const valid = picked.length >= COMPARE_MIN && picked.length <= COMPARE_MAX;
  return (
    <section className="panel" aria-labelledby="compare-title">
      <h2 id="compare-title">Compare policies</h2>
      <ChoiceGroup
        type="checkbox"
        className="compare-picks"
        legend={`Pick ${COMPARE_MIN} to ${COMPARE_MAX}, run side by side on the same requests`}
        options={POLICY_NAMES.map((p) => ({
          value: p,
          label: policyLabel(p),
          testId: `compare-${p}`,
        }))}
        value={picked}
        onChange={(p, on) => setPicked((list) => (on ? [...list, p] : list.filter((x) => x !== p)))}
      />
      <p className="muted" aria-live="polite">
        {picked.length} picked{valid ? '' : ` (need ${COMPARE_MIN} to ${COMPARE_MAX})`}
      </p>
      <button
        type="button"
        data-testid="compare-apply"
        disabled={!valid}
        onClick={() => onApply(picked.join(','))}
      >
        Compare
      </button>{' '}
      {current !== '' ? (
        <button type="button" onClick={() => onApply('')}>
          Stop comparing
        </button>
      ) : null}
    </section>
  );
}
