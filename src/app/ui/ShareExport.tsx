/**
 * Share and export: copy a link that replays this exact run, export the stage (PNG, SVG) and
 * the run (JSON), and import a run file. A bad file is refused with a message; the current run
 * is untouched.
 */
import { useId, useRef, useState } from 'react';
import type * as z from 'zod/mini';
import type { RunRecord } from '../../worker/protocol';
import { embedCode } from '../embed';
import { downloadBlob, exportStagePng, exportStageSvg } from '../export-stage';
import { parseRunFile, toRunFile } from '../run-file';
import type { Session } from '../session';

export function ShareExport({
  session,
  labId,
  stageRef,
  linkForRun,
  title,
  onImport,
  configSchema,
  commandSchema,
}: {
  session: Session;
  labId: string;
  stageRef: React.RefObject<HTMLElement | null>;
  linkForRun: (run: RunRecord) => string;
  /** The lab's title, for the embed code's iframe title. */
  title: string;
  onImport: (run: RunRecord) => void;
  configSchema: z.ZodMiniType<unknown>;
  commandSchema: z.ZodMiniType<unknown>;
}) {
  const [status, setStatus] = useState<{ text: string; error: boolean } | null>(null);
  const [link, setLink] = useState<{ text: string; label: string } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const fileId = useId();
  const stamp = () => new Date().toISOString().slice(0, 19).replaceAll(':', '-');

  const copy = async (kind: 'link' | 'embed') => {
    const run = await session.requestRun();
    const url = linkForRun(run);
    const text = kind === 'link' ? url : embedCode(url, title);
    const label = kind === 'link' ? 'Link to this run' : 'Embed code for this run';
    setLink({ text, label });
    try {
      await navigator.clipboard.writeText(text);
      setStatus({
        text:
          kind === 'link'
            ? `Link copied: it replays ${run.commands.length} actions and opens at this moment.`
            : `Embed code copied: an iframe that shows this run's stage and playback bar (${run.commands.length} actions).`,
        error: false,
      });
    } catch {
      setStatus({
        text: `Copy the ${kind === 'link' ? 'link' : 'embed code'} below (the clipboard is not available here).`,
        error: false,
      });
    }
  };

  const exportImage = async (kind: 'png' | 'svg') => {
    const stage = stageRef.current;
    if (!stage) return;
    try {
      if (kind === 'svg') exportStageSvg(stage, `${labId}-${stamp()}.svg`);
      else await exportStagePng(stage, `${labId}-${stamp()}.png`);
      setStatus({ text: `Stage exported as ${kind.toUpperCase()}.`, error: false });
    } catch (error) {
      setStatus({ text: error instanceof Error ? error.message : String(error), error: true });
    }
  };

  const exportRun = async () => {
    const run = await session.requestRun();
    const text = JSON.stringify(toRunFile(run), null, 2);
    downloadBlob(new Blob([text], { type: 'application/json' }), `${labId}-run-${stamp()}.json`);
    setStatus({ text: `Run exported (${run.commands.length} actions).`, error: false });
  };

  const importRun = async (file: File) => {
    const text = await file.text();
    const parsed = parseRunFile(text, labId, configSchema, commandSchema);
    if (!parsed.ok) {
      setStatus({
        text: `Could not import "${file.name}": ${parsed.error} Your current run is unchanged.`,
        error: true,
      });
      return;
    }
    setStatus({
      text: `Imported "${file.name}" (${parsed.run.commands.length} actions).`,
      error: false,
    });
    onImport(parsed.run);
  };

  return (
    <section className="share" aria-label="Share and export">
      <button type="button" onClick={() => copy('link')} data-testid="copy-link">
        Copy link
      </button>
      <button type="button" onClick={() => copy('embed')} data-testid="copy-embed">
        Embed
      </button>
      <button type="button" onClick={() => exportImage('png')}>
        PNG
      </button>
      <button type="button" onClick={() => exportImage('svg')}>
        SVG
      </button>
      <button type="button" onClick={exportRun} data-testid="export-run">
        Export run
      </button>
      <label htmlFor={fileId} className="button-like">
        Import run
      </label>
      <input
        id={fileId}
        ref={fileInput}
        type="file"
        accept="application/json,.json"
        className="visually-hidden"
        data-testid="import-run"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) void importRun(file);
          e.target.value = '';
        }}
      />
      {status ? (
        <p
          role={status.error ? 'alert' : 'status'}
          className={status.error ? 'field-error' : 'status'}
          data-testid="share-status"
        >
          {status.text}
        </p>
      ) : null}
      {link ? (
        <input
          className="share-link"
          readOnly
          value={link.text}
          aria-label={link.label}
          onFocus={(e) => e.target.select()}
          data-testid="share-link"
        />
      ) : null}
    </section>
  );
}
