/**
 * The leader-election lab's URL state (its initial config) and its command schema, both
 * validated with zod. The bounds are the simulation's own limits; typed UIDs with a duplicate
 * are refused with a message naming it.
 */
import * as z from 'zod/mini';
import { fromParam } from '../../app/params';
import {
  ARRANGEMENTS,
  type Arrangement,
  DELAY_MS_MAX,
  DELAY_MS_MIN,
  MODES,
  type Mode,
  NODES_BATCH_MAX,
  NODES_MIN,
  NODES_STAGE_MAX,
  parseUidList,
  TIMINGS,
  type Timing,
} from './sim/constants';
import type { LeaderElectionCommand, LeaderElectionConfig } from './sim/model';

export const leaderElectionDefaults: LeaderElectionConfig = {
  mode: 'lcr',
  nodes: 8,
  arrangement: 'random',
  uids: '',
  timing: 'sync',
  delayMs: 600,
};

const intIn = (min: number, max: number, what: string) =>
  fromParam(
    z
      .number({ message: `${what} must be a number` })
      .check(
        z.int(`${what} must be a whole number`),
        z.minimum(min, `${what} is at least ${min}`),
        z.maximum(max, `${what} is at most ${max.toLocaleString('en-US')}`),
      ),
  );

const oneOf = <T extends string>(values: readonly T[], what: string) =>
  z.enum(values as unknown as [T, ...T[]], { message: `${what} is one of ${values.join(', ')}` });

export const leaderElectionFields = {
  mode: oneOf<Mode>(MODES, 'mode'),
  nodes: intIn(NODES_MIN, NODES_STAGE_MAX, 'nodes'),
  arrangement: oneOf<Arrangement>(ARRANGEMENTS, 'arrangement'),
  // The router JSON-parses search values, so a lone number arrives as a number.
  uids: z.pipe(
    z.transform((value: unknown) => (typeof value === 'number' ? String(value) : value)),
    z.string({ message: 'uids is a list of whole numbers' }).check(
      z.maxLength(NODES_STAGE_MAX * 8, 'uids is too long'),
      z.superRefine((text, ctx) => {
        if (text.trim() === '') return;
        const parsed = parseUidList(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
      }),
    ),
  ),
  timing: oneOf<Timing>(TIMINGS, 'timing'),
  delayMs: intIn(DELAY_MS_MIN, DELAY_MS_MAX, 'delay (ms)'),
};

export const leaderElectionConfigSchema = z.object(leaderElectionFields).check(
  z.refine((c) => c.arrangement !== 'typed' || parseUidList(c.uids).ok, {
    message: 'typed UIDs need a list of 3 to 64 distinct whole numbers',
  }),
);

const node = z.number().check(z.int(), z.minimum(0), z.maximum(NODES_BATCH_MAX - 1));

export const leaderElectionCommandSchema: z.ZodMiniType<LeaderElectionCommand> =
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('crash'), node }),
    z.object({ type: z.literal('recover'), node }),
    z.object({ type: z.literal('crashLeader') }),
    z.object({ type: z.literal('restart') }),
  ]) as z.ZodMiniType<LeaderElectionCommand>;
