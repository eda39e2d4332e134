/**
 * The React side of a chart factory (DESIGN.md §9): make the chart once its <svg> mounts, destroy
 * it on unmount, and redraw it when the values it is drawn from change, or the theme does.
 *
 *   const svg = useChart(
 *     (element) => createBarChart(element, { size, yLabel, title }),
 *     (chart, theme) => chart.update(bars(theme)),
 *     [snapshot.versions.keys],
 *   );
 *   return <svg ref={svg} className="chart" />;
 */
import { type RefObject, useEffect, useRef, useSyncExternalStore } from 'react';
import { currentTheme } from '../palette';

export type Theme = 'light' | 'dark';

function subscribeToTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, {
    attributes: true,
    attributeFilter: ['data-theme'],
  });
  return () => observer.disconnect();
}

/**
 * The page's resolved theme (`data-theme` on <html>); the caller re-renders when it changes, so
 * colours picked per theme follow a switch even while the run is paused and nothing else renders.
 */
export function useDocumentTheme(): Theme {
  return useSyncExternalStore(subscribeToTheme, currentTheme);
}

/** What a chart was last drawn from: its redraw keys, the theme, and when (wall ms). */
export interface ChartDrawing {
  keys: readonly unknown[];
  theme: Theme;
  atMs: number;
}

/**
 * Whether a chart last drawn as `drawn` should be drawn again as `next`. A first drawing or a new
 * theme: always. Changed keys (compared one by one with Object.is): unless the last drawing was
 * less than `throttleMs` ago, in which case the caller asks again on a later render.
 */
export function redrawDue(
  drawn: ChartDrawing | null,
  next: ChartDrawing,
  throttleMs: number,
): boolean {
  if (drawn === null || drawn.theme !== next.theme) return true;
  const changed =
    drawn.keys.length !== next.keys.length ||
    drawn.keys.some((key, i) => !Object.is(key, next.keys[i]));
  return changed && next.atMs - drawn.atMs >= throttleMs;
}

/**
 * Mounts a chart made by `create` on the returned SVG ref and calls `draw` with it whenever a value
 * in `redrawOn` changes or the theme does. `create` runs once per mount (later closures are not
 * used), so anything it reads must be fixed for the component's life. `throttleMs` spaces the
 * redraws of changed keys (a redraw rewrites the SVG): pass it while playing fast, 0 when paused.
 */
export function useChart<Chart extends { destroy(): void }>(
  create: (svg: SVGSVGElement) => Chart,
  draw: (chart: Chart, theme: Theme) => void,
  redrawOn: readonly unknown[],
  { throttleMs = 0 }: { throttleMs?: number } = {},
): RefObject<SVGSVGElement | null> {
  const svg = useRef<SVGSVGElement>(null);
  const chart = useRef<Chart | null>(null);
  const drawn = useRef<ChartDrawing | null>(null);
  const theme = useDocumentTheme();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is made once per mount.
  useEffect(() => {
    if (!svg.current) return;
    const made = create(svg.current);
    chart.current = made;
    return () => {
      made.destroy();
      chart.current = null;
      drawn.current = null;
    };
  }, []);
  // No dependency list: this runs after every render and redrawDue decides, so a change held back
  // by the throttle is drawn on a later render instead of being lost.
  useEffect(() => {
    if (!chart.current) return;
    const next = { keys: redrawOn, theme, atMs: performance.now() };
    if (!redrawDue(drawn.current, next, throttleMs)) return;
    drawn.current = next;
    draw(chart.current, theme);
  });
  return svg;
}
