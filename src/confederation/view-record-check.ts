/**
 * A quick yes for view records already in the exact shape the record builders make (from-as.ts): every IRI
 * written as URL.href writes it, every instant as toISOString writes it, every text within its limit. It
 * accepts only records the zod schema accepts unchanged (test/unit/view-record-check.test.ts holds it to
 * that); anything else, valid or not, gets false and zod's full reading, which also words the refusal.
 * Zod costs most of a record's build on the inbox's hot path (bench/ingest-real.ts).
 */
export interface ViewRecordLimits {
  summaryMax: number;
  entryKinds: readonly string[];
}

const RECORD_KEYS = new Set([
  "iri",
  "kind",
  "podIri",
  "name",
  "summary",
  "content",
  "url",
  "categoryIri",
  "action",
  "unit",
  "quantityMilli",
  "availableMilli",
  "startsAt",
  "endsAt",
  "areaName",
  "latitude",
  "longitude",
  "extra",
  "adaptedFrom",
  "published",
  "version",
  "services",
]);
const SERVICE_KEYS = new Set(["iri", "name", "categoryIri", "status", "target"]);
const SERVICE_STATUSES = new Set(["active", "paused", "planned"]);

/** IRIs that passed lately: a pod's own IRI and its categories come with every record (parsing is most of a check). */
const passed = new Set<string>();
/** http(s) IRIs exactly as URL.href writes them: no whitespace for zod to trim, nothing for it to rewrite. */
function httpIri(value: unknown): boolean {
  if (typeof value !== "string") return false;
  if (passed.has(value)) return true;
  const ok =
    value.length <= 2048 &&
    (value.startsWith("https://") || value.startsWith("http://")) &&
    URL.parse(value)?.href === value;
  if (ok) {
    if (passed.size >= 1024) passed.clear();
    passed.add(value);
  }
  return ok;
}
const orNull = (check: (value: unknown) => boolean) => (value: unknown) => value === null || check(value);
const text = (max: number) => (value: unknown) => typeof value === "string" && value.length <= max;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** An instant as toISOString writes it (so a real calendar date and time, within years 0000–9999). */
const instant = (value: unknown): boolean => {
  if (typeof value !== "string" || !ISO_INSTANT.test(value)) return false;
  const time = Date.parse(value);
  return Number.isFinite(time) && new Date(time).toISOString() === value;
};
const milli = (value: unknown) =>
  value === null || (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 && value <= 1e15);
const degrees = (max: number) => (value: unknown) =>
  value === null || (typeof value === "number" && Number.isFinite(value) && value >= -max && value <= max);
const ownKeysWithin = (value: object, allowed: Set<string>) => Object.keys(value).every((key) => allowed.has(key));

function extraOk(extra: unknown, entryKinds: readonly string[]): boolean {
  if (!extra || typeof extra !== "object" || Array.isArray(extra) || Object.getPrototypeOf(extra) !== Object.prototype)
    return false;
  const { tags, revision, reviewDue, entry, ...rest } = extra as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return false;
  if (tags !== undefined && !(Array.isArray(tags) && tags.length <= 50 && tags.every(text(64)))) return false;
  if (revision !== undefined && !text(20)(revision)) return false;
  if (reviewDue !== undefined && !text(40)(reviewDue)) return false;
  return entry === undefined || (typeof entry === "string" && entryKinds.includes(entry));
}

function serviceOk(service: unknown): boolean {
  if (!service || typeof service !== "object" || Object.getPrototypeOf(service) !== Object.prototype) return false;
  const s = service as Record<string, unknown>;
  return (
    Object.keys(s).length === SERVICE_KEYS.size &&
    ownKeysWithin(s, SERVICE_KEYS) &&
    httpIri(s.iri) &&
    typeof s.name === "string" &&
    s.name.length >= 1 &&
    s.name.length <= 300 &&
    orNull(httpIri)(s.categoryIri) &&
    typeof s.status === "string" &&
    SERVICE_STATUSES.has(s.status) &&
    orNull(text(40))(s.target)
  );
}

/** True only when zod's schema would accept the record and give back an equal one. */
export function plainlyValid(record: object, limits: ViewRecordLimits): boolean {
  const r = record as Record<string, unknown>;
  if (Object.getPrototypeOf(r) !== Object.prototype) return false;
  if (Object.keys(r).length !== RECORD_KEYS.size || !ownKeysWithin(r, RECORD_KEYS)) return false;
  return (
    httpIri(r.iri) &&
    typeof r.kind === "string" &&
    httpIri(r.podIri) &&
    typeof r.name === "string" &&
    r.name.length >= 1 &&
    r.name.length <= 300 &&
    text(limits.summaryMax)(r.summary) &&
    text(100_000)(r.content) &&
    orNull(httpIri)(r.url) &&
    orNull(httpIri)(r.categoryIri) &&
    orNull(text(64))(r.action) &&
    orNull(text(64))(r.unit) &&
    milli(r.quantityMilli) &&
    milli(r.availableMilli) &&
    orNull(instant)(r.startsAt) &&
    orNull(instant)(r.endsAt) &&
    orNull(text(200))(r.areaName) &&
    degrees(90)(r.latitude) &&
    degrees(180)(r.longitude) &&
    extraOk(r.extra, limits.entryKinds) &&
    orNull(httpIri)(r.adaptedFrom) &&
    instant(r.published) &&
    instant(r.version) &&
    Array.isArray(r.services) &&
    r.services.length <= 100 &&
    r.services.every(serviceOk)
  );
}
