/** One labelled figure of a metrics panel: a `<dt>`/`<dd>` pair inside the panel's `<dl class="figures">`. */
export function Figure({
  label,
  value,
  testId,
}: {
  label: string;
  value: string;
  testId?: string;
}) {
  return (
    <div className="figure">
      <dt>{label}</dt>
      <dd data-testid={testId}>{value}</dd>
    </div>
  );
}
