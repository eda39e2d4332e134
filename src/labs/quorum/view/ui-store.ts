/**
 * Page-local UI state shared by the stage, the history diagram and the checker panel: the cached
 * history (the snapshot sends it only when it changed), the highlighted operations, the key shown.
 */
import { createStore, type StoreApi } from 'zustand';
import type { Session, SessionState } from '../../../app/session';
import type { HistoryOp } from '../sim/model';
import { applyHistoryPart, type QuorumSnapshot } from '../sim/snapshot';

export interface QuorumUiState {
  history: HistoryOp[];
  historyVersion: string;
  highlight: { opIds: number[]; label: string } | null;
  shownKey: number;
  historyWindowMs: number;
}

export type QuorumUi = StoreApi<QuorumUiState>;

export function createQuorumUi(): QuorumUi {
  return createStore<QuorumUiState>(() => ({
    history: [],
    historyVersion: '',
    highlight: null,
    shownKey: 0,
    historyWindowMs: 5_000,
  }));
}

/** Keeps the cached history in step with the session's snapshots; returns the unsubscribe. */
export function followHistory(session: Session, ui: QuorumUi): () => void {
  const take = (state: SessionState) => {
    const snapshot = state.snapshot as QuorumSnapshot | null;
    const part = snapshot?.history;
    const held = ui.getState();
    if (!part || part.version === held.historyVersion) return;
    // A change list applies only to the version it was computed from. The worker computes it
    // from the version it last sent, and every snapshot reaches this subscriber in order (the
    // first one, sent whole, is taken above when the subscription starts).
    if (part.base !== null && part.base !== held.historyVersion) return;
    ui.setState({ history: applyHistoryPart(held.history, part), historyVersion: part.version });
  };
  take(session.store.getState());
  return session.store.subscribe(take);
}
