/**
 * Compare mode (DESIGN.md §5): the same seeded run driving 2 to 5 quorum settings side by side.
 *
 * Each variant is a fresh state built from the run's initial config with the variant's W, R and
 * CP/AP mode, the run's logged commands replayed at their virtual times (the same way the worker's
 * runner replays them), and the clock advanced to the compared time; then its counters are read.
 * The commands that would override the compared settings (setQuorum, setMode) are skipped and
 * counted. Because it reuses createQuorumState, applyQuorumCommand and advanceQuorum, the variant
 * equal to the live run's settings reproduces the live run's counters exactly (when the live run
 * never changed W, R or the mode).
 *
 * A bad request is answered with a `refused` result, not an exception: an exception in a batch job
 * stops the whole lab, and a refused comparison should only say why in its panel.
 */
import type { BatchJob } from '../../../kernel/sim';
import { type ConsistencyMode, REPLICAS_MAX, REPLICAS_MIN } from './constants';
import {
  advanceQuorum,
  applyQuorumCommand,
  type Counters,
  createQuorumState,
  normaliseConfig,
  type QuorumCommand,
  type QuorumConfig,
} from './model';

export const COMPARE_VARIANTS_MIN = 2;
export const COMPARE_VARIANTS_MAX = 5;
/** The longest comparison: ten virtual minutes, as long as the runner's seek budget is sized for. */
export const COMPARE_TIME_MS_MAX = 600_000;
export const COMPARE_TIME_MS_MIN = 1;
/** Commands replayed per variant; a run's log is far shorter in practice. */
export const COMPARE_COMMANDS_MAX = 20_000;
/**
 * Virtual time advanced per slice of the job: at the large scene (200 operations/s on 9 replicas)
 * a virtual second costs ~15 ms, so a quarter second keeps each slice within a few milliseconds
 * and the worker answers frames in between.
 */
export const COMPARE_SLICE_MS = 250;

/** The settings compared: everything else comes from the run. */
export interface CompareVariant {
  writeQuorum: number;
  readQuorum: number;
  mode: ConsistencyMode;
}

export interface CompareParams {
  config: QuorumConfig;
  seed: number;
  commands: { atMs: number; command: QuorumCommand }[];
  untilMs: number;
  variants: CompareVariant[];
}

/** The counters a comparison reads from each variant. */
export type CompareCounters = Pick<
  Counters,
  | 'opsInvoked'
  | 'readsOk'
  | 'writesOk'
  | 'unavailable'
  | 'timedOut'
  | 'staleReads'
  | 'readsWithSiblings'
  | 'sloppyReads'
  | 'sloppyWrites'
>;

export interface VariantResult {
  variant: CompareVariant;
  /** W + R > N: every read quorum overlaps every write quorum. */
  overlapping: boolean;
  counters: CompareCounters;
  /** Stale reads over reads answered; null when no read was answered. */
  staleReadShare: number | null;
  /** Failed requests (refused as unavailable, or timed out) over finished operations; null when none finished. */
  unavailableShare: number | null;
}

export type CompareResult =
  | {
      status: 'done';
      replicas: number;
      seed: number;
      untilMs: number;
      /** Commands replayed in every variant (at or before untilMs, not skipped). */
      commandsReplayed: number;
      /** Commands skipped because they would override the compared settings. */
      skipped: { setQuorum: number; setMode: number };
      variants: VariantResult[];
    }
  | { status: 'refused'; reason: string };

export type Validated = { ok: true; params: CompareParams } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// Labels and candidates (pure helpers the page uses too).

export function majorityOf(replicas: number): number {
  return Math.floor(replicas / 2) + 1;
}

export function variantKey(v: CompareVariant): string {
  return `${v.writeQuorum}/${v.readQuorum}/${v.mode}`;
}

export function variantLabel(v: CompareVariant): string {
  return `W=${v.writeQuorum} R=${v.readQuorum} ${v.mode.toUpperCase()}`;
}

export function sameVariant(a: CompareVariant, b: CompareVariant): boolean {
  return variantKey(a) === variantKey(b);
}

/**
 * The variants offered for N replicas: 1/1, majority/majority, N/1, 1/N and the current W/R, each
 * in CP and in AP mode, without duplicates; the current settings come first.
 */
export function candidateVariants(replicas: number, current: CompareVariant): CompareVariant[] {
  const majority = majorityOf(replicas);
  const pairs: [number, number][] = [
    [current.writeQuorum, current.readQuorum],
    [1, 1],
    [majority, majority],
    [replicas, 1],
    [1, replicas],
  ];
  const out: CompareVariant[] = [];
  const modes: ConsistencyMode[] = current.mode === 'cp' ? ['cp', 'ap'] : ['ap', 'cp'];
  for (const mode of modes) {
    for (const [writeQuorum, readQuorum] of pairs) {
      const variant = { writeQuorum, readQuorum, mode };
      if (!out.some((v) => sameVariant(v, variant))) out.push(variant);
    }
  }
  return out;
}

/** The default choice: the current settings, 1/1 and majority/majority, in the current mode. */
export function defaultVariants(replicas: number, current: CompareVariant): CompareVariant[] {
  const majority = majorityOf(replicas);
  const out: CompareVariant[] = [];
  for (const variant of [
    current,
    { writeQuorum: 1, readQuorum: 1, mode: current.mode },
    { writeQuorum: majority, readQuorum: majority, mode: current.mode },
  ]) {
    if (!out.some((v) => sameVariant(v, variant))) out.push(variant);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation.

const NUMBER_FIELDS = [
  'replicas',
  'spares',
  'writeQuorum',
  'readQuorum',
  'keys',
  'clients',
  'opsPerSecond',
  'writePercent',
  'latencyMs',
  'lossPercent',
  'timeoutMs',
  'antiEntropyPeriodMs',
] as const;

const ENUM_FIELDS: Record<string, readonly string[]> = {
  mode: ['cp', 'ap'],
  conflict: ['lww', 'vclock'],
  readRepair: ['blocking', 'async', 'off'],
  antiEntropy: ['off', 'full', 'merkle'],
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validateConfig(raw: unknown): QuorumConfig | string {
  if (!isRecord(raw)) return 'The run has no config.';
  for (const field of NUMBER_FIELDS) {
    const value = raw[field];
    if (typeof value !== 'number' || !Number.isFinite(value))
      return `The run's config has no valid ${field}.`;
  }
  for (const [field, allowed] of Object.entries(ENUM_FIELDS)) {
    const value = raw[field];
    if (typeof value !== 'string' || !allowed.includes(value))
      return `The run's config has no valid ${field} (${allowed.join(', ')}).`;
  }
  const replicas = raw.replicas as number;
  if (!Number.isInteger(replicas) || replicas < REPLICAS_MIN || replicas > REPLICAS_MAX)
    return `N is a whole number from ${REPLICAS_MIN} to ${REPLICAS_MAX} (got ${replicas}).`;
  return normaliseConfig(raw as unknown as QuorumConfig);
}

function validateVariants(raw: unknown, replicas: number): CompareVariant[] | string {
  if (!Array.isArray(raw)) return 'Choose the variants to compare.';
  if (raw.length < COMPARE_VARIANTS_MIN || raw.length > COMPARE_VARIANTS_MAX)
    return `Choose ${COMPARE_VARIANTS_MIN} to ${COMPARE_VARIANTS_MAX} variants (got ${raw.length}).`;
  const out: CompareVariant[] = [];
  for (const item of raw) {
    if (!isRecord(item)) return 'A variant is not a W, R and mode.';
    const { writeQuorum, readQuorum, mode } = item;
    for (const [name, q] of [
      ['W', writeQuorum],
      ['R', readQuorum],
    ] as const) {
      if (typeof q !== 'number' || !Number.isInteger(q) || q < 1 || q > replicas)
        return `${name} is a whole number from 1 to N = ${replicas} (got ${String(q)}).`;
    }
    if (mode !== 'cp' && mode !== 'ap') return `The mode is CP or AP (got ${String(mode)}).`;
    const variant: CompareVariant = {
      writeQuorum: writeQuorum as number,
      readQuorum: readQuorum as number,
      mode,
    };
    if (out.some((v) => sameVariant(v, variant)))
      return `${variantLabel(variant)} is chosen twice: choose distinct variants.`;
    out.push(variant);
  }
  return out;
}

function validateCommands(raw: unknown): CompareParams['commands'] | string {
  if (!Array.isArray(raw)) return 'The run has no command log.';
  if (raw.length > COMPARE_COMMANDS_MAX)
    return `The run has ${raw.length} commands; a comparison replays at most ${COMPARE_COMMANDS_MAX.toLocaleString('en-US')}.`;
  const out: CompareParams['commands'] = [];
  for (const item of raw) {
    if (!isRecord(item)) return 'A logged command is not {atMs, command}.';
    const { atMs, command } = item;
    if (typeof atMs !== 'number' || !Number.isInteger(atMs) || atMs < 0)
      return `A logged command has a bad time (${String(atMs)}).`;
    if (!isRecord(command) || typeof command.type !== 'string')
      return 'A logged command has no type.';
    out.push({ atMs, command: command as unknown as QuorumCommand });
  }
  // The runner replays its log in time order (a stable sort keeps same-time commands in order).
  return out.sort((a, b) => a.atMs - b.atMs);
}

/** Checks a comparison request; the reason is a sentence for the learner. */
export function validateCompareParams(raw: unknown): Validated {
  if (!isRecord(raw)) return { ok: false, reason: 'No comparison was asked for.' };
  const config = validateConfig(raw.config);
  if (typeof config === 'string') return { ok: false, reason: config };
  const { seed, untilMs } = raw;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)
    return { ok: false, reason: `The seed is a whole number ≥ 0 (got ${String(seed)}).` };
  if (
    typeof untilMs !== 'number' ||
    !Number.isInteger(untilMs) ||
    untilMs < COMPARE_TIME_MS_MIN ||
    untilMs > COMPARE_TIME_MS_MAX
  ) {
    return {
      ok: false,
      reason: `Compare up to 1 ms to ${COMPARE_TIME_MS_MAX / 60_000} virtual minutes (got ${typeof untilMs === 'number' ? `${(untilMs / 1000).toFixed(3)} s` : String(untilMs)}).`,
    };
  }
  const variants = validateVariants(raw.variants, config.replicas);
  if (typeof variants === 'string') return { ok: false, reason: variants };
  const commands = validateCommands(raw.commands);
  if (typeof commands === 'string') return { ok: false, reason: commands };
  return { ok: true, params: { config, seed, commands, untilMs, variants } };
}

// ---------------------------------------------------------------------------------------------
// The job.

/** Whether a command would override a compared setting (and so is skipped). */
export function overridesComparedSetting(command: QuorumCommand): boolean {
  return command.type === 'setQuorum' || command.type === 'setMode';
}

function readCounters(counters: Counters): CompareCounters {
  const {
    opsInvoked,
    readsOk,
    writesOk,
    unavailable,
    timedOut,
    staleReads,
    readsWithSiblings,
    sloppyReads,
    sloppyWrites,
  } = counters;
  return {
    opsInvoked,
    readsOk,
    writesOk,
    unavailable,
    timedOut,
    staleReads,
    readsWithSiblings,
    sloppyReads,
    sloppyWrites,
  };
}

export function resultOf(variant: CompareVariant, replicas: number, c: Counters): VariantResult {
  const failed = c.unavailable + c.timedOut;
  const finished = c.readsOk + c.writesOk + failed;
  return {
    variant,
    overlapping: variant.writeQuorum + variant.readQuorum > replicas,
    counters: readCounters(c),
    staleReadShare: c.readsOk > 0 ? c.staleReads / c.readsOk : null,
    unavailableShare: finished > 0 ? failed / finished : null,
  };
}

/**
 * Runs one variant in slices of COMPARE_SLICE_MS virtual ms, yielding the virtual time reached.
 * Commands are applied exactly as the runner applies them: advance to the command's time (only
 * forward), apply; and the clock is only moved forward, so a command at `untilMs` is the last
 * thing that happens, as in the live run at that moment.
 */
function* runVariant(params: CompareParams, variant: CompareVariant): Generator<number, Counters> {
  const state = createQuorumState({ ...params.config, ...variant }, params.seed);
  let next = 0;
  const commands = params.commands;
  for (let sliceEnd = 0; sliceEnd < params.untilMs; ) {
    sliceEnd = Math.min(params.untilMs, sliceEnd + COMPARE_SLICE_MS);
    for (;;) {
      const logged = commands[next];
      if (logged === undefined || logged.atMs > sliceEnd) break;
      next += 1;
      if (overridesComparedSetting(logged.command)) continue;
      if (logged.atMs > state.nowMs) advanceQuorum(state, logged.atMs);
      applyQuorumCommand(state, logged.command);
    }
    if (sliceEnd > state.nowMs) advanceQuorum(state, sliceEnd);
    yield sliceEnd;
  }
  return state.counters;
}

export function* runCompare(raw: unknown): BatchJob<CompareResult> {
  const checked = validateCompareParams(raw);
  if (!checked.ok) return { status: 'refused', reason: checked.reason };
  const params = checked.params;
  const inTime = params.commands.filter((c) => c.atMs <= params.untilMs);
  const skipped = {
    setQuorum: inTime.filter((c) => c.command.type === 'setQuorum').length,
    setMode: inTime.filter((c) => c.command.type === 'setMode').length,
  };
  const total = params.variants.length * params.untilMs;
  const seconds = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
  const results: VariantResult[] = [];
  for (const [index, variant] of params.variants.entries()) {
    const run = runVariant(params, variant);
    for (;;) {
      const step = run.next();
      if (step.done) {
        results.push(resultOf(variant, params.config.replicas, step.value));
        break;
      }
      yield {
        done: index * params.untilMs + step.value,
        total,
        label: `Variant ${index + 1} of ${params.variants.length} (${variantLabel(variant)}), ${seconds(step.value)} of ${seconds(params.untilMs)} s`,
      };
    }
  }
  return {
    status: 'done',
    replicas: params.config.replicas,
    seed: params.seed,
    untilMs: params.untilMs,
    commandsReplayed: inTime.length - skipped.setQuorum - skipped.setMode,
    skipped,
    variants: results,
  };
}
