/**
 * Calls `onWidth` with an element's content width (CSS pixels) whenever it changes by more than
 * half a pixel, from a ResizeObserver. Views use it instead of reading clientWidth or a bounding
 * box per frame, which would force a synchronous layout after the frame's writes. Returns the
 * function that stops observing.
 */
export function observeWidth(element: Element, onWidth: (widthPx: number) => void): () => void {
  if (typeof ResizeObserver === 'undefined') return () => {};
  let shownPx = 0;
  const observer = new ResizeObserver((entries) => {
    const widthPx = entries[0]?.contentRect.width ?? 0;
    if (widthPx <= 0 || Math.abs(widthPx - shownPx) <= 0.5) return;
    shownPx = widthPx;
    onWidth(widthPx);
  });
  observer.observe(element);
  return () => observer.disconnect();
}
