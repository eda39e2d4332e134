/** Formatting shared by every lab: times, counts, percentages, speeds. */

export function formatSeconds(atMs: number): string {
  return `${(atMs / 1000).toFixed(atMs < 10_000 ? 2 : 1)} s`;
}

// One cached formatter: toLocaleString builds a new one per call, which costs ~50× more.
const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function formatCount(n: number): string {
  return countFormat.format(Math.round(n));
}

export function formatPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatSpeed(speed: number): string {
  if (speed >= 10) return `${speed.toFixed(0)}×`;
  if (speed >= 1) return `${speed.toFixed(1)}×`;
  return `${speed.toFixed(2)}×`;
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}
