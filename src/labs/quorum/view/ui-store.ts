/**
 * Page-local UI state shared by the stage, the history diagram and the checker panel: the cached
 * history (the snapshot sends it only when it changed), the highlighted operations, the key shown.
 */
import { createStore, type StoreApi } from 'zustand';
import type { Session, SessionState } from '../../../app/session';
import type { HistoryOp } from '../sim/model';
import type { QuorumSnapshot } from '../sim/snapshot';

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
    if (part && part.version !== ui.getState().historyVersion) {
      ui.setState({ history: part.ops, historyVersion: part.version });
    }
  };
  take(session.store.getState());
  return session.store.subscribe(take);
}
