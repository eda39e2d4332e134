/**
 * The lesson: a short concept, then "Try this" experiments. Each asks for a prediction first;
 * running it loads the experiment's run, and the answer is read off the simulation, never typed in.
 */
import { AnimatePresence, m } from 'framer-motion';
import { useEffect, useState } from 'react';
import type { Experiment, Lesson } from '../lesson';
import type { Session, SessionState } from '../session';
import { ChoiceGroup } from './ChoiceGroup';

interface Pending {
  /** The session that was showing when the learner pressed Run: its frames do not answer. */
  staleSession: Session;
  experimentId: string;
  predictedId: string;
  commandCount: number;
  atMs: number;
}

export function LessonPanel<Config, Snapshot>({
  lesson,
  session,
  onRunExperiment,
}: {
  lesson: Lesson<Config, Snapshot>;
  session: Session;
  onRunExperiment: (experiment: Experiment<Config, Snapshot>) => void;
}) {
  const [predictions, setPredictions] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<Pending | null>(null);
  const [answers, setAnswers] = useState<
    Record<string, { predictedId: string; choiceId: string; text: string }>
  >({});
  // Only while an experiment runs does the panel watch the frames, waiting for its run to land.
  useEffect(() => {
    if (!pending || session === pending.staleSession) return;
    const check = (state: SessionState) => {
      const frame = state.frame;
      const snapshot = state.snapshot as Snapshot | null;
      if (!frame || !snapshot) return;
      if (frame.commandCount !== pending.commandCount || frame.atMs !== pending.atMs) return;
      const experiment = lesson.experiments.find((e) => e.id === pending.experimentId);
      if (!experiment) return;
      const measured = experiment.measure(snapshot);
      setAnswers((a) => ({
        ...a,
        [experiment.id]: { predictedId: pending.predictedId, ...measured },
      }));
      setPending(null);
    };
    check(session.store.getState());
    return session.store.subscribe(check);
  }, [pending, session, lesson.experiments]);

  return (
    <section className="panel lesson" aria-labelledby="lesson-title">
      <h2 id="lesson-title">{lesson.title}</h2>
      {lesson.concept.map((paragraph) => (
        <p key={paragraph.slice(0, 40)}>{paragraph}</p>
      ))}
      <h3>Try this</h3>
      <ol className="experiments">
        {lesson.experiments.map((experiment) => (
          <ExperimentCard
            key={experiment.id}
            experiment={experiment}
            predicted={predictions[experiment.id] ?? null}
            onPredict={(choiceId) => setPredictions((p) => ({ ...p, [experiment.id]: choiceId }))}
            running={pending?.experimentId === experiment.id}
            answer={answers[experiment.id] ?? null}
            onRun={() => {
              const predictedId = predictions[experiment.id];
              if (!predictedId) return;
              setAnswers((a) => {
                const { [experiment.id]: _, ...rest } = a;
                return rest;
              });
              setPending({
                staleSession: session,
                experimentId: experiment.id,
                predictedId,
                commandCount: experiment.commands.length,
                atMs: experiment.atMs,
              });
              onRunExperiment(experiment);
            }}
          />
        ))}
      </ol>
    </section>
  );
}

function ExperimentCard<Config, Snapshot>({
  experiment,
  predicted,
  onPredict,
  running,
  answer,
  onRun,
}: {
  experiment: Experiment<Config, Snapshot>;
  predicted: string | null;
  onPredict: (choiceId: string) => void;
  running: boolean;
  answer: { predictedId: string; choiceId: string; text: string } | null;
  onRun: () => void;
}) {
  const correct = answer ? answer.predictedId === answer.choiceId : false;
  const choiceLabel = (id: string) => experiment.choices.find((c) => c.id === id)?.label ?? id;
  return (
    <li className="experiment" data-testid={`experiment-${experiment.id}`}>
      <h4>{experiment.title}</h4>
      <p>{experiment.setup}</p>
      <ChoiceGroup
        type="radio"
        legend={`${experiment.question} Predict first:`}
        optionClassName="choice"
        options={experiment.choices.map((choice) => ({ value: choice.id, label: choice.label }))}
        value={predicted ?? ''}
        onChange={onPredict}
      />
      <button type="button" onClick={onRun} disabled={!predicted || running}>
        {running ? 'Running…' : predicted ? 'Run it' : 'Make a prediction to run it'}
      </button>
      <AnimatePresence>
        {answer ? (
          <m.div
            className={`answer ${correct ? 'answer-right' : 'answer-wrong'}`}
            role="status"
            initial={{ opacity: 0, y: -4 }}
            animate={{ opacity: 1, y: 0 }}
            exit={{ opacity: 0 }}
          >
            <p>
              <strong>{correct ? 'Your prediction held.' : 'Not quite.'}</strong> You predicted{' '}
              {choiceLabel(answer.predictedId)}; measured: {answer.text}
            </p>
            <p>{experiment.explanation}</p>
          </m.div>
        ) : null}
      </AnimatePresence>
    </li>
  );
}
