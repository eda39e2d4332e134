/** The lab's controls: the ring (size, UIDs, timing), actions, and every node's state and view. */
import { useEffect, useId, useState } from 'react';
import type { Session } from '../../../app/session';
import { ChoiceGroup } from '../../../app/ui/ChoiceGroup';
import { NumberField } from '../../../app/ui/NumberField';
import {
  type Arrangement,
  DELAY_MS_MAX,
  DELAY_MS_MIN,
  NODES_MIN,
  NODES_STAGE_MAX,
  parseUidList,
} from '../sim/constants';
import type { LeaderElectionCommand, LeaderElectionConfig } from '../sim/model';
import type { LeaderElectionSnapshot } from '../sim/snapshot';
import { STATE_STYLE } from './election-view';
import { useElectionSnapshot } from './LeaderElectionPage';

const ARRANGEMENT_LABELS: Record<Arrangement, string> = {
  random: 'Random',
  ascending: 'Ascending clockwise (best case)',
  descending: 'Descending clockwise (worst case)',
  typed: 'Typed in',
};

export function ElectionControls({
  session,
  config,
  selected,
  onSelect,
  onConfig,
  send,
}: {
  session: Session;
  config: LeaderElectionConfig;
  selected: number | null;
  onSelect: (index: number | null) => void;
  onConfig: (patch: Partial<LeaderElectionConfig>) => void;
  send: (command: LeaderElectionCommand) => void;
}) {
  const snapshot = useElectionSnapshot(session);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (
        (event.key === 'r' || event.key === 'R') &&
        !event.ctrlKey &&
        !event.metaKey &&
        !event.altKey
      ) {
        send({ type: 'restart' });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send]);
  return (
    <div className="controls">
      <RingSettings config={config} onConfig={onConfig} n={snapshot?.uids.length ?? config.nodes} />
      <section className="panel" aria-labelledby="actions-title">
        <h2 id="actions-title">Actions</h2>
        <div className="action-row">
          <button
            type="button"
            onClick={() => send({ type: 'restart' })}
            data-testid="restart"
            aria-keyshortcuts="R"
          >
            Restart election
          </button>
          <button
            type="button"
            onClick={() => send({ type: 'crashLeader' })}
            data-testid="crash-leader"
            disabled={snapshot?.leaderIndex === null}
          >
            Crash the leader
          </button>
        </div>
        <p className="muted">
          {config.mode === 'bully'
            ? 'Crash and recover nodes below or on the stage (C). Bully notices a silent leader by timeout.'
            : 'Crash a node mid-election below or on the stage (C): LCR has no timeouts, so it never finishes.'}
        </p>
      </section>
      {snapshot ? (
        <NodeTable snapshot={snapshot} selected={selected} onSelect={onSelect} send={send} />
      ) : null}
    </div>
  );
}

function RingSettings({
  config,
  onConfig,
  n,
}: {
  config: LeaderElectionConfig;
  onConfig: (patch: Partial<LeaderElectionConfig>) => void;
  n: number;
}) {
  const id = useId();
  const [draft, setDraft] = useState(config.uids);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setDraft(config.uids), [config.uids]);
  return (
    <section className="panel" aria-labelledby="ring-settings-title">
      <h2 id="ring-settings-title">{config.mode === 'bully' ? 'Group' : 'Ring'}</h2>
      <NumberField
        label="Nodes"
        testId="nodes-field"
        value={config.arrangement === 'typed' ? n : config.nodes}
        min={NODES_MIN}
        max={NODES_STAGE_MAX}
        onCommit={(nodes) =>
          onConfig({
            nodes,
            ...(config.arrangement === 'typed' ? { arrangement: 'random' as const } : {}),
          })
        }
      />
      <ChoiceGroup
        type="radio"
        className="radio-column"
        legend="UIDs"
        options={(Object.keys(ARRANGEMENT_LABELS) as Arrangement[]).map((arrangement) => ({
          value: arrangement,
          label: ARRANGEMENT_LABELS[arrangement],
        }))}
        value={config.arrangement}
        onChange={(arrangement) => {
          // Typed UIDs need the list first: the radio takes the learner to the field for it.
          if (arrangement !== 'typed') onConfig({ arrangement });
          else document.getElementById(`${id}-uids`)?.focus();
        }}
      />
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          const parsed = parseUidList(draft);
          if (!parsed.ok) {
            setError(parsed.message);
            return;
          }
          setError(null);
          onConfig({ arrangement: 'typed', uids: parsed.uids.join(',') });
        }}
      >
        <label htmlFor={`${id}-uids`}>Type UIDs clockwise from node 0</label>
        <input
          id={`${id}-uids`}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          placeholder="e.g. 12, 5, 40, 7"
          data-testid="uids-input"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-uids-error` : undefined}
        />
        <button type="submit" data-testid="uids-apply">
          Use these
        </button>
      </form>
      {error ? (
        <p role="alert" id={`${id}-uids-error`} className="field-error" data-testid="uids-error">
          {error}
        </p>
      ) : null}
      <ChoiceGroup
        type="radio"
        className="radio-row"
        legend="Timing"
        options={[
          { value: 'sync', label: 'Synchronous rounds' },
          { value: 'async', label: 'Asynchronous (random delays)' },
        ]}
        value={config.timing}
        onChange={(timing) => onConfig({ timing })}
      />
      <NumberField
        label={config.timing === 'sync' ? 'Round length' : 'Mean link delay'}
        unit="virtual ms"
        value={config.delayMs}
        min={DELAY_MS_MIN}
        max={DELAY_MS_MAX}
        logScale
        onCommit={(delayMs) => onConfig({ delayMs })}
      />
    </section>
  );
}

function NodeTable({
  snapshot,
  selected,
  onSelect,
  send,
}: {
  snapshot: LeaderElectionSnapshot;
  selected: number | null;
  onSelect: (index: number | null) => void;
  send: (command: LeaderElectionCommand) => void;
}) {
  const bully = snapshot.bully;
  const ring = snapshot.lcr;
  const rows = bully
    ? bully.nodes.map((node) => ({
        index: node.index,
        uid: node.id,
        state: node.state,
        seen: node.leaderId === null ? '—' : `follows ${node.leaderId}`,
        received: node.received,
      }))
    : (ring?.nodes ?? []).map((node) => ({
        index: node.index,
        uid: node.uid,
        state: node.state,
        seen: `max ${node.maxSeen}${node.knownLeaderUid === null ? '' : ' ✓'}`,
        received: node.received,
      }));
  return (
    <section className="panel" aria-labelledby="nodes-title">
      <h2 id="nodes-title">Nodes ({rows.length})</h2>
      {selected !== null && rows[selected] ? (
        <p className="node-detail" data-testid="node-detail" aria-live="polite">
          Node {selected} (UID {rows[selected]!.uid}) is {STATE_STYLE[rows[selected]!.state]?.label}
          : {describeSeen(snapshot, selected)}
        </p>
      ) : null}
      <div className="node-table-scroll">
        <table className="node-table" data-testid="node-table">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">UID</th>
              <th scope="col">State</th>
              <th scope="col">{bully ? 'Leader' : 'Seen'}</th>
              <th scope="col">Recv</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.index}
                className={`${row.index === selected ? 'is-selected' : ''} ${row.state === 'crashed' ? 'is-crashed' : ''}`}
                data-testid={`node-row-${row.index}`}
              >
                <th scope="row">
                  <button type="button" className="link-button" onClick={() => onSelect(row.index)}>
                    {row.index}
                  </button>
                </th>
                <td>{row.uid}</td>
                <td data-testid={`node-state-${row.index}`}>
                  {STATE_STYLE[row.state]?.label ?? row.state}
                </td>
                <td>{row.seen}</td>
                <td>{row.received}</td>
                <td>
                  {row.state === 'crashed' ? (
                    bully ? (
                      <button
                        type="button"
                        onClick={() => send({ type: 'recover', node: row.index })}
                      >
                        Recover<span className="visually-hidden"> node {row.index}</span>
                      </button>
                    ) : null
                  ) : (
                    <button
                      type="button"
                      data-testid={`crash-${row.index}`}
                      onClick={() => send({ type: 'crash', node: row.index })}
                    >
                      Crash<span className="visually-hidden"> node {row.index}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function describeSeen(snapshot: LeaderElectionSnapshot, index: number): string {
  if (snapshot.bully) {
    const node = snapshot.bully.nodes[index];
    if (!node) return '';
    return `it follows ${node.leaderId ?? 'nobody'}, has received ${node.received} and sent ${node.sent} messages, and started ${node.electionsStarted} elections.`;
  }
  const parts: string[] = [];
  for (const run of [snapshot.lcr, snapshot.hs]) {
    const node = run?.nodes[index];
    if (!run || !node) continue;
    parts.push(
      `${run.algorithm.toUpperCase()}: largest UID seen ${node.maxSeen}, ${node.received} received, ${node.forwarded} passed on${
        node.knownLeaderUid === null
          ? ', leader not yet known'
          : `, knows leader ${node.knownLeaderUid}`
      }${run.algorithm === 'hs' ? `, phase ${node.phase}` : ''}.`,
    );
  }
  return parts.join(' ');
}
