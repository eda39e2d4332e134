/**
 * A group of radio buttons (one value) or checkboxes (a set of values) in a fieldset with a legend.
 * The inputs are native, so the keyboard works as everywhere (arrows move between radios, Space
 * ticks a checkbox) and the legend names the group for screen readers.
 */
import { type ReactNode, useId } from 'react';

export interface ChoiceOption<Value extends string> {
  value: Value;
  label: ReactNode;
  /** Said after the label, muted, as part of its name: "(current)". */
  hint?: ReactNode;
  disabled?: boolean;
  testId?: string;
}

interface GroupProps<Value extends string> {
  legend: ReactNode;
  options: readonly ChoiceOption<Value>[];
  /** The fieldset's class, which lays the options out (`radio-row`, a grid…). */
  className?: string;
  /** Each option's <label> class. */
  optionClassName?: string;
  /** When set, the options are wrapped in a <div> of this class (to lay them out apart from `children`). */
  optionsClassName?: string;
  testId?: string;
  /** Disables every option (a disabled fieldset). */
  disabled?: boolean;
  /** Shown inside the fieldset after the options: a count, a field that one option needs. */
  children?: ReactNode;
}

interface RadioGroupProps<Value extends string> extends GroupProps<Value> {
  type: 'radio';
  value: Value;
  onChange: (value: Value) => void;
}

interface CheckboxGroupProps<Value extends string> extends GroupProps<Value> {
  type: 'checkbox';
  value: readonly Value[];
  /** The option ticked or unticked; the caller decides the new set (its order, its limits). */
  onChange: (value: Value, checked: boolean) => void;
}

export function ChoiceGroup<Value extends string>(
  props: RadioGroupProps<Value> | CheckboxGroupProps<Value>,
) {
  const name = useId();
  const items = props.options.map((option) => (
    <label key={option.value} className={props.optionClassName}>
      <input
        type={props.type}
        name={props.type === 'radio' ? name : undefined}
        value={option.value}
        checked={
          props.type === 'radio' ? props.value === option.value : props.value.includes(option.value)
        }
        disabled={option.disabled}
        data-testid={option.testId}
        onChange={(event) => {
          if (props.type === 'radio') props.onChange(option.value);
          else props.onChange(option.value, event.target.checked);
        }}
      />
      <span>
        {option.label}
        {option.hint ? <span className="muted"> {option.hint}</span> : null}
      </span>
    </label>
  ));
  return (
    <fieldset className={props.className} data-testid={props.testId} disabled={props.disabled}>
      <legend>{props.legend}</legend>
      {props.optionsClassName ? <div className={props.optionsClassName}>{items}</div> : items}
      {props.children}
    </fieldset>
  );
}
