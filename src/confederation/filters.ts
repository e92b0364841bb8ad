import { z } from "zod";
import { categoriesOf } from "../categories/service.ts";
import type { PodDeps } from "../federation/deps.ts";
import { PUBLISHED_STATUSES, type PublishedStatus } from "../offers/status.ts";
import { KIND_NAMES, type ViewKind } from "../publishing/kind-names.ts";

/**
 * The filters of the confederal view, one schema for the JSON API, the feeds, matching and practice
 * spread. A bad value is a 400 naming the filter ("querystring.radiusKm"), through the app's handler
 * for validation errors.
 */

export type { ViewKind };

/** Derived from the quantities and the end date at the time of the request (offers/status.ts). */
export type ViewStatus = PublishedStatus;

export const VIEW_SORTS = ["newest", "ending_soon", "nearest"] as const;
export type ViewSort = (typeof VIEW_SORTS)[number];

export const MAX_RADIUS_KM = 500;
/** The radius used when `near` is given without `radiusKm`. */
export const DEFAULT_RADIUS_KM = 25;
export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;
const MAX_Q = 200;
const MAX_TERMS = 8;

/** Where the previous page stopped: the sort it belongs to and the sort keys of its last item. */
export type ViewCursor =
  | { sort: "newest"; published: string; iri: string }
  | { sort: "ending_soon"; endsAt: string | null; iri: string }
  | { sort: "nearest"; distanceKm: number; iri: string };

/** Opaque to clients: base64url of a small JSON array. */
export function encodeCursor(cursor: ViewCursor): string {
  const keys =
    cursor.sort === "newest"
      ? [cursor.published, cursor.iri]
      : cursor.sort === "ending_soon"
        ? [cursor.endsAt, cursor.iri]
        : [cursor.distanceKm, cursor.iri];
  return Buffer.from(JSON.stringify([cursor.sort, ...keys]), "utf8").toString("base64url");
}

export function decodeCursor(text: string): ViewCursor | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 3 || typeof value[2] !== "string" || value[2].length === 0) return null;
  const [sort, key, iri] = value as [unknown, unknown, string];
  if (sort === "newest" && typeof key === "string") return { sort, published: key, iri };
  if (sort === "ending_soon" && (typeof key === "string" || key === null)) return { sort, endsAt: key, iri };
  if (sort === "nearest" && typeof key === "number" && Number.isFinite(key) && key >= 0)
    return { sort, distanceKm: key, iri };
  return null;
}

const NEAR = /^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = z.iso.datetime({ offset: true });

const statusList = z
  .union([z.string(), z.array(z.string()).max(PUBLISHED_STATUSES.length * 2)])
  .transform((value, ctx) => {
    const parts = (Array.isArray(value) ? value : [value])
      .flatMap((v) => v.split(","))
      .map((v) => v.trim())
      .filter(Boolean);
    const bad = parts.find((p) => !(PUBLISHED_STATUSES as readonly string[]).includes(p));
    if (parts.length === 0 || bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `must be ${PUBLISHED_STATUSES.join(", ")} (several separated by commas)`,
      });
      return z.NEVER;
    }
    return [...new Set(parts)] as ViewStatus[];
  });

/**
 * The end of the window asked for, as an ISO instant: a date means "by the end of that day (UTC)", a
 * date-time means that instant. Stored times are ISO UTC strings, so they compare as text.
 */
const availableBy = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const date = DATE_ONLY.exec(value);
    if (date) {
      const [y, m, d] = [Number(date[1]), Number(date[2]), Number(date[3])];
      const start = new Date(Date.UTC(y, m - 1, d));
      if (start.getUTCFullYear() === y && start.getUTCMonth() === m - 1 && start.getUTCDate() === d) {
        return new Date(start.getTime() + 86_400_000 - 1).toISOString();
      }
    } else if (DATE_TIME.safeParse(value).success) {
      return new Date(value).toISOString();
    }
    ctx.addIssue({
      code: "custom",
      message: "must be a date such as 2026-12-01 or an ISO 8601 date-time such as 2026-12-01T18:00:00Z",
    });
    return z.NEVER;
  });

const near = z
  .string()
  .max(60)
  .transform((value, ctx) => {
    const match = NEAR.exec(value);
    const lat = match ? Number(match[1]) : NaN;
    const lon = match ? Number(match[2]) : NaN;
    if (!match || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      ctx.addIssue({ code: "custom", message: 'must be "latitude,longitude" in decimal degrees, such as 51.52,-0.08' });
      return z.NEVER;
    }
    return { lat, lon };
  });

const httpIri = z.url({ protocol: /^https?$/, error: "must be an http(s) IRI" }).max(2048);

/** The filter schema; categories are looked up in this pod's taxonomy, so it needs the database. */
export function viewFilterSchema(deps: Pick<PodDeps, "rooms" | "config">) {
  const categories = categoriesOf(deps);
  const category = z
    .string()
    .trim()
    .min(1, "must not be empty")
    .max(2048)
    .transform((value, ctx) => {
      if (/^https?:\/\//i.test(value)) {
        if (URL.canParse(value)) return { iri: value };
      } else {
        const known = categories.find(value);
        if (known) return { iri: known.iri };
      }
      ctx.addIssue({
        code: "custom",
        message: `unknown category "${value.slice(0, 60)}": a slug from GET /categories or a category IRI`,
      });
      return z.NEVER;
    });

  return z
    .object({
      /**
       * Where the route serves several kinds (matches: need or offer side). Fixed-kind routes refuse a different one.
       */
      kind: z.enum(KIND_NAMES).optional(),
      category: category.optional(),
      pod: httpIri.optional(),
      /** Offers and needs only; default open and partly claimed, not past their end. */
      status: statusList.optional(),
      q: z
        .string()
        .trim()
        .max(MAX_Q, `must be at most ${MAX_Q} characters`)
        .transform((value) => value.split(/\s+/).filter(Boolean).slice(0, MAX_TERMS))
        .optional(),
      availableBy: availableBy.optional(),
      near: near.optional(),
      radiusKm: z.coerce
        .number({ error: "must be a number of kilometres" })
        .positive("must be greater than 0")
        .max(MAX_RADIUS_KM, `must be at most ${MAX_RADIUS_KM}`)
        .optional(),
      sort: z.enum(VIEW_SORTS).default("newest"),
      cursor: z
        .string()
        .max(8192)
        .transform((value, ctx) => {
          const cursor = decodeCursor(value);
          if (!cursor) {
            ctx.addIssue({ code: "custom", message: "is not a cursor from a previous page" });
            return z.NEVER;
          }
          return cursor;
        })
        .optional(),
      limit: z.coerce
        .number({ error: "must be a whole number" })
        .int("must be a whole number")
        .min(1, "must be at least 1")
        .max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`)
        .default(DEFAULT_LIMIT),
    })
    .superRefine((value, ctx) => {
      if (value.sort === "nearest" && !value.near) {
        ctx.addIssue({ code: "custom", path: ["sort"], message: "nearest needs near=latitude,longitude" });
      }
      if (value.radiusKm !== undefined && !value.near) {
        ctx.addIssue({ code: "custom", path: ["radiusKm"], message: "needs near=latitude,longitude" });
      }
      if (value.cursor && typeof value.cursor === "object" && value.cursor.sort !== value.sort) {
        ctx.addIssue({
          code: "custom",
          path: ["cursor"],
          message: `belongs to sort=${value.cursor.sort}, not sort=${value.sort}`,
        });
      }
    });
}

export type ViewQuery = z.output<ReturnType<typeof viewFilterSchema>>;

/** The filters as the queries take them: the query with its kind fixed and the defaults applied. */
export interface ViewFilters {
  kind: ViewKind;
  categoryIri?: string;
  pod?: string;
  /** undefined: the default (LIVE_STATUSES). Ignored for charters and practices. */
  status?: readonly ViewStatus[];
  terms?: string[];
  /** ISO instant: starts_at null or at/before it. */
  availableBy?: string;
  near?: { lat: number; lon: number; radiusKm: number };
  sort: ViewSort;
  cursor?: ViewCursor;
  limit: number;
}

export function toFilters(query: ViewQuery, kind: ViewKind): ViewFilters {
  return {
    kind,
    categoryIri: query.category?.iri,
    pod: query.pod,
    status: query.status,
    terms: query.q && query.q.length > 0 ? query.q : undefined,
    availableBy: query.availableBy,
    near: query.near ? { ...query.near, radiusKm: query.radiusKm ?? DEFAULT_RADIUS_KM } : undefined,
    sort: query.sort,
    cursor: query.cursor,
    limit: query.limit,
  };
}
