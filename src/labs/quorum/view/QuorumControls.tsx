/** The quorum lab's controls: cluster shape, quorums, CP/AP, repair, workload, network and faults. */
import { useEffect, useId, useState } from 'react';
import { useStore } from 'zustand';
import type { Session } from '../../../app/session';
import { ChoiceGroup } from '../../../app/ui/ChoiceGroup';
import { NumberField } from '../../../app/ui/NumberField';
import {
  ANTI_ENTROPY_PERIOD_MS_MAX,
  ANTI_ENTROPY_PERIOD_MS_MIN,
  type AntiEntropyMode,
  BIO_TEXT_MAX,
  CLIENTS_MAX,
  KEYS_MAX,
  keyName,
  LATENCY_MS_MAX,
  LATENCY_MS_MIN,
  OPS_PER_SECOND_MAX,
  REPLICAS_MAX,
  REPLICAS_MIN,
  type ReadRepairMode,
  SLOW_FACTOR_MAX,
  SPARES_MAX,
  TIMEOUT_MS_MAX,
  TIMEOUT_MS_MIN,
} from '../sim/constants';
import type { QuorumCommand, QuorumConfig } from '../sim/model';
import type { QuorumSnapshot } from '../sim/snapshot';
import { useQuorumSettings, useQuorumSnapshot } from './QuorumPage';
import type { QuorumUi } from './ui-store';

export function QuorumControls({
  session,
  ui,
  send,
  onNewConfig,
}: {
  session: Session;
  ui: QuorumUi;
  send: (command: QuorumCommand) => void;
  onNewConfig: (patch: Partial<QuorumConfig>) => void;
}) {
  const snapshot = useQuorumSettings(session);
  const shownKey = useStore(ui, (s) => s.shownKey);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const key = event.key.toLowerCase();
      if (key === 'h') send({ type: 'heal' });
      else if (key === 'w') send({ type: 'clientWrite', client: 0, key: shownKey });
      else if (key === 'r') send({ type: 'clientRead', client: 0, key: shownKey });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send, shownKey]);
  if (!snapshot) return null;
  const config = snapshot.config;
  return (
    <div className="controls">
      <ClientPanel session={session} snapshot={snapshot} send={send} shownKey={shownKey} />
      <QuorumPanel config={config} send={send} onNewConfig={onNewConfig} />
      <PartitionPanel snapshot={snapshot} send={send} />
      <RepairPanel config={config} send={send} />
      <WorkloadPanel config={config} send={send} onNewConfig={onNewConfig} />
    </div>
  );
}

function ClientPanel({
  session,
  snapshot,
  send,
  shownKey,
}: {
  session: Session;
  snapshot: QuorumSnapshot;
  send: (command: QuorumCommand) => void;
  shownKey: number;
}) {
  const id = useId();
  const [client, setClient] = useState(0);
  const [key, setKey] = useState(0);
  const [text, setText] = useState('');
  useEffect(() => setKey(shownKey), [shownKey]);
  const safeClient = Math.min(client, snapshot.clients.length - 1);
  const safeKey = Math.min(key, snapshot.config.keys - 1);
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Clients</h2>
      <div className="row-fields">
        <label className="select-field">
          Client
          <select
            value={safeClient}
            onChange={(e) => setClient(Number(e.target.value))}
            data-testid="client-select"
          >
            {snapshot.clients.map((c, i) => (
              <option key={c.id} value={i}>
                {c.id} (via {c.coordinator})
              </option>
            ))}
          </select>
        </label>
        <label className="select-field">
          Key
          <select value={safeKey} onChange={(e) => setKey(Number(e.target.value))}>
            {Array.from({ length: snapshot.config.keys }, (_, k) => (
              <option key={keyName(k)} value={k}>
                {keyName(k)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="select-field" htmlFor={`${id}-text`}>
        Text to write (optional)
      </label>
      <input
        id={`${id}-text`}
        className="text-input"
        value={text}
        maxLength={BIO_TEXT_MAX}
        placeholder="Hiking and tea"
        onChange={(e) => setText(e.target.value)}
        data-testid="write-text"
      />
      <div className="button-row">
        <button
          type="button"
          data-testid="client-write"
          aria-keyshortcuts="W"
          onClick={() =>
            send({
              type: 'clientWrite',
              client: safeClient,
              key: safeKey,
              ...(text.trim() ? { text: text.trim() } : {}),
            })
          }
        >
          Write
        </button>
        <button
          type="button"
          data-testid="client-read"
          aria-keyshortcuts="R"
          onClick={() => send({ type: 'clientRead', client: safeClient, key: safeKey })}
        >
          Read
        </button>
      </div>
      <ClientBusy session={session} client={safeClient} />
    </section>
  );
}

/** Whether the chosen client waits for an answer: a steady readout (four times a second). */
function ClientBusy({ session, client }: { session: Session; client: number }) {
  const snapshot = useQuorumSnapshot(session);
  const busy = snapshot?.clients[client]?.busy ?? null;
  return (
    <p className="muted" aria-live="polite">
      {busy
        ? `${snapshot?.clients[client]?.id} is waiting for its ${busy}…`
        : 'Each client talks to its coordinator replica.'}
    </p>
  );
}

function QuorumPanel({
  config,
  send,
  onNewConfig,
}: {
  config: QuorumConfig;
  send: (command: QuorumCommand) => void;
  onNewConfig: (patch: Partial<QuorumConfig>) => void;
}) {
  const overlap = config.writeQuorum + config.readQuorum - config.replicas;
  return (
    <section className="panel" aria-labelledby="quorum-title">
      <h2 id="quorum-title">Quorums</h2>
      <NumberField
        label="N (replicas, starts a new run)"
        testId="replicas-field"
        value={config.replicas}
        min={REPLICAS_MIN}
        max={REPLICAS_MAX}
        onCommit={(replicas) =>
          onNewConfig({
            replicas,
            writeQuorum: Math.min(config.writeQuorum, replicas),
            readQuorum: Math.min(config.readQuorum, replicas),
          })
        }
      />
      <NumberField
        label="W (write quorum)"
        testId="w-field"
        value={config.writeQuorum}
        min={1}
        max={config.replicas}
        onCommit={(writeQuorum) =>
          send({ type: 'setQuorum', writeQuorum, readQuorum: config.readQuorum })
        }
      />
      <NumberField
        label="R (read quorum)"
        testId="r-field"
        value={config.readQuorum}
        min={1}
        max={config.replicas}
        onCommit={(readQuorum) =>
          send({ type: 'setQuorum', writeQuorum: config.writeQuorum, readQuorum })
        }
      />
      <OverlapDiagram config={config} />
      <p className={overlap > 0 ? 'overlap-ok' : 'overlap-warn'} data-testid="overlap-text">
        {overlap > 0
          ? `W + R > N: every read quorum shares ≥ ${overlap} replica${overlap === 1 ? '' : 's'} with every write quorum.`
          : 'W + R ≤ N: a read quorum can miss the newest write entirely.'}
      </p>
      <ChoiceGroup
        type="radio"
        className="radio-row"
        legend="During a partition"
        options={[
          { value: 'cp', label: 'CP: refuse without a quorum', testId: 'mode-cp' },
          { value: 'ap', label: 'AP: sloppy quorum + hints', testId: 'mode-ap' },
        ]}
        value={config.mode}
        onChange={(mode) => send({ type: 'setMode', mode })}
      />
      <ChoiceGroup
        type="radio"
        className="radio-row"
        legend="Conflicts (starts a new run)"
        options={[
          { value: 'lww', label: 'Last write wins' },
          { value: 'vclock', label: 'Vector clocks (siblings)' },
        ]}
        value={config.conflict}
        onChange={(conflict) => onNewConfig({ conflict })}
      />
    </section>
  );
}

/** N boxes: W from the left, R from the right; boxes in both are the guaranteed overlap. */
function OverlapDiagram({ config }: { config: QuorumConfig }) {
  const { replicas, writeQuorum, readQuorum } = config;
  return (
    <div className="overlap-diagram" aria-hidden="true">
      {Array.from({ length: replicas }, (_, i) => {
        const inWrite = i < writeQuorum;
        const inRead = i >= replicas - readQuorum;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: boxes are positions, not items.
          <span key={i} className={`box${inWrite ? ' in-w' : ''}${inRead ? ' in-r' : ''}`}>
            {inWrite && inRead ? '∩' : inWrite ? 'W' : inRead ? 'R' : ''}
          </span>
        );
      })}
    </div>
  );
}

function PartitionPanel({
  snapshot,
  send,
}: {
  snapshot: QuorumSnapshot;
  send: (command: QuorumCommand) => void;
}) {
  const ids = snapshot.servers.map((s) => s.id);
  const [isolateId, setIsolateId] = useState('R3');
  const [linkA, setLinkA] = useState('R1');
  const [linkB, setLinkB] = useState('R2');
  const [factor, setFactor] = useState(10);
  const [loss, setLoss] = useState(0);
  const groupOf = (id: string) => snapshot.servers.find((s) => s.id === id)?.side ?? -1;
  const [draft, setDraft] = useState<Record<string, number>>({});
  const draftSide = (id: string) => draft[id] ?? Math.max(0, groupOf(id) < 0 ? 0 : groupOf(id));
  const safeIsolate = ids.includes(isolateId) ? isolateId : (ids[0] ?? 'R1');
  return (
    <section className="panel" aria-labelledby="partition-title">
      <h2 id="partition-title">Partitions and links</h2>
      <p className="muted" data-testid="partition-state">
        {snapshot.groups ? `Partitioned: ${describeGroups(snapshot)}` : 'The network is whole.'}
      </p>
      <div className="button-row">
        <label className="select-field inline">
          <span className="visually-hidden">Server to isolate</span>
          <select
            value={safeIsolate}
            onChange={(e) => setIsolateId(e.target.value)}
            data-testid="isolate-select"
          >
            {ids.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => send({ type: 'isolate', nodeId: safeIsolate })}
          data-testid="isolate"
        >
          Isolate
        </button>
        <button
          type="button"
          onClick={() => send({ type: 'heal' })}
          data-testid="heal"
          aria-keyshortcuts="H"
        >
          Heal
        </button>
      </div>
      <fieldset className="group-grid">
        <legend>Groups (pick a side per server, then apply)</legend>
        {ids.map((id) => (
          <label key={id}>
            {id}
            <select
              value={draftSide(id)}
              onChange={(e) => setDraft((d) => ({ ...d, [id]: Number(e.target.value) }))}
            >
              {[0, 1, 2].map((side) => (
                <option key={side} value={side}>
                  {String.fromCharCode(65 + side)}
                </option>
              ))}
            </select>
          </label>
        ))}
      </fieldset>
      <button
        type="button"
        data-testid="apply-groups"
        onClick={() => {
          const groups: string[][] = [[], [], []];
          for (const id of ids) groups[draftSide(id)]?.push(id);
          const used = groups.filter((g) => g.length > 0);
          send(used.length <= 1 ? { type: 'heal' } : { type: 'setPartition', groups: used });
        }}
      >
        Apply groups
      </button>
      <fieldset className="slow-link">
        <legend>One slow or lossy link</legend>
        <div className="row-fields">
          {[
            ['From', linkA, setLinkA],
            ['To', linkB, setLinkB],
          ].map(([label, value, set]) => (
            <label key={label as string} className="select-field">
              {label as string}
              <select
                value={value as string}
                onChange={(e) => (set as (v: string) => void)(e.target.value)}
              >
                {ids.map((id) => (
                  <option key={id} value={id}>
                    {id}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </div>
        <NumberField
          label="Slower by"
          unit="×"
          value={factor}
          min={1}
          max={SLOW_FACTOR_MAX}
          onCommit={setFactor}
        />
        <NumberField
          label="Loss on it"
          unit="%"
          value={loss}
          min={0}
          max={100}
          onCommit={setLoss}
        />
        <div className="button-row">
          <button
            type="button"
            onClick={() =>
              send({ type: 'setSlowLink', a: linkA, b: linkB, factor, lossPercent: loss })
            }
            disabled={linkA === linkB}
          >
            Apply to link
          </button>
          <button
            type="button"
            onClick={() => send({ type: 'clearSlowLink' })}
            disabled={!snapshot.slowLink}
          >
            Restore link
          </button>
        </div>
      </fieldset>
    </section>
  );
}

export function describeGroups(snapshot: QuorumSnapshot): string {
  const groups = snapshot.groups ?? [];
  const listed = new Set(groups.flat());
  const rest = snapshot.servers.map((s) => s.id).filter((id) => !listed.has(id));
  return [...groups, ...(rest.length > 0 ? [rest] : [])]
    .map((g) => `{${g.join(', ')}}`)
    .join(' | ');
}

function RepairPanel({
  config,
  send,
}: {
  config: QuorumConfig;
  send: (command: QuorumCommand) => void;
}) {
  return (
    <section className="panel" aria-labelledby="repair-title">
      <h2 id="repair-title">Convergence</h2>
      <label className="select-field">
        Read repair
        <select
          value={config.readRepair}
          onChange={(e) =>
            send({ type: 'setReadRepair', readRepair: e.target.value as ReadRepairMode })
          }
          data-testid="read-repair"
        >
          <option value="blocking">Blocking (write back to W before answering)</option>
          <option value="async">In the background</option>
          <option value="off">Off</option>
        </select>
      </label>
      <label className="select-field">
        Anti-entropy
        <select
          value={config.antiEntropy}
          onChange={(e) =>
            send({
              type: 'setAntiEntropy',
              antiEntropy: e.target.value as AntiEntropyMode,
              periodMs: config.antiEntropyPeriodMs,
            })
          }
          data-testid="anti-entropy"
        >
          <option value="merkle">Merkle tree summary</option>
          <option value="full">Full exchange</option>
          <option value="off">Off</option>
        </select>
      </label>
      <NumberField
        label="Anti-entropy period"
        unit="ms"
        value={config.antiEntropyPeriodMs}
        min={ANTI_ENTROPY_PERIOD_MS_MIN}
        max={ANTI_ENTROPY_PERIOD_MS_MAX}
        logScale
        onCommit={(periodMs) =>
          send({ type: 'setAntiEntropy', antiEntropy: config.antiEntropy, periodMs })
        }
      />
    </section>
  );
}

function WorkloadPanel({
  config,
  send,
  onNewConfig,
}: {
  config: QuorumConfig;
  send: (command: QuorumCommand) => void;
  onNewConfig: (patch: Partial<QuorumConfig>) => void;
}) {
  return (
    <section className="panel" aria-labelledby="workload-title">
      <h2 id="workload-title">Workload and network</h2>
      <NumberField
        label="Operations per second"
        unit="virtual"
        testId="ops-field"
        value={config.opsPerSecond}
        min={0}
        max={OPS_PER_SECOND_MAX}
        onCommit={(opsPerSecond) =>
          send({ type: 'setWorkload', opsPerSecond, writePercent: config.writePercent })
        }
      />
      <NumberField
        label="Writes"
        unit="%"
        value={config.writePercent}
        min={0}
        max={100}
        onCommit={(writePercent) =>
          send({ type: 'setWorkload', opsPerSecond: config.opsPerSecond, writePercent })
        }
      />
      <NumberField
        label="Link latency (mean)"
        unit="ms"
        value={config.latencyMs}
        min={LATENCY_MS_MIN}
        max={LATENCY_MS_MAX}
        logScale
        onCommit={(latencyMs) =>
          send({ type: 'setNetwork', latencyMs, lossPercent: config.lossPercent })
        }
      />
      <NumberField
        label="Message loss"
        unit="%"
        value={config.lossPercent}
        min={0}
        max={100}
        onCommit={(lossPercent) =>
          send({ type: 'setNetwork', latencyMs: config.latencyMs, lossPercent })
        }
      />
      <details>
        <summary>Cluster shape (starts a new run)</summary>
        <NumberField
          label="Clients"
          value={config.clients}
          min={1}
          max={CLIENTS_MAX}
          onCommit={(clients) => onNewConfig({ clients })}
        />
        <NumberField
          label="Keys"
          value={config.keys}
          min={1}
          max={KEYS_MAX}
          onCommit={(keys) => onNewConfig({ keys })}
        />
        <NumberField
          label="Spare nodes"
          value={config.spares}
          min={0}
          max={SPARES_MAX}
          onCommit={(spares) => onNewConfig({ spares })}
        />
        <NumberField
          label="Request timeout"
          unit="ms"
          value={config.timeoutMs}
          min={TIMEOUT_MS_MIN}
          max={TIMEOUT_MS_MAX}
          logScale
          onCommit={(timeoutMs) => onNewConfig({ timeoutMs })}
        />
      </details>
    </section>
  );
}
