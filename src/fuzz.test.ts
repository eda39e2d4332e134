/**
 * Fuzzing every lab (issue 9, robustness): random URL parameters at each lab's URL parser, and
 * random commands at each lab's simulation. Nothing may throw; the parser always yields a valid
 * config and seed (bad values fall back with a notice); every command the lab's schema accepts is
 * applied, time advances, the invariants hold after every step, and the snapshot can be taken.
 * Commands the schema refuses never reach the sim (the page, a link and a run file all go through
 * the schema first), so they are checked to be refused without a crash.
 *
 * The command generator is derived from each lab's zod command schema, so a new command or field
 * is fuzzed without touching this file.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { readViewOptions } from './app/embed';
import { parseLabSearch, SEED_MAX } from './app/url-state';
import type { LabSim } from './kernel/sim';

type AnySim = LabSim<unknown, unknown, unknown, unknown>;
type Schema = z.ZodMiniType<unknown>;
interface LabConfigModule {
  configSchema: z.ZodMiniObject<z.core.$ZodShape>;
  defaults: Record<string, unknown>;
  commandSchema: Schema;
}

const configModules = import.meta.glob<Record<string, unknown>>('./labs/*/config.ts', {
  eager: true,
});
const simModules = import.meta.glob<{ default: AnySim }>('./labs/*/sim/index.ts', { eager: true });

function labConfig(id: string): LabConfigModule {
  const module = configModules[`./labs/${id}/config.ts`];
  if (!module) throw new Error(`labs/${id}/config.ts is missing`);
  const pick = (suffix: string) => {
    const entry = Object.entries(module).find(([name]) => name.endsWith(suffix));
    if (!entry) throw new Error(`labs/${id}/config.ts exports no …${suffix}`);
    return entry[1];
  };
  return {
    configSchema: pick('ConfigSchema') as LabConfigModule['configSchema'],
    defaults: pick('Defaults') as Record<string, unknown>,
    commandSchema: pick('CommandSchema') as Schema,
  };
}

const LAB_IDS = Object.keys(simModules)
  .map((path) => path.split('/')[2]!)
  .sort();

// Values of every kind a URL, a file or a buggy page could carry.
const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 5 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, '', ' ', 'NaN', 'Infinity', '-0', '1e309', '0x10', [], {}),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Zod 4 keeps a schema's definition on `.def`; enough of it to build values that mostly fit. */
interface Def {
  type: string;
  shape?: Record<string, Schema>;
  options?: Schema[];
  values?: unknown[];
  entries?: Record<string, unknown>;
  element?: Schema;
  innerType?: Schema;
  out?: Schema;
  in?: Schema;
  checks?: z.core.$ZodCheck[];
}
const defOf = (schema: Schema) => (schema as unknown as { def: Def }).def;

/** A number schema's bounds, folded from its z.minimum / z.maximum checks (±∞ when unbounded). */
function numberBounds(schema: Schema): { min: number; max: number } {
  let min = Number.NEGATIVE_INFINITY;
  let max = Number.POSITIVE_INFINITY;
  for (const check of defOf(schema).checks ?? []) {
    const { check: kind, value } = check._zod.def as { check: string; value?: unknown };
    if (typeof value !== 'number') continue;
    if (kind === 'greater_than') min = Math.max(min, value);
    else if (kind === 'less_than') max = Math.min(max, value);
  }
  return { min, max };
}

/** Values for a schema: mostly valid, near and beyond its bounds, and sometimes junk. */
function arbitraryFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const fit = ((): fc.Arbitrary<unknown> => {
    switch (def.type) {
      case 'object': {
        const fields = Object.fromEntries(
          Object.entries(def.shape ?? {}).map(([key, field]) => [
            key,
            arbitraryFor(field, depth + 1),
          ]),
        );
        return fc.record(fields);
      }
      case 'union':
        return fc.oneof(...(def.options ?? []).map((option) => arbitraryFor(option, depth + 1)));
      case 'literal':
        return fc.constantFrom(...(def.values ?? []));
      case 'enum':
        return fc.constantFrom(...Object.values(def.entries ?? {}));
      case 'number': {
        const bounds = numberBounds(schema);
        const min = Number.isFinite(bounds.min) ? bounds.min : -1_000;
        const max = Number.isFinite(bounds.max) ? bounds.max : 1_000_000;
        const low = Math.max(min, -1e9);
        const high = Math.min(max, 1e9);
        return fc.oneof(
          fc.integer({
            min: Math.ceil(low),
            max: Math.floor(Math.max(low, Math.min(high, low + 50))),
          }),
          fc.integer({ min: Math.ceil(low), max: Math.floor(high) }),
          fc.constantFrom(low, high, low - 1, high + 1, 0, 0.5, -1),
        );
      }
      case 'string':
        return fc.string({ maxLength: 16 });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return depth > 3 || !def.element
          ? fc.constant([])
          : fc.array(arbitraryFor(def.element, depth + 1), { maxLength: 6 });
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
      case 'catch':
        return def.innerType ? fc.option(arbitraryFor(def.innerType, depth + 1)) : junk;
      case 'pipe':
        return def.out && defOf(def.out).type !== 'transform'
          ? arbitraryFor(def.out, depth + 1)
          : def.in
            ? arbitraryFor(def.in, depth + 1)
            : junk;
      default:
        return junk;
    }
  })();
  return depth === 0
    ? fc.oneof({ weight: 9, arbitrary: fit }, { weight: 1, arbitrary: junk })
    : fit;
}

/** A random run: a few commands at random moments, up to 20 virtual seconds in all. */
function runArbitrary(commandSchema: Schema) {
  return fc.record({
    seed: fc.integer({ min: 0, max: SEED_MAX }),
    steps: fc.array(
      fc.record({
        afterMs: fc.integer({ min: 0, max: 1_500 }),
        command: arbitraryFor(commandSchema),
      }),
      { minLength: 1, maxLength: 14 },
    ),
  });
}

describe.each(LAB_IDS)('%s', (id) => {
  const sim = simModules[`./labs/${id}/sim/index.ts`]!.default;
  const { configSchema, defaults, commandSchema } = labConfig(id);

  it('the URL parser survives any parameters: a valid config and seed, notices for the rest', () => {
    const keys = [...Object.keys(configSchema.shape), 'seed', 'run', 't', 'embed', 'play', 'x'];
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), junk, { maxKeys: keys.length }),
        fc.dictionary(
          fc.constantFrom(...Object.keys(configSchema.shape)),
          fc.oneof(
            ...Object.values(configSchema.shape).map((field) => arbitraryFor(field as Schema, 1)),
          ),
        ),
        (noise, plausible) => {
          const raw = { ...plausible, ...noise };
          const parsed = parseLabSearch(configSchema, defaults as never, raw, commandSchema);
          expect(configSchema.safeParse(parsed.config).success).toBe(true);
          expect(Number.isInteger(parsed.seed) && parsed.seed >= 0 && parsed.seed <= SEED_MAX).toBe(
            true,
          );
          expect(parsed.atMs).toBeGreaterThanOrEqual(0);
          for (const notice of parsed.notices) expect(notice.length).toBeGreaterThan(10);
          const view = readViewOptions(raw);
          expect(typeof view.options.embed).toBe('boolean');
        },
      ),
      { numRuns: 120 },
    );
  });

  it('the sim survives random commands: invariants hold and snapshots are taken', () => {
    let applied = 0;
    let refusedBySchema = 0;
    fc.assert(
      fc.property(runArbitrary(commandSchema), ({ seed, steps }) => {
        const state = sim.create(defaults, seed);
        for (const step of steps) {
          const atMs = sim.nowMs(state) + step.afterMs;
          sim.advanceTo(state, atMs);
          const parsed = commandSchema.safeParse(step.command);
          if (parsed.success) {
            sim.apply(state, parsed.data);
            applied += 1;
          } else refusedBySchema += 1;
          sim.checkInvariants?.(state);
          expect(sim.nowMs(state)).toBe(atMs);
        }
        sim.advanceTo(state, sim.nowMs(state) + 500);
        sim.checkInvariants?.(state);
        const snapshot = sim.view(state, {});
        expect(snapshot).toBeTruthy();
        // State stays plain data (the runner checkpoints it with structuredClone).
        expect(() => structuredClone(state)).not.toThrow();
      }),
      { numRuns: 80 },
    );
    // The generator really reached the sim, and really tried invalid commands.
    expect(applied).toBeGreaterThan(150);
    expect(refusedBySchema).toBeGreaterThan(0);
  });
});
