import { describe, expect, it } from 'vitest';
import { announcement, NARRATED_IN_FULL_MAX } from './narration';

describe('announcement', () => {
  it('reads a few events in full, oldest first', () => {
    expect(announcement(['S3 crashed.'])).toBe('S3 crashed.');
    expect(announcement(['S3 crashed.', 'S3 is down.', 'S1 leads.'])).toBe(
      'S3 crashed. S3 is down. S1 leads.',
    );
  });
  it('counts the earlier ones and reads the newest two when many arrive at once', () => {
    const texts = Array.from({ length: 7 }, (_, i) => `Event ${i + 1}.`);
    expect(texts.length).toBeGreaterThan(NARRATED_IN_FULL_MAX);
    expect(announcement(texts)).toBe('5 earlier events, then: Event 6. Event 7.');
  });
});
