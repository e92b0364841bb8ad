let lastMs = 0;
// Ids are compared as text in SQL: every id must have the same number of digits (18 from 2020 to 2452).
const EARLIEST_MS = Date.UTC(2020, 8, 14);
let sequence = 0;

/**
 * Sortable numeric ids, as Mastodon clients expect (they page with max_id/min_id and some compare them
 * as numbers): milliseconds since the epoch shifted left 16 bits, plus a sequence within the millisecond.
 * A remote post takes its publication time, so the timeline sorts by when things were written.
 */
export function snowflake(at: Date): string {
  const ms = Math.max(EARLIEST_MS, at.getTime());
  sequence = ms === lastMs ? (sequence + 1) & 0xffff : Math.floor(Math.random() * 0x100);
  lastMs = ms;
  return ((BigInt(ms) << 16n) | BigInt(sequence)).toString();
}
