// Ids are compared as text in SQL: every id must have the same number of digits (18 from 2020 to 2452).
const EARLIEST_MS = Date.UTC(2020, 8, 14);
/** The last sequence given out in each recently used millisecond (the least recently used goes first). */
const lastSequence = new Map<number, number>();
const MILLISECONDS_KEPT = 1_024;

/**
 * Sortable numeric ids, as Mastodon clients expect (they page with max_id/min_id and some compare them
 * as numbers): milliseconds since the epoch shifted left 16 bits, plus a sequence within the millisecond.
 * A remote post takes its publication time, so the timeline sorts by when things were written. Each
 * millisecond's sequence goes on from where it stopped, even when ids for other milliseconds came between
 * (posts published in one second, each followed by a notification now): starting again at random, it ran
 * into ids already taken, and the caller's check for a free id tried them one by one.
 */
export function snowflake(at: Date): string {
  const ms = Math.max(EARLIEST_MS, at.getTime());
  const last = lastSequence.get(ms);
  const sequence = last === undefined ? Math.floor(Math.random() * 0x100) : (last + 1) & 0xffff;
  lastSequence.delete(ms);
  if (lastSequence.size >= MILLISECONDS_KEPT) lastSequence.delete(lastSequence.keys().next().value!);
  lastSequence.set(ms, sequence);
  return ((BigInt(ms) << 16n) | BigInt(sequence)).toString();
}
