/**
 * Exported run files: the run as JSON, validated on import. A bad file is refused with a clear
 * message and the current run stays as it was.
 */
import * as z from 'zod/mini';
import type { RunRecord } from '../worker/protocol';
import { atMsSchema, loggedCommandsSchema, seedSchema } from './url-state';

export const RUN_FILE_FORMAT = 'system-design-lab/run';
export const RUN_FILE_VERSION = 1;
export const RUN_FILE_BYTES_MAX = 20 * 1024 * 1024;

export interface RunFile extends RunRecord {
  format: typeof RUN_FILE_FORMAT;
  version: typeof RUN_FILE_VERSION;
  exportedFrom: string;
}

export function toRunFile(run: RunRecord): RunFile {
  return {
    format: RUN_FILE_FORMAT,
    version: RUN_FILE_VERSION,
    exportedFrom: 'System Design Lab',
    ...run,
  };
}

export function parseRunFile(
  text: string,
  labId: string,
  configSchema: z.ZodMiniType<unknown>,
  commandSchema: z.ZodMiniType<unknown>,
): { ok: true; run: RunRecord } | { ok: false; error: string } {
  if (text.length > RUN_FILE_BYTES_MAX)
    return { ok: false, error: 'The file is larger than 20 MB.' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      ok: false,
      error: 'The file is not JSON. Export a run from this lab and import that file.',
    };
  }
  const header = z
    .object({
      format: z.literal(RUN_FILE_FORMAT),
      version: z.literal(RUN_FILE_VERSION),
      labId: z.string(),
    })
    .safeParse(json);
  if (!header.success) {
    return {
      ok: false,
      error: `The file is not a System Design Lab run (format "${RUN_FILE_FORMAT}", version ${RUN_FILE_VERSION}).`,
    };
  }
  if (header.data.labId !== labId) {
    return {
      ok: false,
      error: `The file is a run of the "${header.data.labId}" lab, not of this one ("${labId}").`,
    };
  }
  const body = z
    .object({
      seed: seedSchema,
      config: configSchema,
      commands: loggedCommandsSchema(commandSchema),
      atMs: atMsSchema,
    })
    .safeParse(json);
  if (!body.success) {
    const issue = body.error.issues[0];
    const where = issue?.path.join('.') || 'file';
    return {
      ok: false,
      error: `The run is damaged at "${where}": ${issue?.message ?? 'invalid'}.`,
    };
  }
  return {
    ok: true,
    run: { labId, ...body.data, commands: body.data.commands as RunRecord['commands'] },
  };
}
