/** Reading typed values out of URL parameters (no dependencies but zod, so sims' configs can use it). */
import { z } from 'zod';

/**
 * A number read from a URL or a file: a JSON number, or a string that holds one. TanStack Router
 * JSON-parses search values, so null, true or [7] arrive as such and must not pass as numbers.
 */
export function fromParam<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess(
    (value) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value),
    schema,
  );
}
