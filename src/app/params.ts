/** Reading typed values out of URL parameters (no dependencies but zod, so sims' configs can use it). */
import { z } from 'zod';
import { parseFlag } from './flag';

export { parseFlag };

// Decimal notation only: Number() would also take "0x7", "0b1" or "Infinity".
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A number read from a URL or a file: a JSON number, or a string that holds one. TanStack Router
 * JSON-parses search values, so null, true or [7] arrive as such and must not pass as numbers.
 */
export function fromParam<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess(
    (value) => (typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value),
    schema,
  );
}

/**
 * A boolean read from a URL: the app writes booleans as 0 or 1, and TanStack Router JSON-parses
 * search values, so 0/1 arrive as numbers and "true"/"false" as booleans or strings.
 */
export const flagParam = z.preprocess(
  (value) => parseFlag(value) ?? value,
  z.boolean({ message: 'must be true or false' }),
);
