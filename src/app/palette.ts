/**
 * Colour-blind-safe categorical colours (Okabe & Ito, 2008), tuned per theme. Beyond eight
 * series the colours repeat, so every mark that carries identity also carries a label or shape.
 */
export const OKABE_ITO = [
  '#E69F00',
  '#56B4E9',
  '#009E73',
  '#F0E442',
  '#0072B2',
  '#D55E00',
  '#CC79A7',
  '#999999',
];
// Slightly deeper variants read better on a light background (yellow especially).
const OKABE_ITO_ON_LIGHT = [
  '#C98A00',
  '#3A9AD9',
  '#008A63',
  '#B8A800',
  '#0072B2',
  '#D55E00',
  '#B8608F',
  '#7A7A7A',
];

export function seriesColor(index: number, theme: 'light' | 'dark'): string {
  const palette = theme === 'dark' ? OKABE_ITO : OKABE_ITO_ON_LIGHT;
  return palette[((index % palette.length) + palette.length) % palette.length]!;
}

export function currentTheme(): 'light' | 'dark' {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

// Theme colours (CSS custom properties on <html>) read once per theme: getComputedStyle after a
// frame's DOM writes forces a style recalculation, so views must not call it per frame.
const themeColorCache = new Map<string, string>();
let themeColorTheme: string | undefined;

/** The value of a theme CSS variable such as `--accent`, cached until the theme changes. */
export function themeColor(name: string, fallback: string): string {
  const theme = document.documentElement.dataset.theme;
  if (theme !== themeColorTheme) {
    themeColorCache.clear();
    themeColorTheme = theme;
  }
  let value = themeColorCache.get(name);
  if (value === undefined) {
    value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    themeColorCache.set(name, value);
  }
  return value || fallback;
}
