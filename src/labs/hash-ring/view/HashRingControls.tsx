/** The hash-ring lab's controls: servers, ring settings, keys and the request workload. */
import { useEffect, useId, useState } from 'react';
import { formatCount } from '../../../app/format';
import { currentTheme, seriesColor } from '../../../app/palette';
import type { Session } from '../../../app/session';
import { ChoiceGroup } from '../../../app/ui/ChoiceGroup';
import { NumberField } from '../../../app/ui/NumberField';
import {
  HASH_NAMES,
  type HashName,
  KEY_NAME_LENGTH_MAX,
  KEYS_BULK_MAX,
  REPLICATION_FACTOR_MAX,
  REQUESTS_PER_SECOND_MAX,
  VNODES_PER_SERVER_MAX,
  WEIGHT_MAX,
} from '../sim/constants';
import type { HashRingCommand } from '../sim/model';
import { useHashRingSettings, type useHashRingSnapshot } from './HashRingPage';

export function HashRingControls({
  session,
  send,
}: {
  session: Session;
  send: (command: HashRingCommand) => void;
}) {
  const snapshot = useHashRingSettings(session);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (
        (event.key === 'a' || event.key === 'A') &&
        !event.ctrlKey &&
        !event.metaKey &&
        !event.altKey
      ) {
        send({ type: 'addServer' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send]);
  if (!snapshot) return null;
  const config = snapshot.config;
  return (
    <div className="controls">
      <section className="panel" aria-labelledby="ring-settings-title">
        <h2 id="ring-settings-title">Ring</h2>
        <NumberField
          label="Virtual nodes per server"
          testId="vnodes-field"
          value={config.vnodesPerServer}
          min={1}
          max={VNODES_PER_SERVER_MAX}
          logScale
          onCommit={(vnodesPerServer) => send({ type: 'setVnodes', vnodesPerServer })}
        />
        <NumberField
          label="Replication factor"
          value={config.replicationFactor}
          min={1}
          max={REPLICATION_FACTOR_MAX}
          onCommit={(replicationFactor) =>
            send({ type: 'setReplicationFactor', replicationFactor })
          }
        />
        <label className="select-field">
          Hash function
          <select
            value={config.hash}
            onChange={(e) => send({ type: 'setHash', hash: e.target.value as HashName })}
          >
            {HASH_NAMES.map((name) => (
              <option key={name} value={name}>
                {HASH_LABELS[name]}
              </option>
            ))}
          </select>
        </label>
      </section>
      <ServerList snapshot={snapshot} send={send} />
      <KeysPanel
        send={send}
        keysTotal={snapshot.keysTotal}
        namedCount={snapshot.namedKeysCount}
        hasLookup={snapshot.lookup !== null}
      />
      <section className="panel" aria-labelledby="workload-title">
        <h2 id="workload-title">Requests</h2>
        <ChoiceGroup
          type="radio"
          className="radio-row"
          legend="Key popularity"
          options={[
            { value: 'uniform', label: 'Uniform' },
            { value: 'zipf', label: 'Zipf (skewed)' },
          ]}
          value={config.popularity}
          onChange={(popularity) => send({ type: 'setWorkload', ...workload(config), popularity })}
        />
        {config.popularity === 'zipf' ? (
          <NumberField
            label="Zipf exponent s"
            value={config.zipfExponent}
            min={0}
            max={3}
            step={0.1}
            integer={false}
            onCommit={(zipfExponent) =>
              send({ type: 'setWorkload', ...workload(config), zipfExponent })
            }
          />
        ) : null}
        <NumberField
          label="Requests per second"
          unit="virtual"
          value={config.requestsPerSecond}
          min={0}
          max={REQUESTS_PER_SECOND_MAX}
          onCommit={(requestsPerSecond) =>
            send({ type: 'setWorkload', ...workload(config), requestsPerSecond })
          }
        />
      </section>
    </div>
  );
}

const HASH_LABELS: Record<HashName, string> = {
  murmur3: 'MurmurHash3 (x86, 32-bit)',
  fnv1a: 'FNV-1a (32-bit)',
  xxhash32: 'xxHash32',
};

function workload(config: {
  popularity: 'uniform' | 'zipf';
  zipfExponent: number;
  requestsPerSecond: number;
}) {
  return {
    popularity: config.popularity,
    zipfExponent: config.zipfExponent,
    requestsPerSecond: config.requestsPerSecond,
  };
}

function ServerList({
  snapshot,
  send,
}: {
  snapshot: NonNullable<ReturnType<typeof useHashRingSnapshot>>;
  send: (command: HashRingCommand) => void;
}) {
  const theme = currentTheme();
  return (
    <section className="panel" aria-labelledby="servers-title">
      <h2 id="servers-title">Servers ({snapshot.servers.length})</h2>
      {snapshot.servers.length === 0 ? <p className="muted">No servers: add one.</p> : null}
      <ul className="server-list" data-testid="server-list">
        {snapshot.servers.map((server, index) => (
          <li
            key={server.id}
            id={`server-row-${server.id}`}
            className={server.failed ? 'is-failed' : ''}
          >
            <span
              className="swatch"
              style={{ background: seriesColor(index, theme) }}
              aria-hidden="true"
            />
            <span className="server-name">{server.id}</span>
            <span className="server-keys">{formatCount(server.keyCount)} keys</span>
            <label className="weight">
              <span className="visually-hidden">Weight of {server.id}</span>
              <select
                value={server.weight}
                onChange={(e) =>
                  send({ type: 'setWeight', serverId: server.id, weight: Number(e.target.value) })
                }
              >
                {Array.from({ length: WEIGHT_MAX }, (_, i) => i + 1).map((w) => (
                  <option key={w} value={w}>
                    ×{w}
                  </option>
                ))}
              </select>
            </label>
            <button
              type="button"
              aria-pressed={server.failed}
              onClick={() =>
                send({ type: 'setFailed', serverId: server.id, failed: !server.failed })
              }
            >
              {server.failed ? 'Recover' : 'Fail'}
              <span className="visually-hidden"> {server.id}</span>
            </button>
            <button
              type="button"
              onClick={() => send({ type: 'removeServer', serverId: server.id })}
            >
              Remove<span className="visually-hidden"> {server.id}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function KeysPanel({
  send,
  keysTotal,
  namedCount,
  hasLookup,
}: {
  send: (command: HashRingCommand) => void;
  keysTotal: number;
  namedCount: number;
  hasLookup: boolean;
}) {
  const [keyDraft, setKeyDraft] = useState('');
  const [lookupDraft, setLookupDraft] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const validKey = (text: string) => {
    const trimmed = text.trim();
    if (trimmed.length === 0) return 'Type a key first.';
    if (trimmed.length > KEY_NAME_LENGTH_MAX)
      return `Keys are at most ${KEY_NAME_LENGTH_MAX} characters.`;
    return null;
  };
  return (
    <section className="panel" aria-labelledby="keys-title">
      <h2 id="keys-title">Keys ({formatCount(keysTotal)})</h2>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const problem = validKey(keyDraft);
          setError(problem);
          if (problem) return;
          send({ type: 'addKey', key: keyDraft.trim() });
          setKeyDraft('');
        }}
      >
        <label htmlFor={`${id}-key`}>Add a key</label>
        <input
          id={`${id}-key`}
          value={keyDraft}
          onChange={(e) => setKeyDraft(e.target.value)}
          placeholder="user:42"
          data-testid="add-key-input"
        />
        <button type="submit">Add</button>
      </form>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          const problem = validKey(lookupDraft);
          setError(problem);
          if (problem) return;
          send({ type: 'lookup', key: lookupDraft.trim() });
        }}
      >
        <label htmlFor={`${id}-lookup`}>Look up a key</label>
        <input
          id={`${id}-lookup`}
          value={lookupDraft}
          onChange={(e) => setLookupDraft(e.target.value)}
          placeholder="photo:7"
          data-testid="lookup-input"
        />
        <button type="submit">Look up</button>
        {hasLookup ? (
          <button
            type="button"
            className="clear-lookup"
            onClick={() => send({ type: 'lookup', key: null })}
          >
            Clear the lookup
          </button>
        ) : null}
      </form>
      {error ? (
        <p role="alert" className="field-error">
          {error}
        </p>
      ) : null}
      <NumberField
        label="Generated keys"
        testId="bulk-keys-field"
        value={keysTotal - namedCount}
        min={0}
        max={KEYS_BULK_MAX}
        logScale
        onCommit={(count) => send({ type: 'setBulkKeys', count })}
      />
      <button type="button" onClick={() => send({ type: 'clearKeys' })}>
        Remove all keys
      </button>
    </section>
  );
}
