import { amountsOf, formatMilli, quantityLine } from "../offers/quantity.ts";
import { encodeCursor, type ViewCursor, type ViewFilters } from "./filters.ts";
import { categoryIndex, presentRows, type ViewItem } from "./view-present.ts";
import { cursorAfter, haversineKm, listRows, type ViewDeps, type ViewRow } from "./view-query.ts";

/**
 * Matching: for each need, the open offers that could meet it; and the mirror, for each offer the needs
 * it could meet. Both sides read the neighbors' view and this pod's own open offers and needs, so a need
 * at this pod matched to an offer from a neighbor shows here.
 *
 * A match needs the same category IRI. The score (0–1) adds, on top of that, shared words in name and
 * summary, how much of the need the offer covers (same unit), and closeness when both have coordinates.
 */

export interface NeedMatches {
  need: ViewItem;
  offers: { offer: ViewItem; score: number; reasons: string[] }[];
}

export interface OfferMatches {
  offer: ViewItem;
  needs: { need: ViewItem; score: number; reasons: string[] }[];
}

/** What scoring looks at: a row of the view (or this pod's own, in the view's shape). */
export type MatchInput = Pick<
  ViewRow,
  "name" | "summary" | "categoryIri" | "unit" | "availableMilli" | "quantityMilli" | "latitude" | "longitude"
>;

export const MATCH_WEIGHTS = { category: 0.25, words: 0.35, quantity: 0.25, distance: 0.15 } as const;
/** Distance score falls linearly to zero at this many km. */
export const MATCH_DISTANCE_KM = 50;
/** At most this many candidate counterparts per category are read (newest first). */
export const MATCH_CANDIDATES_PER_CATEGORY = 2000;
/** At most this many counterparts are listed per need or offer. */
export const MATCH_PER_ITEM = 10;
/** A page of the barter table reads at most this many needs (or offers) looking for ones with matches. */
const SCAN_BUDGET = 2000;
const SCAN_PAGE = 100;

const STOPWORDS = new Set(
  [
    "the and for with from our your some any all are was were has have this that these those".split(" "),
    "into onto per each can will just".split(" "),
    "need needs needed offer offers offering available free please want wanted share sharing give giving".split(" "),
    "los las del por para con una uno unos unas que est".split(" "),
  ].flat(),
);

/** Lower-cased, accent-free words of three letters or more, a final plural "s" dropped. */
export function wordsOf(text: string): Set<string> {
  const out = new Set<string>();
  const folded = text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase();
  for (const word of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 3 || STOPWORDS.has(word)) continue;
    out.add(word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word);
  }
  return out;
}

const normalUnit = (unit: string | null) => unit?.trim().toLowerCase() ?? "";
const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * The score alone, without building the reasons: what ranking thousands of pairs needs. Null when the
 * offer cannot meet the need (another category, nothing left on either side).
 */
function scoreOnly(
  need: MatchInput,
  offer: MatchInput,
  needWords: Set<string>,
  offerWords: Set<string>,
): number | null {
  if (!need.categoryIri || need.categoryIri !== offer.categoryIri) return null;
  if (offer.availableMilli === 0 || need.availableMilli === 0) return null;
  let score = MATCH_WEIGHTS.category;
  const [small, large] = needWords.size <= offerWords.size ? [needWords, offerWords] : [offerWords, needWords];
  let shared = 0;
  for (const w of small) if (large.has(w)) shared++;
  if (shared > 0) score += MATCH_WEIGHTS.words * Math.min(1, shared / Math.max(1, small.size));
  const needed = need.availableMilli ?? need.quantityMilli;
  const available = offer.availableMilli ?? offer.quantityMilli;
  if (needed !== null && available !== null && needed > 0 && normalUnit(need.unit) === normalUnit(offer.unit)) {
    score += MATCH_WEIGHTS.quantity * Math.min(1, available / needed);
  }
  if (need.latitude !== null && need.longitude !== null && offer.latitude !== null && offer.longitude !== null) {
    const km = haversineKm(need.latitude, need.longitude, offer.latitude, offer.longitude);
    score += MATCH_WEIGHTS.distance * Math.max(0, 1 - km / MATCH_DISTANCE_KM);
  }
  return round(score, 3);
}

/** Why a pair scored what it did, in words people read. */
function reasonsFor(
  need: MatchInput,
  offer: MatchInput,
  needWords: Set<string>,
  offerWords: Set<string>,
  categoryLabel?: string,
): string[] {
  const reasons = [`same category: ${categoryLabel ?? need.categoryIri}`];
  const shared = [...needWords].filter((w) => offerWords.has(w));
  if (shared.length > 0) reasons.push(`shared words: ${shared.slice(0, 8).join(", ")}`);
  const needed = need.availableMilli ?? need.quantityMilli;
  const available = offer.availableMilli ?? offer.quantityMilli;
  if (needed !== null && available !== null && needed > 0) {
    if (normalUnit(need.unit) === normalUnit(offer.unit)) {
      const unit = need.unit ? ` ${need.unit}` : "";
      reasons.push(
        available >= needed
          ? `covers the whole need: ${formatMilli(available)}${unit} available, ${formatMilli(needed)}${unit} needed`
          : `covers ${Math.round((available / needed) * 100)}% of the need: ` +
              quantityLine(amountsOf({ quantityMilli: needed, availableMilli: available, unit: need.unit })),
      );
    } else {
      reasons.push(`different units: needed in ${need.unit ?? "(none)"}, offered in ${offer.unit ?? "(none)"}`);
    }
  }
  if (need.latitude !== null && need.longitude !== null && offer.latitude !== null && offer.longitude !== null) {
    reasons.push(`${round(haversineKm(need.latitude, need.longitude, offer.latitude, offer.longitude), 1)} km apart`);
  }
  return reasons;
}

/**
 * How well an offer could meet a need (0–1) and why, or null when it cannot (another category, nothing
 * left). `needWords`/`offerWords` are precomputed wordsOf(name + " " + summary) when scoring many pairs.
 */
export function scoreMatch(
  need: MatchInput,
  offer: MatchInput,
  options: { categoryLabel?: string; needWords?: Set<string>; offerWords?: Set<string> } = {},
): { score: number; reasons: string[] } | null {
  const needWords = options.needWords ?? wordsOf(`${need.name} ${need.summary}`);
  const offerWords = options.offerWords ?? wordsOf(`${offer.name} ${offer.summary}`);
  const score = scoreOnly(need, offer, needWords, offerWords);
  return score === null
    ? null
    : { score, reasons: reasonsFor(need, offer, needWords, offerWords, options.categoryLabel) };
}

type Side = "need" | "offer";

interface Scored {
  row: ViewRow;
  score: number;
  reasons: string[];
}

interface Candidate {
  row: ViewRow;
  words: Set<string>;
}

/** Ranking: higher score first, then the newer, then by IRI (a total order, so pages are stable). */
const better = (score: number, row: ViewRow, than: { candidate: Candidate; score: number }) =>
  score !== than.score
    ? score > than.score
    : row.published !== than.candidate.row.published
      ? row.published > than.candidate.row.published
      : row.iri < than.candidate.row.iri;

/**
 * One page of the barter table. `filters.kind` is the side listed (need: each need with its offers;
 * offer: the mirror); the filters select that side, the counterparts are every live object of the
 * other kind in the same category. Items without any counterpart are skipped, so a page can hold fewer
 * than `limit` items while `nextCursor` is still set.
 */
export async function matchPage(
  v: ViewDeps,
  filters: ViewFilters & { kind: Side },
  options: { perItem?: number } = {},
): Promise<{ items: { item: ViewRow; matches: Scored[] }[]; nextCursor: string | null }> {
  const side = filters.kind;
  const other: Side = side === "need" ? "offer" : "need";
  const perItem = options.perItem ?? MATCH_PER_ITEM;
  const category = categoryIndex(v);
  const candidates = new Map<string, Candidate[]>();
  const candidatesFor = async (categoryIri: string) => {
    let list = candidates.get(categoryIri);
    if (!list) {
      const { rows } = await listRows(
        v,
        { kind: other, categoryIri, sort: "newest", limit: MATCH_CANDIDATES_PER_CATEGORY },
        "view+own",
        { content: false },
      );
      list = rows.map((row) => ({ row, words: wordsOf(`${row.name} ${row.summary}`) }));
      candidates.set(categoryIri, list);
    }
    return list;
  };

  const items: { item: ViewRow; matches: Scored[] }[] = [];
  let cursor: ViewCursor | undefined = filters.cursor;
  let scanned = 0;
  let next: ViewCursor | null = null;
  do {
    const page = await listRows(v, { ...filters, cursor, limit: Math.max(filters.limit, SCAN_PAGE) }, "view+own", {
      content: false,
    });
    for (const [index, row] of page.rows.entries()) {
      scanned++;
      if (row.categoryIri) {
        const label = category(row.categoryIri)?.label;
        const rowWords = wordsOf(`${row.name} ${row.summary}`);
        // Keep the best perItem, best first (ties: newer, then by IRI), explaining only those.
        const best: { candidate: Candidate; score: number }[] = [];
        for (const candidate of await candidatesFor(row.categoryIri)) {
          if (candidate.row.iri === row.iri) continue;
          const score =
            side === "need"
              ? scoreOnly(row, candidate.row, rowWords, candidate.words)
              : scoreOnly(candidate.row, row, candidate.words, rowWords);
          if (score === null) continue;
          if (best.length === perItem && !better(score, candidate.row, best[best.length - 1]!)) continue;
          let at = best.length;
          while (at > 0 && better(score, candidate.row, best[at - 1]!)) at--;
          best.splice(at, 0, { candidate, score });
          if (best.length > perItem) best.pop();
        }
        if (best.length > 0) {
          const matches = best.map(({ candidate, score }) => ({
            row: candidate.row,
            score,
            reasons:
              side === "need"
                ? reasonsFor(row, candidate.row, rowWords, candidate.words, label)
                : reasonsFor(candidate.row, row, candidate.words, rowWords, label),
          }));
          items.push({ item: row, matches });
        }
      }
      if (items.length >= filters.limit) {
        // Stop at this row: the next page starts right after it.
        const more = index < page.rows.length - 1 || page.next !== null;
        next = more ? cursorAfter(row, filters) : null;
        return { items, nextCursor: next ? encodeCursor(next) : null };
      }
    }
    next = page.next;
    cursor = page.next ?? undefined;
  } while (next && scanned < SCAN_BUDGET);
  return { items, nextCursor: next ? encodeCursor(next) : null };
}

/** The barter table page with items presented as the API shows them (pods, categories, paths). */
export async function barterTable(
  v: ViewDeps,
  filters: ViewFilters & { kind: Side },
  options: { perItem?: number } = {},
): Promise<{ items: NeedMatches[] | OfferMatches[]; nextCursor: string | null }> {
  const page = await matchPage(v, filters, options);
  const rows = new Map<string, ViewRow>();
  for (const { item, matches } of page.items) {
    rows.set(item.iri, item);
    for (const m of matches) rows.set(m.row.iri, m.row);
  }
  const presented = new Map((await presentRows(v, [...rows.values()])).map((item) => [item.iri, item]));
  const at = (row: ViewRow) => presented.get(row.iri)!;
  if (filters.kind === "need") {
    const items: NeedMatches[] = page.items.map(({ item, matches }) => ({
      need: at(item),
      offers: matches.map((m) => ({ offer: at(m.row), score: m.score, reasons: m.reasons })),
    }));
    return { items, nextCursor: page.nextCursor };
  }
  const items: OfferMatches[] = page.items.map(({ item, matches }) => ({
    offer: at(item),
    needs: matches.map((m) => ({ need: at(m.row), score: m.score, reasons: m.reasons })),
  }));
  return { items, nextCursor: page.nextCursor };
}
