/**
 * A simulated network between named nodes, as plain data.
 *
 * Messages are data with sentAtMs and deliverAtMs (or droppedAtMs), so a view can place any
 * message exactly at any time by interpolation. Every message sendMessage returns comes out of
 * deliverDue exactly once, delivered or dropped, so a lab handles outcomes in one place.
 *
 * Fates:
 * - sender down at send: dropped at once ('node-down');
 * - sender and recipient on different sides of a partition at send: dropped halfway ('partition');
 * - lost on the link: dropped halfway ('loss'), so a view shows it dying on the wire;
 * - otherwise it arrives at sentAtMs + sampled latency, unless at that moment the recipient is
 *   down ('node-down') or the two are partitioned apart ('partition'): then it is dropped on
 *   arrival. The state at arrival decides, so healing in time lets a message through.
 */

import { assert, assertIntegerMs, assertLimit, assertProbability } from './assert';
import {
  assertLatencyDistribution,
  type LatencyDistribution,
  sampleLatencyMs,
} from './distributions';
import {
  createEventQueue,
  type EventQueue,
  peekNextAtMs,
  popNextDue,
  queueSize,
  scheduleEvent,
} from './event-queue';
import { MESSAGES_IN_FLIGHT_MAX, NODES_MAX } from './limits';
import { nextBool, type RngState } from './prng';

export interface LinkSpec {
  latency: LatencyDistribution;
  lossProbability: number;
  /** Chance that a second, independent copy is sent too. Absent or 0 takes no random draw. */
  duplicateProbability?: number;
}

export type DropReason = 'loss' | 'partition' | 'node-down';

interface NetMessageBase<Payload> {
  /** Unique per network, in send order; the tie-break between messages due at the same ms. */
  id: number;
  from: string;
  to: string;
  payload: Payload;
  sentAtMs: number;
  /** The id of the original when this message is a duplicate the link made, else null. */
  duplicateOfId: number | null;
}

/** A message that arrives (or, if still in flight, is due to arrive) at deliverAtMs. */
export interface DeliveredMessage<Payload> extends NetMessageBase<Payload> {
  deliverAtMs: number;
}

export interface DroppedMessage<Payload> extends NetMessageBase<Payload> {
  droppedAtMs: number;
  dropReason: DropReason;
}

export type NetMessage<Payload> = DeliveredMessage<Payload> | DroppedMessage<Payload>;

export interface Network<Payload> {
  nodeIds: string[];
  /** Every known node has an entry, so this doubles as the membership test. */
  nodeIsDown: Record<string, boolean>;
  defaultLink: LinkSpec;
  /** Per directed link: linkOverrides[from][to]. */
  linkOverrides: Record<string, Record<string, LinkSpec>>;
  /** Side of the partition per listed node; null when the network is whole. */
  partitionSideByNode: Record<string, number> | null;
  /** Messages not yet handed out by deliverDue, keyed by the time their fate is settled. */
  pending: EventQueue<NetMessage<Payload>>;
  nextMessageId: number;
}

/** Nodes left out of every partition group share this side, as one implicit group. */
const UNLISTED_SIDE = -1;

export function isDropped<Payload>(
  message: NetMessage<Payload>,
): message is DroppedMessage<Payload> {
  return 'droppedAtMs' in message;
}

/** When a message stops travelling: its delivery or its drop. */
export function messageEndAtMs<Payload>(message: NetMessage<Payload>): number {
  return isDropped(message) ? message.droppedAtMs : message.deliverAtMs;
}

function assertLinkSpec(link: LinkSpec): void {
  assertLatencyDistribution(link.latency);
  assertProbability(link.lossProbability, 'lossProbability');
  assertProbability(link.duplicateProbability ?? 0, 'duplicateProbability');
}

function assertKnownNode<Payload>(net: Network<Payload>, nodeId: string): void {
  assert(Object.hasOwn(net.nodeIsDown, nodeId), `unknown node "${nodeId}"`);
}

export function createNetwork<Payload>(
  nodeIds: readonly string[],
  defaultLink: LinkSpec,
): Network<Payload> {
  assertLinkSpec(defaultLink);
  const net: Network<Payload> = {
    nodeIds: [],
    nodeIsDown: {},
    defaultLink,
    linkOverrides: {},
    partitionSideByNode: null,
    pending: createEventQueue(),
    nextMessageId: 0,
  };
  for (const nodeId of nodeIds) addNode(net, nodeId);
  return net;
}

/** Adds a node, up, on the implicit side of any current partition. */
export function addNode<Payload>(net: Network<Payload>, nodeId: string): void {
  assertLimit(net.nodeIds.length, NODES_MAX, 'nodes');
  // "__proto__" would reach the prototype of the plain-object records below.
  assert(nodeId !== '' && nodeId !== '__proto__', `invalid node id "${nodeId}"`);
  assert(!Object.hasOwn(net.nodeIsDown, nodeId), `duplicate node id "${nodeId}"`);
  net.nodeIds.push(nodeId);
  net.nodeIsDown[nodeId] = false;
}

/** Overrides the link from one node to another (one direction only); null restores the default. */
export function setLink<Payload>(
  net: Network<Payload>,
  from: string,
  to: string,
  link: LinkSpec | null,
): void {
  assertKnownNode(net, from);
  assertKnownNode(net, to);
  if (link === null) {
    delete net.linkOverrides[from]?.[to];
    return;
  }
  assertLinkSpec(link);
  net.linkOverrides[from] ??= {};
  net.linkOverrides[from][to] = link;
}

/** The link spec in force from one node to another. */
export function linkBetween<Payload>(net: Network<Payload>, from: string, to: string): LinkSpec {
  const overrides = net.linkOverrides[from];
  return overrides !== undefined && Object.hasOwn(overrides, to)
    ? (overrides[to] as LinkSpec)
    : net.defaultLink;
}

/**
 * Splits the network. Nodes in different groups cannot talk; every node listed in no group
 * belongs to one extra implicit group, so `[['a']]` cuts a off from all the others.
 * A node may appear in at most one group. Replaces any earlier partition.
 */
export function setPartition<Payload>(
  net: Network<Payload>,
  groups: readonly (readonly string[])[],
): void {
  const sideByNode: Record<string, number> = {};
  groups.forEach((group, side) => {
    for (const nodeId of group) {
      assertKnownNode(net, nodeId);
      assert(!Object.hasOwn(sideByNode, nodeId), `node "${nodeId}" is in two partition groups`);
      sideByNode[nodeId] = side;
    }
  });
  net.partitionSideByNode = sideByNode;
}

export function healPartition<Payload>(net: Network<Payload>): void {
  net.partitionSideByNode = null;
}

function sideOf<Payload>(net: Network<Payload>, nodeId: string): number {
  const sides = net.partitionSideByNode;
  if (sides === null || !Object.hasOwn(sides, nodeId)) return UNLISTED_SIDE;
  return sides[nodeId] as number;
}

function arePartitionedApart<Payload>(net: Network<Payload>, a: string, b: string): boolean {
  return sideOf(net, a) !== sideOf(net, b);
}

export function setNodeDown<Payload>(net: Network<Payload>, nodeId: string, isDown: boolean): void {
  assertKnownNode(net, nodeId);
  net.nodeIsDown[nodeId] = isDown;
}

export function isNodeDown<Payload>(net: Network<Payload>, nodeId: string): boolean {
  assertKnownNode(net, nodeId);
  return net.nodeIsDown[nodeId] === true;
}

/** Whether a message sent now could arrive: both nodes up and on the same side. */
export function canReach<Payload>(net: Network<Payload>, from: string, to: string): boolean {
  return !isNodeDown(net, from) && !isNodeDown(net, to) && !arePartitionedApart(net, from, to);
}

function dropMessage<Payload>(
  message: NetMessageBase<Payload>,
  droppedAtMs: number,
  dropReason: DropReason,
): DroppedMessage<Payload> {
  const { id, from, to, payload, sentAtMs, duplicateOfId } = message;
  return { id, from, to, payload, sentAtMs, duplicateOfId, droppedAtMs, dropReason };
}

/**
 * Decides a message's fate at send. The latency and the loss draw are always taken, so the
 * random stream does not depend on partitions or node states.
 */
function planMessage<Payload>(
  net: Network<Payload>,
  rng: RngState,
  link: LinkSpec,
  message: NetMessageBase<Payload>,
): NetMessage<Payload> {
  const latencyMs = sampleLatencyMs(rng, link.latency);
  const isLost = nextBool(rng, link.lossProbability);
  const halfwayAtMs = message.sentAtMs + Math.floor(latencyMs / 2);
  if (isNodeDown(net, message.from)) return dropMessage(message, message.sentAtMs, 'node-down');
  if (arePartitionedApart(net, message.from, message.to)) {
    return dropMessage(message, halfwayAtMs, 'partition');
  }
  if (isLost) return dropMessage(message, halfwayAtMs, 'loss');
  return { ...message, deliverAtMs: message.sentAtMs + latencyMs };
}

function enqueueMessage<Payload>(net: Network<Payload>, message: NetMessage<Payload>): void {
  assertLimit(queueSize(net.pending), MESSAGES_IN_FLIGHT_MAX, 'messages in flight');
  scheduleEvent(net.pending, messageEndAtMs(message), message);
}

function takeMessageId<Payload>(net: Network<Payload>): number {
  const id = net.nextMessageId;
  net.nextMessageId += 1;
  return id;
}

/**
 * Sends a message at nowMs and returns its fate as decided at send (a later partition or crash
 * can still drop it on arrival; deliverDue reports the final outcome). With a duplicate
 * probability, a second copy with its own id, latency and loss draw may follow.
 */
export function sendMessage<Payload>(
  net: Network<Payload>,
  rng: RngState,
  from: string,
  to: string,
  payload: Payload,
  nowMs: number,
): NetMessage<Payload> {
  assertIntegerMs(nowMs, 'send time');
  assertKnownNode(net, from);
  assertKnownNode(net, to);
  const link = linkBetween(net, from, to);
  const base = { from, to, payload, sentAtMs: nowMs, duplicateOfId: null };
  const message = planMessage(net, rng, link, { ...base, id: takeMessageId(net) });
  enqueueMessage(net, message);
  const duplicateProbability = link.duplicateProbability ?? 0;
  if (duplicateProbability > 0 && nextBool(rng, duplicateProbability)) {
    const copy = { ...base, id: takeMessageId(net), duplicateOfId: message.id };
    enqueueMessage(net, planMessage(net, rng, link, copy));
  }
  return message;
}

/** The final fate of a message whose travel ends now: arrival checks the recipient and the cut. */
function settleOnArrival<Payload>(
  net: Network<Payload>,
  message: NetMessage<Payload>,
): NetMessage<Payload> {
  if (isDropped(message)) return message;
  if (isNodeDown(net, message.to)) return dropMessage(message, message.deliverAtMs, 'node-down');
  if (arePartitionedApart(net, message.from, message.to)) {
    return dropMessage(message, message.deliverAtMs, 'partition');
  }
  return message;
}

/**
 * Hands out, in (end time, id) order, every message whose delivery or drop is due by upToMs,
 * and forgets them. Each sent message comes out exactly once.
 */
export function deliverDue<Payload>(net: Network<Payload>, upToMs: number): NetMessage<Payload>[] {
  const settled: NetMessage<Payload>[] = [];
  let next = popNextDue(net.pending, upToMs);
  while (next !== null) {
    settled.push(settleOnArrival(net, next.event));
    next = popNextDue(net.pending, upToMs);
  }
  return settled;
}

/** The time the next message is delivered or dropped, or null when none is pending. */
export function nextMessageAtMs<Payload>(net: Network<Payload>): number | null {
  return peekNextAtMs(net.pending);
}

export function pendingMessageCount<Payload>(net: Network<Payload>): number {
  return queueSize(net.pending);
}

/**
 * The pending messages travelling at atMs (sent at or before it, ending after it), by id,
 * for a view to place with flightProgress.
 */
export function messagesInFlight<Payload>(
  net: Network<Payload>,
  atMs: number,
): NetMessage<Payload>[] {
  return net.pending.items
    .map((item) => item.event)
    .filter((message) => message.sentAtMs <= atMs && atMs < messageEndAtMs(message))
    .sort((a, b) => a.id - b.id);
}

/** How far along its path a message is at atMs: 0 at send, 1 where it is delivered or dropped. */
export function flightProgress<Payload>(message: NetMessage<Payload>, atMs: number): number {
  const durationMs = messageEndAtMs(message) - message.sentAtMs;
  if (durationMs <= 0) return 1;
  return Math.min(1, Math.max(0, (atMs - message.sentAtMs) / durationMs));
}
