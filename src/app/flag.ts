/**
 * A boolean as a URL carries it: true/false, 1/0, or their strings; null for anything else.
 * Free of zod, so the app shell (which reads `embed=1`) stays out of the validation chunk.
 */
export function parseFlag(value: unknown): boolean | null {
  if (value === true || value === 'true' || value === '1' || value === 1) return true;
  if (value === false || value === 'false' || value === '0' || value === 0) return false;
  return null;
}
