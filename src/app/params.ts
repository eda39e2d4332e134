/**
 * Reading typed values out of URL parameters (no dependencies but zod, so sims' configs can use it).
 *
 * The app validates with zod/mini, whose functional API tree-shakes: a lab page loads only the
 * checks its schemas use. Every schema in the app is built by a module that imports this one, so
 * this is where zod is configured.
 */
import * as z from 'zod/mini';
import { parseFlag } from './flag';

export { parseFlag };

// zod/mini loads no locale: without one, every issue we write no message for (a bad command, seed
// or time in an imported run file or a shared link) would read just "Invalid input". The English
// locale keeps those notices as specific as they were with classic zod, for 1.1 kB gzip.
z.config(z.locales.en());

// Decimal notation only: Number() would also take "0x7", "0b1" or "Infinity".
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A number read from a URL or a file: a JSON number, or a string that holds one. TanStack Router
 * JSON-parses search values, so null, true or [7] arrive as such and must not pass as numbers.
 */
export function fromParam<Schema extends z.ZodMiniType>(schema: Schema) {
  return z.pipe(
    z.transform((value: unknown) =>
      typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : value,
    ),
    schema,
  );
}

/**
 * A boolean read from a URL: the app writes booleans as 0 or 1, and TanStack Router JSON-parses
 * search values, so 0/1 arrive as numbers and "true"/"false" as booleans or strings.
 */
export const flagParam = z.pipe(
  z.transform((value: unknown) => parseFlag(value) ?? value),
  z.boolean({ message: 'must be true or false' }),
);
