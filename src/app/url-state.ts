/**
 * The URL is the run's address: the lab's initial config and seed as search params, and, after
 * "Copy link", the compressed command log and the time to land on. Everything read from the URL is
 * validated; a bad value falls back to its default with a notice, and the other values are kept.
 */
import { compressToEncodedURIComponent, decompressFromEncodedURIComponent } from 'lz-string';
import * as z from 'zod/mini';
import type { LoggedCommand } from '../worker/protocol';
import { fromParam } from './params';

export { fromParam };

export const SEED_MAX = 2 ** 31 - 1;
export const DEFAULT_SEED = 42;
/** Longest shared command log accepted from a link, after decompression. */
const RUN_PARAM_CHARS_MAX = 2_000_000;
const RUN_COMMANDS_MAX = 20_000;

export interface ParsedSearch<Config> {
  config: Config;
  seed: number;
  commands: LoggedCommand[];
  atMs: number;
  notices: string[];
}

/** The latest moment a run can be shared or exported at: an hour of virtual time. */
const AT_MS_MAX = 3_600_000;

export const seedSchema = fromParam(z.number().check(z.int(), z.minimum(0), z.maximum(SEED_MAX)));
/** A moment of a run in virtual ms, as a run file or a command log holds it. */
export const atMsSchema = z.number().check(z.int(), z.minimum(0), z.maximum(AT_MS_MAX));
const timeParamSchema = fromParam(atMsSchema);

/**
 * Parses each field of the lab's config schema on its own, so one bad parameter falls back to its
 * default while the others are kept.
 */
export function parseLabSearch<Shape extends z.core.$ZodShape>(
  schema: z.ZodMiniObject<Shape>,
  defaults: z.infer<z.ZodMiniObject<Shape>>,
  raw: Record<string, unknown>,
  commandSchema: z.ZodMiniType<unknown>,
): ParsedSearch<z.infer<z.ZodMiniObject<Shape>>> {
  const notices: string[] = [];
  const config: Record<string, unknown> = { ...defaults };
  for (const [key, fieldSchema] of Object.entries(schema.shape)) {
    if (!(key in raw) || raw[key] === undefined || raw[key] === '') continue;
    const result = z.safeParse(fieldSchema, raw[key]);
    if (result.success) config[key] = result.data;
    else {
      notices.push(
        `URL parameter "${key}" = ${shown(raw[key])} is not valid (${firstIssue(result.error)}); using ${JSON.stringify(
          (defaults as Record<string, unknown>)[key],
        )}.`,
      );
    }
  }
  // Cross-field rules (e.g. total virtual nodes) are checked on the whole object last.
  const whole = schema.safeParse(config);
  const finalConfig = whole.success ? whole.data : defaults;
  if (!whole.success) {
    notices.push(
      `These settings do not fit together (${firstIssue(whole.error)}); using the defaults.`,
    );
  }
  let seed = DEFAULT_SEED;
  if (raw.seed !== undefined && raw.seed !== '') {
    const parsed = seedSchema.safeParse(raw.seed);
    if (parsed.success) seed = parsed.data;
    else
      notices.push(
        `URL parameter "seed" = ${shown(raw.seed)} is not a whole number from 0 to ${SEED_MAX}; using ${DEFAULT_SEED}.`,
      );
  }
  let commands: LoggedCommand[] = [];
  if (typeof raw.run === 'string' && raw.run.length > 0) {
    const decoded = decodeRunParam(raw.run, commandSchema);
    if (decoded.ok) commands = decoded.commands;
    else
      notices.push(
        `The shared run in this link could not be read (${decoded.error}); starting a fresh run.`,
      );
  } else if (raw.run !== undefined) {
    notices.push('The shared run in this link could not be read; starting a fresh run.');
  }
  // A shared run without a time lands where its last command was applied.
  let atMs = commands.at(-1)?.atMs ?? 0;
  if (raw.t !== undefined) {
    const parsed = timeParamSchema.safeParse(raw.t);
    if (parsed.success) atMs = parsed.data;
    else {
      notices.push(
        `URL parameter "t" = ${shown(raw.t)} is not a time in ms within an hour; starting at ${atMs} ms.`,
      );
    }
  }
  return { config: finalConfig, seed, commands, atMs, notices };
}

/** A URL value as the notice quotes it: JSON, except numbers JSON cannot write (1e309 → Infinity). */
function shown(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value)
    ? String(value)
    : JSON.stringify(value);
}

function firstIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  // Messages written as sentences for a form field lose their full stop inside the parentheses.
  return issue ? issue.message.replace(/\.$/, '') : 'invalid';
}

export function loggedCommandsSchema(commandSchema: z.ZodMiniType<unknown>) {
  return z.array(z.object({ atMs: atMsSchema, command: commandSchema })).check(
    z.maxLength(RUN_COMMANDS_MAX),
    z.refine(
      (commands) => commands.every((c, i) => i === 0 || c.atMs >= commands[i - 1]!.atMs),
      'commands are not in time order',
    ),
  );
}

export function encodeRunParam(commands: readonly LoggedCommand[]): string {
  // Compact tuples keep links short: [atMs, command].
  return compressToEncodedURIComponent(JSON.stringify(commands.map((c) => [c.atMs, c.command])));
}

export function decodeRunParam(
  param: string,
  commandSchema: z.ZodMiniType<unknown>,
): { ok: true; commands: LoggedCommand[] } | { ok: false; error: string } {
  let text: string | null = null;
  try {
    text = decompressFromEncodedURIComponent(param);
  } catch {
    text = null;
  }
  if (!text) return { ok: false, error: 'it is not a compressed command log' };
  if (text.length > RUN_PARAM_CHARS_MAX) return { ok: false, error: 'it is too long' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'it is not valid JSON' };
  }
  const tuples = z.array(z.tuple([z.unknown(), z.unknown()])).safeParse(json);
  if (!tuples.success) return { ok: false, error: 'it is not a list of commands' };
  const parsed = loggedCommandsSchema(commandSchema).safeParse(
    tuples.data.map(([atMs, command]) => ({ atMs, command })),
  );
  if (!parsed.success) return { ok: false, error: firstIssue(parsed.error) };
  return { ok: true, commands: parsed.data as LoggedCommand[] };
}

/** The search params for a run: config and seed always; the run log and time when sharing. */
export function searchForRun(
  config: Record<string, unknown>,
  seed: number,
  share?: { commands: readonly LoggedCommand[]; atMs: number },
): Record<string, string | number> {
  const search: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'string' || typeof value === 'number') search[key] = value;
    else if (typeof value === 'boolean') search[key] = value ? 1 : 0;
  }
  search.seed = seed;
  if (share && share.commands.length > 0) search.run = encodeRunParam(share.commands);
  if (share && share.atMs > 0) search.t = share.atMs;
  return search;
}
