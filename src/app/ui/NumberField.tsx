/**
 * A parameter as a slider with a numeric input. Bounds are shown; a bad value is refused with a
 * message and the last good value stays. The value is committed on release, Enter or blur, so
 * dragging a slider does not flood the simulation with commands.
 */
import { useEffect, useId, useState } from 'react';

export function NumberField({
  label,
  value,
  min,
  max,
  step = 1,
  unit,
  integer = true,
  logScale = false,
  onCommit,
  testId,
}: {
  label: string;
  value: number;
  min: number;
  max: number;
  step?: number;
  unit?: string;
  integer?: boolean;
  logScale?: boolean;
  onCommit: (value: number) => void;
  testId?: string;
}) {
  const id = useId();
  const [draft, setDraft] = useState(String(value));
  const [slider, setSlider] = useState(value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(String(value));
    setSlider(value);
  }, [value]);
  const toSlider = (v: number) => (logScale ? Math.log10(Math.max(v, min || 1)) : v);
  const fromSlider = (s: number) => {
    const raw = logScale ? 10 ** s : s;
    return integer ? Math.round(raw) : Math.round(raw / step) * step;
  };
  const commitText = () => {
    const trimmed = draft.trim();
    const parsed = Number(trimmed);
    const bounds = `${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
    if (trimmed === '' || !Number.isFinite(parsed)) {
      setError(`${label}: enter a number from ${bounds}.`);
      setDraft(String(value));
      return;
    }
    if (integer && !Number.isInteger(parsed)) {
      setError(`${label}: enter a whole number from ${bounds}.`);
      setDraft(String(value));
      return;
    }
    if (parsed < min || parsed > max) {
      setError(`${label}: ${parsed.toLocaleString('en-US')} is outside ${bounds}.`);
      setDraft(String(value));
      return;
    }
    setError(null);
    if (parsed !== value) onCommit(parsed);
  };
  const commitSlider = () => {
    setError(null);
    if (slider !== value) onCommit(slider);
  };
  return (
    <div className="number-field" data-testid={testId}>
      <label htmlFor={`${id}-input`}>
        {label}
        {unit ? <span className="unit"> ({unit})</span> : null}
      </label>
      <div className="number-field-row">
        <input
          type="range"
          aria-label={`${label} slider`}
          min={toSlider(min)}
          max={toSlider(max)}
          step={logScale ? 0.01 : step}
          value={toSlider(slider)}
          aria-valuetext={`${slider}${unit ? ` ${unit}` : ''}`}
          onChange={(e) => setSlider(fromSlider(Number(e.target.value)))}
          onPointerUp={commitSlider}
          onKeyUp={commitSlider}
          onBlur={commitSlider}
        />
        <input
          id={`${id}-input`}
          className="number-input"
          inputMode={integer ? 'numeric' : 'decimal'}
          value={draft}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${id}-bounds${error ? ` ${id}-error` : ''}`}
          onChange={(e) => setDraft(e.target.value)}
          onBlur={commitText}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commitText();
          }}
        />
      </div>
      <span id={`${id}-bounds`} className="bounds">
        {min.toLocaleString('en-US')} – {max.toLocaleString('en-US')}
      </span>
      {error ? (
        <span id={`${id}-error`} role="alert" className="field-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}
