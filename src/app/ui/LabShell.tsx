/**
 * Everything a lab page shares around its own parts: the error boundary, the layout, share and
 * export, the event log, the lesson with its experiments, and the stage's export handle. A lab
 * page calls `useLabRun` (so it can keep hooks of its own) and hands its stage, controls and
 * metrics to this shell.
 */
import { type ReactNode, useCallback, useEffect, useRef } from 'react';
import type * as z from 'zod/mini';
import type { Lesson } from '../lesson';
import type { Session } from '../session';
import type { LabRun } from '../use-lab-run';
import { ErrorBoundary } from './ErrorBoundary';
import { EventLog } from './EventLog';
import { LabLayout } from './LabLayout';
import { LessonPanel } from './LessonPanel';
import { RelatedLabs } from './RelatedLabs';
import { ShareExport } from './ShareExport';
import type { Shortcut } from './ShortcutSheet';

export interface LabShellProps<Config, Snapshot> {
  lab: LabRun<Config>;
  labId: string;
  title: string;
  summary: string;
  defaults: Config;
  configSchema: z.ZodMiniType<unknown>;
  commandSchema: z.ZodMiniType<unknown>;
  lesson: Lesson<Config, Snapshot>;
  shortcuts: Shortcut[];
  /** The stage; `stageRef` must be set on its root element so PNG and SVG export find it. */
  stage: (session: Session, stageRef: (element: HTMLElement | null) => void) => ReactNode;
  controls: (session: Session) => ReactNode;
  metrics: (session: Session) => ReactNode;
}

export function LabShell<Config, Snapshot>(props: LabShellProps<Config, Snapshot>) {
  const { lab, defaults } = props;
  const { parsed, session, goToRun, openExperiment } = lab;
  const stageElement = useRef<HTMLElement | null>(null);
  const setStage = useCallback((element: HTMLElement | null) => {
    stageElement.current = element;
  }, []);
  // `play=1`: start playing once the run has loaded (once per session).
  useEffect(() => {
    if (!session || !lab.view.autoplay) return;
    const unsubscribe = session.store.subscribe((state) => {
      if (!state.frame) return;
      unsubscribe();
      if (!state.frame.playing) session.send({ type: 'play' });
    });
    return unsubscribe;
  }, [session, lab.view.autoplay]);
  if (!session) return <p className="loading">Starting the simulation…</p>;
  return (
    <ErrorBoundary onReset={lab.reset}>
      <LabLayout
        title={props.title}
        summary={props.summary}
        session={session}
        seed={parsed.seed}
        notices={lab.notices}
        onDismissNotices={lab.dismissNotices}
        onReset={lab.reset}
        onSeedChange={(seed) => goToRun(parsed.config, seed)}
        share={
          <ShareExport
            session={session}
            labId={props.labId}
            stageRef={stageElement}
            linkForRun={lab.linkForRun}
            title={props.title}
            onImport={(imported) =>
              goToRun(
                imported.config as Config,
                imported.seed,
                { commands: imported.commands, atMs: imported.atMs },
                false,
              )
            }
            configSchema={props.configSchema}
            commandSchema={props.commandSchema}
          />
        }
        stage={props.stage(session, setStage)}
        controls={props.controls(session)}
        metrics={props.metrics(session)}
        eventLog={<EventLog session={session} />}
        lesson={
          <>
            <LessonPanel
              lesson={props.lesson}
              session={session}
              onRunExperiment={(experiment) =>
                openExperiment(
                  { ...defaults, ...experiment.config },
                  experiment.seed ?? parsed.seed,
                  {
                    commands: experiment.commands,
                    atMs: experiment.atMs,
                  },
                )
              }
            />
            <RelatedLabs labId={props.labId} />
          </>
        }
        labShortcuts={props.shortcuts}
        embed={lab.view.embed}
      />
    </ErrorBoundary>
  );
}
