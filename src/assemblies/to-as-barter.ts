import { Agreement, Commitment, Hashtag, Measure, type Note, Place, PropertyValue } from "@fedify/vocab";
import { parseDecimal } from "@fedify/vocab-runtime";
import type { Config } from "../config/schema.ts";
import { toInstant } from "../federation/deps.ts";
import { formatMilli, quantitySchema } from "../offers/quantity.ts";

/**
 * The barter table and crisis threads on the wire: every one is a contribution Note (to-as.ts), so it travels
 * the record's one path (Create to the convener, Announce to all) and stays verifiable at its origin. What a
 * pod reads from it is standard vocabulary embedded in the Note:
 * - a pledge: hashtag #pledge; an FEP-0837 `Agreement` attachment whose `stipulates` Commitment `satisfies`
 *   the giver's offer and has a `resourceQuantity` Measure, `name` the offer's name, `endTime` the due day;
 *   PropertyValues `provider` and `receiver` name the giving and receiving pods (ValueFlows' words).
 * - its confirmation: a reply (inReplyTo the pledge) tagged #confirmed, by the giving pod only.
 * - a crisis: hashtag #crisis; `location` a Place named where; PropertyValues `what` and `needed`.
 * - a reply: inReplyTo the crisis; its closing: a reply tagged #closed, by the opener only.
 */
export const CONFIRMED = "confirmed";
export const CLOSED = "closed";

export interface PledgeTerms {
  giverIri: string;
  receiverIri: string;
  offerIri: string;
  offerName: string;
  quantityMilli: number;
  unit: string;
  /** The instant the due day ends (in the proposer's zone). */
  dueBy: Date;
}

export interface CrisisTerms {
  what: string;
  place: string;
  needed: string;
}

export const markerTag = (config: Config, name: string) =>
  new Hashtag({ name: `#${name}`, href: new URL(`/tags/${name}`, config.url) });

const value = (name: string, text: string) => new PropertyValue({ name, value: text });

/** The pledge's structure laid on its contribution Note. */
export function withPledge(note: Note, terms: PledgeTerms): Note {
  const agreement = new Agreement({
    id: new URL(`${note.id!.href}#agreement`),
    name: terms.offerName,
    endTime: toInstant(terms.dueBy),
    stipulates: new Commitment({
      id: new URL(`${note.id!.href}#commitment`),
      satisfies: new URL(terms.offerIri),
      resourceQuantity: new Measure({
        unit: terms.unit,
        numericalValue: parseDecimal(formatMilli(terms.quantityMilli)),
      }),
    }),
  });
  return note.clone({
    attachments: [agreement, value("provider", terms.giverIri), value("receiver", terms.receiverIri)],
  });
}

/** The crisis's structure laid on its contribution Note. */
export function withCrisis(note: Note, terms: CrisisTerms): Note {
  return note.clone({
    location: new Place({ name: terms.place }),
    attachments: [value("what", terms.what), value("needed", terms.needed)],
  });
}

/** A reply that changes what it answers: a confirmation (#confirmed) or a closing (#closed). */
export function withMarker(config: Config, note: Note, marker: typeof CONFIRMED | typeof CLOSED): Note {
  return note.clone({ tags: [markerTag(config, "reply"), markerTag(config, marker)] });
}

/** Only what is embedded in the Note counts: nothing is fetched to read its structure. */
const embedded = { documentLoader: () => Promise.reject(new Error("not fetched")), suppressError: true } as const;

export async function tagNames(note: Note): Promise<string[]> {
  const names: string[] = [];
  for await (const tag of note.getTags(embedded)) {
    const name = (tag as { name?: unknown }).name;
    if (name !== undefined && name !== null) names.push(String(name).replace(/^#/, "").toLowerCase());
  }
  return names;
}

async function properties(note: Note): Promise<{ values: Map<string, string>; agreement: Agreement | null }> {
  const values = new Map<string, string>();
  let agreement: Agreement | null = null;
  for await (const item of note.getAttachments(embedded)) {
    if (item instanceof Agreement) agreement ??= item;
    else if (item instanceof PropertyValue && typeof item.name === "string" && !values.has(item.name)) {
      values.set(item.name, String(item.value ?? ""));
    }
  }
  return { values, agreement };
}

const UNIT = /^[\p{L}\p{N}][\p{L}\p{N} ._/-]{0,39}$/u;
const httpIri = (text: string | undefined) => (text && /^https?:\/\//.test(text) ? URL.parse(text)?.href : undefined);

/** The pledge a Note carries, or null when it carries none (or one that does not read as a pledge). */
export async function pledgeOf(note: Note): Promise<PledgeTerms | null> {
  const { values, agreement } = await properties(note);
  const commitment = agreement?.stipulates;
  const measure = commitment?.resourceQuantity;
  const giverIri = httpIri(values.get("provider"));
  const receiverIri = httpIri(values.get("receiver"));
  const offerIri = httpIri(commitment?.satisfies?.href);
  const quantity = quantitySchema.safeParse(measure?.numericalValue ? String(measure.numericalValue) : "");
  const unit = String(measure?.unit ?? "").trim();
  const due = agreement?.endTime;
  if (!giverIri || !receiverIri || !offerIri || !quantity.success || !UNIT.test(unit) || !due) return null;
  return {
    giverIri,
    receiverIri,
    offerIri,
    offerName: String(agreement.name ?? "").slice(0, 200),
    quantityMilli: quantity.data,
    unit,
    dueBy: new Date(due.epochMilliseconds),
  };
}

/** The crisis a Note carries (what, where, what is needed), or null. */
export async function crisisOf(note: Note): Promise<CrisisTerms | null> {
  const { values } = await properties(note);
  const place = await note.getLocation(embedded).catch(() => null);
  const what = values.get("what")?.trim().slice(0, 300);
  if (!what) return null;
  return {
    what,
    place: String((place as { name?: unknown } | null)?.name ?? "").slice(0, 300),
    needed: (values.get("needed") ?? "").slice(0, 2000),
  };
}
