/** The webhooks-vs-polling lab as a LabSim the worker runner can drive. */
import type { LabSim } from '../../../kernel/sim';
import { checkWebhooksInvariants } from './invariants';
import {
  advanceWebhooks,
  applyWebhooksCommand,
  createWebhooksState,
  nextWebhooksEventAtMs,
  type WebhooksCommand,
  type WebhooksConfig,
  type WebhooksState,
} from './model';
import { viewWebhooks, type WebhooksSnapshot } from './snapshot';

export const webhooksSim: LabSim<WebhooksConfig, WebhooksState, WebhooksCommand, WebhooksSnapshot> =
  {
    id: 'webhooks',
    create: createWebhooksState,
    apply: applyWebhooksCommand,
    advanceTo: advanceWebhooks,
    nextEventAtMs: nextWebhooksEventAtMs,
    nowMs: (state) => state.nowMs,
    events: (state) => state.events,
    view: (state) => viewWebhooks(state),
    checkInvariants: checkWebhooksInvariants,
  };

export default webhooksSim;
