import fc from 'fast-check';
import { compressToEncodedURIComponent } from 'lz-string';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  hashRingCommandSchema,
  hashRingConfigSchema,
  hashRingDefaults,
} from '../labs/hash-ring/config';
import type { HashRingCommand, HashRingConfig } from '../labs/hash-ring/sim/model';
import type { LoggedCommand } from '../worker/protocol';
import {
  DEFAULT_SEED,
  decodeRunParam,
  encodeRunParam,
  parseLabSearch,
  SEED_MAX,
  searchForRun,
} from './url-state';

function parse(raw: Record<string, unknown>) {
  return parseLabSearch(hashRingConfigSchema, hashRingDefaults, raw, hashRingCommandSchema);
}

/** What TanStack Router hands over: each search value JSON-parsed when it parses. */
function jsonParsed(search: Record<string, string | number>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(search)) {
    const text = String(value);
    try {
      raw[key] = JSON.parse(text);
    } catch {
      raw[key] = text;
    }
  }
  return raw;
}

/** Every config value differs from its default, so a test can tell "kept" from "defaulted". */
const CUSTOM: HashRingConfig = {
  servers: 8,
  vnodesPerServer: 50,
  hash: 'fnv1a',
  replicationFactor: 2,
  keys: 500,
  popularity: 'zipf',
  zipfExponent: 0.8,
  requestsPerSecond: 10,
};

const CUSTOM_AS_STRINGS: Record<string, string> = {
  servers: '8',
  vnodesPerServer: '50',
  hash: 'fnv1a',
  replicationFactor: '2',
  keys: '500',
  popularity: 'zipf',
  zipfExponent: '0.8',
  requestsPerSecond: '10',
};

const hashRingCommandArb: fc.Arbitrary<HashRingCommand> = fc.oneof(
  fc.record({ type: fc.constant('addServer' as const), weight: fc.integer({ min: 1, max: 10 }) }),
  fc.constant({ type: 'addServer' as const }),
  fc.record({
    type: fc.constant('removeServer' as const),
    serverId: fc.integer({ min: 0, max: 999_999 }).map((n) => `S${n}`),
  }),
  fc.record({
    type: fc.constant('setFailed' as const),
    serverId: fc.constant('S1'),
    failed: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('setWeight' as const),
    serverId: fc.constant('S2'),
    weight: fc.integer({ min: 1, max: 10 }),
  }),
  fc.record({
    type: fc.constant('setVnodes' as const),
    vnodesPerServer: fc.integer({ min: 1, max: 500 }),
  }),
  fc.record({
    type: fc.constant('setHash' as const),
    hash: fc.constantFrom('murmur3' as const, 'fnv1a' as const, 'xxhash32' as const),
  }),
  fc.record({
    type: fc.constant('setReplicationFactor' as const),
    replicationFactor: fc.integer({ min: 1, max: 5 }),
  }),
  fc.record({
    type: fc.constant('addKey' as const),
    key: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  }),
  fc.record({
    type: fc.constant('setBulkKeys' as const),
    count: fc.integer({ min: 0, max: 1_000_000 }),
  }),
  fc.constant({ type: 'clearKeys' as const }),
  fc.record({
    type: fc.constant('lookup' as const),
    key: fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { nil: null }),
  }),
  fc.record({
    type: fc.constant('setWorkload' as const),
    popularity: fc.constantFrom('uniform' as const, 'zipf' as const),
    zipfExponent: fc.double({ min: 0, max: 3, noNaN: true }),
    requestsPerSecond: fc.integer({ min: 0, max: 1_000 }),
  }),
);

const commandLogArb: fc.Arbitrary<LoggedCommand[]> = fc
  .array(fc.record({ atMs: fc.integer({ min: 0, max: 3_600_000 }), command: hashRingCommandArb }), {
    maxLength: 30,
  })
  .map((commands) => [...commands].sort((a, b) => a.atMs - b.atMs));

const validConfigArb: fc.Arbitrary<HashRingConfig> = fc.record({
  servers: fc.integer({ min: 0, max: 100 }),
  vnodesPerServer: fc.integer({ min: 1, max: 500 }),
  hash: fc.constantFrom('murmur3' as const, 'fnv1a' as const, 'xxhash32' as const),
  replicationFactor: fc.integer({ min: 1, max: 5 }),
  keys: fc.integer({ min: 0, max: 1_000_000 }),
  popularity: fc.constantFrom('uniform' as const, 'zipf' as const),
  zipfExponent: fc.double({ min: 0, max: 3, noNaN: true, noDefaultInfinity: true }),
  requestsPerSecond: fc.integer({ min: 0, max: 1_000 }),
});

describe('parseLabSearch (hash-ring schema)', () => {
  it('gives the defaults, seed 42 and no notice for an empty search', () => {
    expect(parse({})).toEqual({
      config: hashRingDefaults,
      seed: DEFAULT_SEED,
      commands: [],
      atMs: 0,
      notices: [],
    });
    expect(DEFAULT_SEED).toBe(42);
  });

  it('quotes a number JSON cannot write (1e309 arrives as Infinity) as it is, not as null', () => {
    const { notices, config } = parse({ servers: Number.POSITIVE_INFINITY, seed: -Infinity });
    expect(config).toEqual(hashRingDefaults);
    expect(notices[0]).toMatch(/^URL parameter "servers" = Infinity is not valid/);
    expect(notices[1]).toMatch(/^URL parameter "seed" = -Infinity is not a whole number/);
  });

  it("drops a sentence message's full stop inside the notice's parentheses", () => {
    const schema = z.object({
      name: z.string().check(z.refine((v) => v === 'ok', '"x" is not a whole number.')),
    });
    const { notices } = parseLabSearch(
      schema,
      { name: 'ok' },
      { name: 'x' },
      hashRingCommandSchema,
    );
    expect(notices).toEqual([
      'URL parameter "name" = "x" is not valid ("x" is not a whole number); using "ok".',
    ]);
  });

  it('parses valid params given as strings', () => {
    expect(parse({ ...CUSTOM_AS_STRINGS, seed: '123', t: '2500' })).toEqual({
      config: CUSTOM,
      seed: 123,
      commands: [],
      atMs: 2_500,
      notices: [],
    });
  });

  it('parses valid params given as numbers (TanStack Router JSON-parses search values)', () => {
    expect(parse({ ...CUSTOM, seed: 123, t: 2500 })).toEqual({
      config: CUSTOM,
      seed: 123,
      commands: [],
      atMs: 2_500,
      notices: [],
    });
  });

  it('treats empty and missing values as "not given"', () => {
    expect(parse({ servers: '', hash: undefined, seed: '' })).toEqual({
      config: hashRingDefaults,
      seed: 42,
      commands: [],
      atMs: 0,
      notices: [],
    });
  });

  it.each([
    ['servers', 101],
    ['servers', -1],
    ['servers', 'many'],
    ['servers', 2.5],
    ['vnodesPerServer', 0],
    ['vnodesPerServer', 501],
    ['vnodesPerServer', '1e9'],
    ['hash', 'md5'],
    ['hash', 3],
    ['replicationFactor', 0],
    ['replicationFactor', 6],
    ['keys', -1],
    ['keys', 1_000_001],
    ['popularity', 'pareto'],
    ['zipfExponent', -0.1],
    ['zipfExponent', 3.5],
    ['zipfExponent', 'steep'],
    ['requestsPerSecond', 1_001],
    ['requestsPerSecond', 'fast'],
  ] as const)(
    'a bad %s (%j) falls back to its default with a notice; the rest is kept',
    (key, bad) => {
      const result = parse({ ...CUSTOM_AS_STRINGS, [key]: bad, seed: '7' });
      expect(result.config).toEqual({ ...CUSTOM, [key]: hashRingDefaults[key] });
      expect(result.seed).toBe(7);
      expect(result.notices).toHaveLength(1);
      expect(result.notices[0]).toContain(`"${key}"`);
      expect(result.notices[0]).toContain(JSON.stringify(bad));
      expect(result.notices[0]).toContain(`using ${JSON.stringify(hashRingDefaults[key])}`);
    },
  );

  it('two bad params give two notices, each naming its own parameter', () => {
    const result = parse({ ...CUSTOM, servers: 1_000, hash: 'sha1' });
    expect(result.config).toEqual({ ...CUSTOM, servers: 4, hash: 'murmur3' });
    expect(result.notices).toHaveLength(2);
    expect(result.notices[0]).toContain('"servers"');
    expect(result.notices[1]).toContain('"hash"');
  });

  it.each([[-1], [SEED_MAX + 1], [1e20], ['abc'], [1.5]])(
    'a bad seed (%j) falls back to 42 with a notice; the config is kept',
    (bad) => {
      const result = parse({ ...CUSTOM, seed: bad });
      expect(result.seed).toBe(DEFAULT_SEED);
      expect(result.config).toEqual(CUSTOM);
      expect(result.notices).toHaveLength(1);
      expect(result.notices[0]).toContain('"seed"');
    },
  );

  it('accepts the seed bounds 0 and 2^31 − 1', () => {
    expect(parse({ seed: 0 }).seed).toBe(0);
    expect(parse({ seed: String(SEED_MAX) }).seed).toBe(SEED_MAX);
    expect(parse({ seed: SEED_MAX }).notices).toEqual([]);
  });

  it.each([[-5], ['soon'], [3_600_001], [1.5]])(
    'a bad t (%j) starts at 0 with a notice; the config and seed are kept',
    (bad) => {
      const result = parse({ ...CUSTOM, seed: 9, t: bad });
      expect(result.atMs).toBe(0);
      expect(result.seed).toBe(9);
      expect(result.config).toEqual(CUSTOM);
      expect(result.notices).toHaveLength(1);
      expect(result.notices[0]).toContain('"t"');
    },
  );

  it('accepts t up to one hour', () => {
    expect(parse({ t: 3_600_000 }).atMs).toBe(3_600_000);
    expect(parse({ t: '0' }).atMs).toBe(0);
  });

  // Regression (fixed): the fields use z.coerce.number(), i.e. Number(value), so values that are not numbers at
  // all pass as numbers without a notice: null → 0, true → 1, [7] → 7, "  " → 0. TanStack Router
  // JSON-parses search values, so ?servers=null or ?servers=true arrive exactly like this.
  it.each([[null], [true], [[7]], ['  ']])(
    'a non-number servers value (%j) falls back to the default with a notice',
    (bad) => {
      const result = parse({ ...CUSTOM_AS_STRINGS, servers: bad });
      expect(result.config.servers).toBe(hashRingDefaults.servers);
      expect(result.notices).toHaveLength(1);
      expect(result.notices[0]).toContain('"servers"');
    },
  );

  it('with the real bounds the cross-field rule cannot trip: 100 × 500 ≤ 100,000', () => {
    // SERVERS_MAX × VNODES_PER_SERVER_MAX = 50,000, so the refine is unreachable from the URL.
    const result = parse({ servers: 100, vnodesPerServer: 500 });
    expect(result.config).toMatchObject({ servers: 100, vnodesPerServer: 500 });
    expect(result.notices).toEqual([]);
  });

  it('a cross-field rule that fails gives a notice and the defaults (mechanism, on a small schema)', () => {
    const fields = {
      servers: z.coerce.number().check(z.int(), z.minimum(0), z.maximum(10)),
      vnodes: z.coerce.number().check(z.int(), z.minimum(1), z.maximum(10)),
    };
    const schema = z.object(fields).check(
      z.refine((c) => c.servers * c.vnodes <= 20, {
        message: 'servers × virtual nodes is at most 20',
      }),
    );
    const defaults = { servers: 2, vnodes: 3 };
    const bad = parseLabSearch(
      schema,
      defaults,
      { servers: '5', vnodes: '5', seed: '8' },
      z.unknown(),
    );
    expect(bad.config).toEqual(defaults);
    expect(bad.seed).toBe(8);
    expect(bad.notices).toHaveLength(1);
    expect(bad.notices[0]).toContain('do not fit together');
    expect(bad.notices[0]).toContain('servers × virtual nodes is at most 20');
    const good = parseLabSearch(schema, defaults, { servers: '5', vnodes: '4' }, z.unknown());
    expect(good.config).toEqual({ servers: 5, vnodes: 4 });
    expect(good.notices).toEqual([]);
  });

  it('reads a shared run from `run`, and a bad run param gives a notice and no commands', () => {
    const commands: LoggedCommand[] = [
      { atMs: 0, command: { type: 'addServer' } },
      { atMs: 1_500, command: { type: 'addKey', key: 'user:1' } },
    ];
    const good = parse({ run: encodeRunParam(commands), t: 1_500 });
    expect(good.commands).toEqual(commands);
    expect(good.atMs).toBe(1_500);
    expect(good.notices).toEqual([]);

    const garbage = parse({ ...CUSTOM, run: 'this is not a run' });
    expect(garbage.commands).toEqual([]);
    expect(garbage.config).toEqual(CUSTOM);
    expect(garbage.notices).toHaveLength(1);
    expect(garbage.notices[0]).toContain('shared run');

    const number = parse({ run: 12 });
    expect(number.commands).toEqual([]);
    expect(number.notices).toHaveLength(1);
    expect(number.notices[0]).toContain('shared run');
  });

  it('a shared run with a bad command says what is wrong with it', () => {
    const run = encodeRunParam([
      { atMs: 0, command: { type: 'setVnodes', vnodesPerServer: 9_999 } },
    ] as unknown as LoggedCommand[]);
    expect(parse({ run }).notices).toEqual([
      'The shared run in this link could not be read (Too big: expected number to be <=500); starting a fresh run.',
    ]);
    const unknown = encodeRunParam([
      { atMs: 0, command: { type: 'launchRocket' } },
    ] as unknown as LoggedCommand[]);
    expect(parse({ run: unknown }).notices[0]).toMatch(
      /^The shared run in this link could not be read \(Invalid discriminator value\. Expected 'addServer' \| 'removeServer' \| /,
    );
  });

  it('property: searchForRun → (JSON-parsed as by the router) → parseLabSearch round-trips', () => {
    fc.assert(
      fc.property(
        validConfigArb,
        fc.integer({ min: 0, max: SEED_MAX }),
        commandLogArb,
        fc.integer({ min: 0, max: 3_600_000 }),
        (config, seed, commands, atMs) => {
          const search = searchForRun({ ...config }, seed, { commands, atMs });
          for (const raw of [search, jsonParsed(search)]) {
            const parsed = parse(raw);
            expect(parsed.notices).toEqual([]);
            expect(parsed.config).toEqual(config);
            expect(parsed.seed).toBe(seed);
            expect(parsed.commands).toEqual(commands);
            expect(parsed.atMs).toBe(atMs);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('encodeRunParam / decodeRunParam', () => {
  it('property: decode(encode(log)) gives the log back', () => {
    fc.assert(
      fc.property(commandLogArb, (commands) => {
        const encoded = encodeRunParam(commands);
        expect(encoded).toMatch(/^[A-Za-z0-9+\-$]*$/);
        expect(decodeRunParam(encoded, hashRingCommandSchema)).toEqual({ ok: true, commands });
      }),
    );
  });

  it('property: a truncated param is refused, or (cut inside padding) decodes to the very same log', () => {
    fc.assert(
      fc.property(
        commandLogArb.filter((c) => c.length > 0),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        (commands, cut) => {
          const encoded = encodeRunParam(commands);
          const truncated = encoded.slice(0, Math.floor(encoded.length * cut));
          const decoded = decodeRunParam(truncated, hashRingCommandSchema);
          if (decoded.ok) expect(decoded.commands).toEqual(commands);
          else expect(decoded.error.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('refuses a param cut in half', () => {
    const commands: LoggedCommand[] = [
      { atMs: 0, command: { type: 'addServer', weight: 2 } },
      { atMs: 10, command: { type: 'addKey', key: 'alpha' } },
      { atMs: 20, command: { type: 'setHash', hash: 'xxhash32' } },
    ];
    const encoded = encodeRunParam(commands);
    const decoded = decodeRunParam(encoded.slice(0, encoded.length >> 1), hashRingCommandSchema);
    expect(decoded.ok).toBe(false);
  });

  it.each([
    ['', 'it is not a compressed command log'],
    ['!!!', 'it is not a compressed command log'],
    [compressToEncodedURIComponent('hello'), 'it is not valid JSON'],
    [compressToEncodedURIComponent('{"atMs":0}'), 'it is not a list of commands'],
    [compressToEncodedURIComponent('[[0]]'), 'it is not a list of commands'],
    [compressToEncodedURIComponent('[[0,{"type":"launchRocket"}]]'), ''],
    [compressToEncodedURIComponent('[[-1,{"type":"clearKeys"}]]'), ''],
    [compressToEncodedURIComponent('[[3600001,{"type":"clearKeys"}]]'), ''],
    [compressToEncodedURIComponent('[[1.5,{"type":"clearKeys"}]]'), ''],
    [compressToEncodedURIComponent('[[0,{"type":"addServer","weight":11}]]'), ''],
  ])('refuses the corrupt param %j with a message', (param, message) => {
    const decoded = decodeRunParam(param, hashRingCommandSchema);
    expect(decoded.ok).toBe(false);
    if (decoded.ok) return;
    expect(decoded.error.length).toBeGreaterThan(0);
    if (message) expect(decoded.error).toBe(message);
  });

  it('property: random garbage is refused, never thrown', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (garbage) => {
        const decoded = decodeRunParam(garbage, hashRingCommandSchema);
        // Garbage that happens to decompress to a valid log would have to be a JSON array.
        if (decoded.ok) expect(Array.isArray(decoded.commands)).toBe(true);
        else expect(decoded.error.length).toBeGreaterThan(0);
      }),
    );
  });

  it('refuses commands out of time order', () => {
    const encoded = compressToEncodedURIComponent(
      JSON.stringify([
        [500, { type: 'addServer' }],
        [100, { type: 'clearKeys' }],
      ]),
    );
    expect(decodeRunParam(encoded, hashRingCommandSchema)).toEqual({
      ok: false,
      error: 'commands are not in time order',
    });
    // Equal times are in order.
    const tied = encodeRunParam([
      { atMs: 100, command: { type: 'addServer' } },
      { atMs: 100, command: { type: 'clearKeys' } },
    ]);
    expect(decodeRunParam(tied, hashRingCommandSchema).ok).toBe(true);
  });

  it('refuses more than 20,000 commands', () => {
    const many = Array.from({ length: 20_001 }, (_, i) => ({
      atMs: i,
      command: { type: 'clearKeys' },
    }));
    expect(decodeRunParam(encodeRunParam(many), hashRingCommandSchema).ok).toBe(false);
    expect(decodeRunParam(encodeRunParam(many.slice(1)), hashRingCommandSchema).ok).toBe(true);
  });

  it('searchForRun leaves run and t out when there is nothing to share', () => {
    expect(searchForRun({ servers: 3, hash: 'fnv1a', on: true, skip: null }, 5)).toEqual({
      servers: 3,
      hash: 'fnv1a',
      on: 1,
      seed: 5,
    });
    expect(searchForRun({}, 5, { commands: [], atMs: 0 })).toEqual({ seed: 5 });
  });
});
