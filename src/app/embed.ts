/**
 * How a lab page is shown, read from the URL beside the run: `embed=1` shows only the stage and
 * the playback bar (for a teacher's page, in an iframe), and `play=1` starts playing on load.
 * These are not part of the run: a shared link or an exported run never carries them.
 */
import { parseFlag } from './flag';

export interface ViewOptions {
  embed: boolean;
  autoplay: boolean;
}

const FIELDS = { embed: 'embed', autoplay: 'play' } as const;

export function readViewOptions(search: Record<string, unknown>): {
  options: ViewOptions;
  notices: string[];
} {
  const notices: string[] = [];
  const read = (key: keyof typeof FIELDS): boolean => {
    const name = FIELDS[key];
    const raw = search[name];
    if (raw === undefined || raw === '') return false;
    const parsed = parseFlag(raw);
    if (parsed !== null) return parsed;
    notices.push(`URL parameter "${name}" = ${JSON.stringify(raw)} is not 0 or 1; using 0.`);
    return false;
  };
  return { options: { embed: read('embed'), autoplay: read('autoplay') }, notices };
}

/** The search params that keep the view options across the page's own navigations. */
export function viewSearch(options: ViewOptions): Record<string, number> {
  const search: Record<string, number> = {};
  if (options.embed) search[FIELDS.embed] = 1;
  if (options.autoplay) search[FIELDS.autoplay] = 1;
  return search;
}

/** True when the current location asks for the embedded view (for the app's chrome). */
export function isEmbedSearch(search: Record<string, unknown>): boolean {
  return readViewOptions(search).options.embed;
}

/** An iframe snippet that embeds the run a link points to. */
export function embedCode(link: string, title: string): string {
  const src = `${link}${link.includes('?') ? '&' : '?'}embed=1`;
  const attribute = (text: string) =>
    text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
  return `<iframe src="${attribute(src)}" title="${attribute(`${title} (System Design Lab)`)}" width="100%" height="560" style="border:0" loading="lazy"></iframe>`;
}
