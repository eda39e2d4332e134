/**
 * Exports a lab's stage as SVG or PNG. A stage is an SVG with optional canvas layers under or
 * over it (for thousands of marks) and possibly further figures beside it; both exports flatten
 * them in paint order at their places on the screen, so what you see is what you get.
 */

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

/**
 * What the stage draws, in paint order (document order): the root SVG (`data-export-root`), any
 * further SVG figures (`data-export-figure`), and every visible canvas, whether it lies under the
 * SVG, over it, or beside it (a second diagram below the first). Each is placed where it is on
 * the screen, relative to the top left of them all.
 */
interface Layer {
  element: SVGSVGElement | HTMLCanvasElement;
  x: number;
  y: number;
  width: number;
  height: number;
}

function stageLayers(stage: HTMLElement): { layers: Layer[]; width: number; height: number } {
  if (!stage.querySelector('svg[data-export-root]')) {
    throw new Error('This stage has nothing to export yet.');
  }
  const elements = Array.from(
    stage.querySelectorAll('svg[data-export-root], svg[data-export-figure], canvas'),
  ).filter(
    (e): e is SVGSVGElement | HTMLCanvasElement =>
      e instanceof SVGSVGElement || e instanceof HTMLCanvasElement,
  );
  const placed = elements
    .map((element) => ({ element, rect: element.getBoundingClientRect() }))
    .filter(({ rect }) => rect.width > 0 && rect.height > 0);
  const left = Math.min(...placed.map(({ rect }) => rect.left));
  const top = Math.min(...placed.map(({ rect }) => rect.top));
  const right = Math.max(...placed.map(({ rect }) => rect.right));
  const bottom = Math.max(...placed.map(({ rect }) => rect.bottom));
  return {
    layers: placed.map(({ element, rect }) => ({
      element,
      x: rect.left - left,
      y: rect.top - top,
      width: rect.width,
      height: rect.height,
    })),
    width: right - left,
    height: bottom - top,
  };
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A standalone SVG document: canvases are embedded as images, colours are resolved. */
export function stageToSvgText(stage: HTMLElement): string {
  const { layers, width, height } = stageLayers(stage);
  const document_ = stage.ownerDocument;
  const out = document_.createElementNS(SVG_NS, 'svg');
  out.setAttribute('xmlns', SVG_NS);
  out.setAttribute('width', String(Math.round(width)));
  out.setAttribute('height', String(Math.round(height)));
  out.setAttribute('viewBox', `0 0 ${round(width)} ${round(height)}`);
  const styles = getComputedStyle(stage);
  out.setAttribute(
    'style',
    `background:${styles.getPropertyValue('--bg') || '#fff'};color:${styles.color}`,
  );
  for (const layer of layers) {
    const placement = {
      x: String(round(layer.x)),
      y: String(round(layer.y)),
      width: String(round(layer.width)),
      height: String(round(layer.height)),
    };
    if (layer.element instanceof HTMLCanvasElement) {
      const image = document_.createElementNS(SVG_NS, 'image');
      image.setAttribute('href', layer.element.toDataURL('image/png'));
      image.setAttribute('preserveAspectRatio', 'none');
      for (const [name, value] of Object.entries(placement)) image.setAttribute(name, value);
      out.append(image);
    } else {
      const clone = layer.element.cloneNode(true) as SVGSVGElement;
      inlineCurrentColor(layer.element, clone);
      clone.removeAttribute('style');
      for (const [name, value] of Object.entries(placement)) clone.setAttribute(name, value);
      out.append(clone);
    }
  }
  return new XMLSerializer().serializeToString(out);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** CSS variables do not survive outside the page, so computed fills and strokes are written in. */
function inlineCurrentColor(source: SVGSVGElement, target: SVGSVGElement): void {
  const sourceNodes = source.querySelectorAll('*');
  const targetNodes = target.querySelectorAll('*');
  sourceNodes.forEach((node, index) => {
    const copy = targetNodes[index];
    if (!(copy instanceof SVGElement)) return;
    const computed = getComputedStyle(node);
    // Marks hidden by a stylesheet (a state the page is not in) must stay hidden in the file.
    if (computed.visibility === 'hidden' || computed.display === 'none') {
      copy.setAttribute('visibility', 'hidden');
    }
    copy.setAttribute('fill', computed.fill);
    copy.setAttribute('stroke', computed.stroke);
    if (computed.opacity !== '1') copy.setAttribute('opacity', computed.opacity);
    if (node instanceof SVGTextElement) {
      copy.setAttribute('font-family', computed.fontFamily);
      copy.setAttribute('font-size', computed.fontSize);
      if (computed.fontWeight !== '400') copy.setAttribute('font-weight', computed.fontWeight);
    }
  });
}

export function exportStageSvg(stage: HTMLElement, filename: string): void {
  downloadBlob(new Blob([stageToSvgText(stage)], { type: 'image/svg+xml' }), filename);
}

export async function exportStagePng(stage: HTMLElement, filename: string): Promise<void> {
  const { width, height } = stageLayers(stage);
  const scale = Math.min(2, window.devicePixelRatio || 1) * 1.5;
  const url = URL.createObjectURL(new Blob([stageToSvgText(stage)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    image.decoding = 'sync';
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The stage could not be drawn as an image.'));
      image.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    const context = canvas.getContext('2d');
    if (!context) throw new Error('This browser cannot draw a PNG here.');
    context.fillStyle = getComputedStyle(stage).getPropertyValue('--bg') || '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The PNG could not be encoded.');
    downloadBlob(blob, filename);
  } finally {
    URL.revokeObjectURL(url);
  }
}
