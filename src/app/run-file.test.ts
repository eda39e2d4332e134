import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hashRingCommandSchema,
  hashRingConfigSchema,
  hashRingDefaults,
} from '../labs/hash-ring/config';
import type { RunRecord } from '../worker/protocol';
import {
  parseRunFile,
  RUN_FILE_BYTES_MAX,
  RUN_FILE_FORMAT,
  RUN_FILE_VERSION,
  toRunFile,
} from './run-file';

const RUN: RunRecord = {
  labId: 'hash-ring',
  seed: 1234,
  config: { ...hashRingDefaults, servers: 6, hash: 'xxhash32' },
  commands: [
    { atMs: 0, command: { type: 'addServer', weight: 2 } },
    { atMs: 1_000, command: { type: 'addKey', key: 'user:42' } },
    { atMs: 1_000, command: { type: 'setFailed', serverId: 'S3', failed: true } },
    {
      atMs: 9_500,
      command: {
        type: 'setWorkload',
        popularity: 'zipf',
        zipfExponent: 1.3,
        requestsPerSecond: 90,
      },
    },
  ],
  atMs: 12_000,
};

function parse(text: string) {
  return parseRunFile(text, 'hash-ring', hashRingConfigSchema, hashRingCommandSchema);
}

/** The exported file as JSON, with some fields replaced. */
function fileWith(changes: Record<string, unknown>): string {
  return JSON.stringify({ ...toRunFile(RUN), ...changes });
}

function expectError(text: string): string {
  const result = parse(text);
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.error;
}

describe('toRunFile / parseRunFile', () => {
  it('writes the format header and the run', () => {
    expect(toRunFile(RUN)).toEqual({
      format: 'system-design-lab/run',
      version: 1,
      exportedFrom: 'System Design Lab',
      ...RUN,
    });
  });

  it('a valid file round-trips', () => {
    expect(parse(JSON.stringify(toRunFile(RUN)))).toEqual({ ok: true, run: RUN });
    // Pretty-printed JSON is still JSON.
    expect(parse(JSON.stringify(toRunFile(RUN), null, 2))).toEqual({ ok: true, run: RUN });
  });

  it('property: any valid run round-trips through JSON', () => {
    const runArb: fc.Arbitrary<RunRecord> = fc.record({
      labId: fc.constant('hash-ring'),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      config: fc.record({
        servers: fc.integer({ min: 0, max: 100 }),
        vnodesPerServer: fc.integer({ min: 1, max: 500 }),
        hash: fc.constantFrom('murmur3', 'fnv1a', 'xxhash32'),
        replicationFactor: fc.integer({ min: 1, max: 5 }),
        keys: fc.integer({ min: 0, max: 1_000_000 }),
        popularity: fc.constantFrom('uniform', 'zipf'),
        zipfExponent: fc.double({ min: 0, max: 3, noNaN: true }),
        requestsPerSecond: fc.integer({ min: 0, max: 1_000 }),
      }),
      commands: fc
        .array(
          fc.record({
            atMs: fc.integer({ min: 0, max: 3_600_000 }),
            command: fc.oneof(
              fc.record({
                type: fc.constant('addKey'),
                key: fc.string({ minLength: 1, maxLength: 30 }),
              }),
              fc.record({
                type: fc.constant('setBulkKeys'),
                count: fc.integer({ min: 0, max: 1_000_000 }),
              }),
              fc.constant({ type: 'clearKeys' }),
            ),
          }),
          { maxLength: 10 },
        )
        .map((c) => [...c].sort((a, b) => a.atMs - b.atMs)),
      atMs: fc.integer({ min: 0, max: 3_600_000 }),
    });
    fc.assert(
      fc.property(runArb, (run) => {
        expect(parse(JSON.stringify(toRunFile(run)))).toEqual({ ok: true, run });
      }),
    );
  });

  it('refuses text that is not JSON', () => {
    expect(expectError('not json at all')).toBe(
      'The file is not JSON. Export a run from this lab and import that file.',
    );
    expect(expectError(JSON.stringify(toRunFile(RUN)).slice(0, 100))).toContain('not JSON');
    expect(expectError('')).toContain('not JSON');
  });

  it.each([
    ['another format', { format: 'excalidraw' }],
    ['a missing format', { format: undefined }],
    ['a newer version', { version: 2 }],
    ['a version as text', { version: '1' }],
    ['no lab id', { labId: undefined }],
  ])('refuses %s as "not a System Design Lab run"', (_what, changes) => {
    expect(expectError(fileWith(changes))).toBe(
      `The file is not a System Design Lab run (format "${RUN_FILE_FORMAT}", version ${RUN_FILE_VERSION}).`,
    );
  });

  it.each([['null'], ['[]'], ['42'], ['"a run"']])('refuses the JSON value %s', (text) => {
    expect(expectError(text)).toContain('not a System Design Lab run');
  });

  it("refuses another lab's run, naming both labs", () => {
    expect(expectError(fileWith({ labId: 'cache' }))).toBe(
      'The file is a run of the "cache" lab, not of this one ("hash-ring").',
    );
  });

  it.each([
    ['config.servers', { config: { ...hashRingDefaults, servers: 500 } }],
    ['config.hash', { config: { ...hashRingDefaults, hash: 'md5' } }],
    ['config.popularity', { config: { ...hashRingDefaults, popularity: undefined } }],
    ['seed', { seed: -1 }],
    ['seed', { seed: 2 ** 31 }],
    ['atMs', { atMs: 3_600_001 }],
    ['atMs', { atMs: undefined }],
    ['commands.0.command.type', { commands: [{ atMs: 0, command: { type: 'launchRocket' } }] }],
    [
      'commands.0.command.weight',
      { commands: [{ atMs: 0, command: { type: 'addServer', weight: 0 } }] },
    ],
    [
      'commands.1.atMs',
      {
        commands: [
          { atMs: 0, command: { type: 'clearKeys' } },
          { atMs: -1, command: { type: 'clearKeys' } },
        ],
      },
    ],
    ['commands', { commands: 'none' }],
  ])('refuses a damaged run, saying where (%s)', (where, changes) => {
    const error = expectError(fileWith(changes));
    expect(error).toMatch(/^The run is damaged at "/);
    expect(error).toContain(`"${where}"`);
  });

  it('says what is wrong where our schemas give no message of their own (English issue texts)', () => {
    // zod/mini loads no locale, so app/params.ts configures English; without it these read "Invalid input".
    expect(
      expectError(fileWith({ commands: [{ atMs: 0, command: { type: 'addServer', weight: 0 } }] })),
    ).toBe(
      'The run is damaged at "commands.0.command.weight": Too small: expected number to be >=1.',
    );
    expect(expectError(fileWith({ seed: 'forty-two' }))).toBe(
      'The run is damaged at "seed": Invalid input: expected number, received string.',
    );
    expect(expectError(fileWith({ atMs: 1.5 }))).toBe(
      'The run is damaged at "atMs": Invalid input: expected int, received number.',
    );
  });

  it('refuses commands out of time order', () => {
    const error = expectError(
      fileWith({
        commands: [
          { atMs: 500, command: { type: 'clearKeys' } },
          { atMs: 100, command: { type: 'clearKeys' } },
        ],
      }),
    );
    expect(error).toContain('commands are not in time order');
  });

  it('refuses a file over 20 MB before parsing it', () => {
    const padding = ' '.repeat(RUN_FILE_BYTES_MAX);
    const text = `${JSON.stringify(toRunFile(RUN))}${padding}`;
    expect(expectError(text)).toBe('The file is larger than 20 MB.');
    // Just under the limit, trailing whitespace is fine.
    const fits = `${JSON.stringify(toRunFile(RUN))}`.padEnd(RUN_FILE_BYTES_MAX, ' ');
    expect(parse(fits)).toEqual({ ok: true, run: RUN });
  });
});
