/**
 * Exports a lab's stage as SVG or PNG. A stage is an SVG with optional canvas layers beneath it
 * (for thousands of marks); both exports flatten the layers in order, so what you see is what
 * you get.
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

function stageLayers(stage: HTMLElement): { svg: SVGSVGElement; canvases: HTMLCanvasElement[] } {
  const svg = stage.querySelector('svg[data-export-root]');
  if (!(svg instanceof SVGSVGElement)) throw new Error('This stage has nothing to export yet.');
  const canvases = Array.from(stage.querySelectorAll('canvas[data-export-layer]')).filter(
    (c): c is HTMLCanvasElement => c instanceof HTMLCanvasElement,
  );
  return { svg, canvases };
}

/** A standalone SVG document: canvas layers are embedded as images, colours are resolved. */
export function stageToSvgText(stage: HTMLElement): string {
  const { svg, canvases } = stageLayers(stage);
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(Math.round(width)));
  clone.setAttribute('height', String(Math.round(height)));
  const styles = getComputedStyle(stage);
  clone.setAttribute(
    'style',
    `background:${styles.getPropertyValue('--bg') || '#fff'};color:${styles.color}`,
  );
  inlineCurrentColor(svg, clone);
  const viewBox = svg.viewBox.baseVal;
  for (const canvas of canvases.reverse()) {
    const image = document.createElementNS('http://www.w3.org/2000/svg', 'image');
    image.setAttribute('href', canvas.toDataURL('image/png'));
    image.setAttribute('x', String(viewBox?.x ?? 0));
    image.setAttribute('y', String(viewBox?.y ?? 0));
    image.setAttribute('width', String(viewBox?.width || width));
    image.setAttribute('height', String(viewBox?.height || height));
    clone.insertBefore(image, clone.firstChild);
  }
  return new XMLSerializer().serializeToString(clone);
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
  const { svg } = stageLayers(stage);
  const { width, height } = svg.getBoundingClientRect();
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
