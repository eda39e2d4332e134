/** What the aria-live narration says for the important events gathered since it last spoke. */

/** Announcements read at most this many events in full. */
export const NARRATED_IN_FULL_MAX = 3;

/** One announcement for the events gathered since the last one, oldest first. */
export function announcement(texts: readonly string[]): string {
  if (texts.length <= NARRATED_IN_FULL_MAX) return texts.join(' ');
  const newest = texts.slice(-2);
  const earlier = texts.length - newest.length;
  return `${earlier} earlier events, then: ${newest.join(' ')}`;
}
