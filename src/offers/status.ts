/**
 * An offer's or need's status: the one rule, used by the offers room for its own rows and by the
 * confederal view for every offer it lists (in JS here, and as the SQL predicate the view filters with).
 * It follows from the quantities and the end date; withdrawn is the one status that is an event.
 */

/** What any offer can be while it is published (the view stores no status: it derives it). */
export const PUBLISHED_STATUSES = ["open", "partly_claimed", "claimed", "expired"] as const;
export type PublishedStatus = (typeof PUBLISHED_STATUSES)[number];
/** Every status an offer of this pod can have: published ones, then withdrawn. */
export const OFFER_STATUSES = [...PUBLISHED_STATUSES, "withdrawn"] as const;
/** Still available and not past its end: what "surplus" means when no status is asked for. */
export const LIVE_STATUSES: readonly PublishedStatus[] = ["open", "partly_claimed"];

export interface StatusInputs {
  quantityMilli: number | null;
  availableMilli: number | null;
  /** ISO 8601 UTC. */
  endsAt: string | null;
}

/** The status at `now`, by quantities and end date. */
export function offerStatus(row: StatusInputs, now: Date): PublishedStatus {
  if (row.endsAt !== null && row.endsAt <= now.toISOString()) return "expired";
  if (row.availableMilli === 0) return "claimed";
  const { availableMilli: available, quantityMilli: quantity } = row;
  if (available !== null && quantity !== null && available < quantity) return "partly_claimed";
  return "open";
}

/** Which side of `ends_at IS NULL` a query is on, when the view's plan splits there (ending_soon). */
export type EndsSide = "any" | "known" | "none";

/**
 * The same rule as offerStatus, as an SQL condition over the columns quantity_milli, available_milli and
 * ends_at: true for rows whose status is one of `statuses` at the bound `now` parameter. Null when every
 * status is wanted. Outside the ending_soon walk `unindexed` ("+" on SQLite) before ends_at keeps the planner
 * off the view's end-date index, which would otherwise be picked for the OR and then need a full sort by
 * published; PostgreSQL has no such hint ("").
 */
export function offerStatusSql(
  statuses: readonly PublishedStatus[],
  now: string,
  ends: EndsSide,
  unindexed: "+" | "" = "+",
): string | null {
  const set = new Set(statuses);
  if (PUBLISHED_STATUSES.every((s) => set.has(s))) return null;
  const endsAt = `${unindexed}ends_at`;
  const notExpired =
    ends === "none" ? null : ends === "known" ? `ends_at > ${now}` : `(${endsAt} IS NULL OR ${endsAt} > ${now})`;
  const expired =
    ends === "none"
      ? "1 = 0"
      : ends === "known"
        ? `ends_at <= ${now}`
        : `(${endsAt} IS NOT NULL AND ${endsAt} <= ${now})`;
  const byQuantity: string[] = [];
  if (set.has("open") && set.has("partly_claimed")) byQuantity.push("(available_milli IS NULL OR available_milli > 0)");
  else if (set.has("open"))
    byQuantity.push(
      "(available_milli IS NULL OR " +
        "(available_milli > 0 AND (quantity_milli IS NULL OR available_milli >= quantity_milli)))",
    );
  else if (set.has("partly_claimed")) byQuantity.push("(available_milli > 0 AND available_milli < quantity_milli)");
  if (set.has("claimed")) byQuantity.push("available_milli = 0");
  const live =
    byQuantity.length === 0 ? null : [notExpired, `(${byQuantity.join(" OR ")})`].filter(Boolean).join(" AND ");
  const parts = [live, set.has("expired") ? expired : null].filter((x): x is string => x !== null);
  return parts.length === 0 ? "1 = 0" : parts.length === 1 ? parts[0]! : `(${parts.map((x) => `(${x})`).join(" OR ")})`;
}
