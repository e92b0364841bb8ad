import { Temporal } from "@js-temporal/polyfill";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { listCategories } from "../categories/service.ts";
import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import { notFound, ProblemError } from "../http/problem.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { offerNoteIri } from "../publishing/iris.ts";
import type { Response } from "../publishing/response.ts";
import {
  offerFormPage,
  offerPage,
  offersListPage,
  pointText,
  type KnownArea,
  type OfferFormTarget,
} from "./app-pages.ts";
import { formatMilli } from "./quantity.ts";
import { claimInputSchema, offerInputSchema, type OfferInput, type OfferPatch } from "./model.ts";
import { OFFER_KINDS } from "./schema.ts";
import type { OfferKind, OffersService } from "./service.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  offers: OffersService;
  rooms: RoomDb;
  config: Config;
  /** Replies to a post of the pod, from the social room. */
  responsesTo: (iri: string, publicOnly: boolean) => Promise<Response[]>;
  /** How many accounts and pods follow the pod (what a new offer reaches), from the follows room. */
  countFollowers: () => Promise<number>;
}

const FORM_FIELDS = [
  "name",
  "description",
  "category",
  "quantity",
  "unit",
  "place",
  "area",
  "point",
  "availableUntil",
  "conditions",
];
const ERROR_OF_FIELD: Record<string, MessageKey> = { quantity: "error.number", availableUntil: "error.date" };
const errorFor = (field: string): MessageKey => ERROR_OF_FIELD[field] ?? "error.required";

/** A `datetime-local` value is a wall-clock time in the pod's time zone; the offer keeps the instant in UTC. */
function instantOf(local: string, timeZone: string): string | undefined {
  try {
    return Temporal.PlainDateTime.from(local).toZonedDateTime(timeZone).toInstant().toString();
  } catch {
    return undefined;
  }
}

/** The instant as the `datetime-local` value that shows it in the pod's time zone. */
const localOf = (iso: string, timeZone: string) =>
  Temporal.Instant.from(iso).toZonedDateTimeISO(timeZone).toPlainDateTime().toString({ smallestUnit: "minute" });

const POINT = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$/;
/** Two decimals, about 1 km: the service rounds again, this shows people what will be published. */
const coarse = (degrees: number) => Math.round(degrees * 100) / 100;

/** "latitude, longitude" to a coarse point; null when empty, "bad" when it is not a point on Earth. */
function pointOf(value: string): { latitude: number; longitude: number } | null | "bad" {
  if (!value.trim()) return null;
  const match = POINT.exec(value);
  const [latitude, longitude] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) return "bad";
  return { latitude: coarse(latitude), longitude: coarse(longitude) };
}

/** Areas this pod's offers and needs used, newest first, each once with its coarse point. */
async function knownAreas(offers: OffersService): Promise<KnownArea[]> {
  const lists = await Promise.all(OFFER_KINDS.map((kind) => offers.list(kind, { limit: 200 })));
  const rows = lists.flat().sort((a, b) => (a.id < b.id ? 1 : -1));
  const byName = new Map<string, KnownArea>();
  for (const row of rows) {
    if (!byName.has(row.areaName))
      byName.set(row.areaName, { name: row.areaName, latitude: row.latitude, longitude: row.longitude });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

type AreaInput = { name: string; latitude?: number; longitude?: number };

/**
 * The area picked: a name typed, else the known area chosen from the list. A name the pod already used brings its
 * coarse point along unless another point is given.
 */
function areaOf(values: Record<string, string>, known: KnownArea[]): { area: AreaInput } | { errors: FieldErrors } {
  const point = pointOf(values.point ?? "");
  if (point === "bad") return { errors: { point: "content.area.pointError" } };
  const name = values.area?.trim() || values.place || "";
  if (!name) return { errors: { area: "error.required" } };
  const picked = known.find((area) => area.name === name);
  const at = point ?? (picked?.latitude != null && picked.longitude != null ? picked : null);
  return { area: at ? { name, latitude: at.latitude!, longitude: at.longitude! } : { name } };
}

/** A withdrawal that lost the race to another one: the offer is withdrawn, as asked. */
const alreadyWithdrawn = (error: unknown) => {
  if (!(error instanceof ProblemError && error.problem.status === 409)) throw error;
};

/** The field a service error names ("body.quantity"), as the form calls it. */
const fieldOfProblem = (error: ProblemError) => String(error.problem.field ?? "name").replace(/^body\./, "");

/** The coordinators' pages for offers and needs: the list, publishing, changing, claims and withdrawing. */
export async function offerPages(
  app: FastifyInstance,
  { kit, audit, offers, rooms, config, responsesTo, countFollowers }: Options,
) {
  const coordinator = kit.guard("coordinator");
  const kindOf = (value: string): OfferKind =>
    OFFER_KINDS.includes(value as OfferKind) ? (value as OfferKind) : "offer";
  const list = async (
    request: FastifyRequest,
    reply: FastifyReply,
    published?: Awaited<ReturnType<OffersService["create"]>>,
  ) => {
    const rows = (await Promise.all(OFFER_KINDS.map((kind) => offers.list(kind, { limit: 100 })))).flat();
    rows.sort((a, b) => (a.id < b.id ? 1 : -1));
    const reached = published && {
      offer: published,
      followers: await countFollowers(),
      handle: `@${config.handle}@${config.url.host}`,
    };
    return kit.send(request, reply, offersListPage(kit.context(request, reply), rows, reached));
  };
  const showForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    target: OfferFormTarget,
    values: Record<string, string>,
    errors?: FieldErrors,
  ) =>
    kit.send(
      request,
      reply,
      offerFormPage(kit.context(request, reply), target, listCategories(rooms, config), await knownAreas(offers), {
        values,
        errors,
      }),
    );

  /** The form's fields checked and shaped as the service takes them, or the errors to show beside them. */
  async function readForm(fields: FormFields | undefined, locale: string) {
    const values = Object.fromEntries(FORM_FIELDS.map((name) => [name, text(fields, name)]));
    const until = values.availableUntil ? instantOf(values.availableUntil!, config.timeZone) : undefined;
    if (values.availableUntil && (!until || Date.parse(until) <= Date.now()))
      return { values, errors: { availableUntil: "error.date" } as FieldErrors };
    const picked = areaOf(values, await knownAreas(offers));
    if ("errors" in picked) return { values, errors: picked.errors };
    const { area } = picked;
    const parsed = offerInputSchema.safeParse({
      name: values.name,
      description: values.description || undefined,
      category: values.category,
      quantity: values.quantity,
      unit: values.unit,
      area,
      availableUntil: until,
      conditions: values.conditions || undefined,
      language: locale,
    });
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= errorFor(String(issue.path[0]));
      return { values, errors };
    }
    return { values, input: parsed.data satisfies OfferInput };
  }

  app.get("/offers", { preHandler: coordinator }, async (request, reply) => {
    const id = text(request.query as FormFields, "published");
    const lists = id ? await Promise.all(OFFER_KINDS.map((kind) => offers.list(kind, { limit: 100 }))) : [];
    const published = lists.flat().find((row) => row.id === id);
    return list(request, reply, published);
  });

  app.get("/offers/new", { preHandler: coordinator }, async (request, reply) =>
    showForm(request, reply, { kind: kindOf(text(request.query as FormFields, "kind")) }, {}),
  );

  app.post("/offers", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const kind = kindOf(text(fields, "kind"));
    const form = await readForm(fields, kit.context(request, reply).locale);
    if (!form.input) return showForm(request, reply, { kind }, form.values, form.errors);
    try {
      const row = await offers.create(kind, form.input);
      audit(request.appMember!.id, `${kind}.publish`, row.id);
      return reply.redirect(`/app/offers?published=${row.id}`, 303);
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 400) {
        const field = fieldOfProblem(error);
        return showForm(request, reply, { kind }, form.values, { [field]: errorFor(field) });
      }
      throw error;
    }
  });

  type OfferParams = { Params: { kind: string; id: string } };
  const found = async (params: OfferParams["Params"]) => {
    if (params.kind !== "offer" && params.kind !== "need") throw notFound(`no ${params.kind} ${params.id}`);
    return offers.get(params.kind, params.id);
  };
  const showOffer = async (
    request: FastifyRequest,
    reply: FastifyReply,
    offer: Awaited<ReturnType<typeof found>>,
    extra: Partial<Parameters<typeof offerPage>[1]> = {},
  ) =>
    kit.send(
      request,
      reply,
      offerPage(kit.context(request, reply), {
        offer,
        claims: await offers.claimsOf(offer.kind, offer.id),
        responses: await responsesTo(offerNoteIri(config, offer).href, false),
        ...extra,
      }),
    );

  app.get<OfferParams>("/offers/:kind/:id", { preHandler: coordinator }, async (request, reply) => {
    const notice = text(request.query as FormFields, "done");
    return showOffer(request, reply, await found(request.params), {
      notice: notice === "claimed" || notice === "withdrawn" || notice === "saved" ? notice : undefined,
    });
  });

  app.get<OfferParams>("/offers/:kind/:id/edit", { preHandler: coordinator }, async (request, reply) => {
    const offer = await found(request.params);
    if (offer.status === "withdrawn") return reply.redirect(`/app/offers/${offer.kind}/${offer.id}`, 303);
    const values = {
      name: offer.name,
      description: offer.description,
      category: offer.category,
      quantity: formatMilli(offer.quantityMilli),
      unit: offer.unit,
      // The offer's own area is in the list (it is one the pod used): picked there, a new name can still be typed.
      place: offer.areaName,
      area: "",
      point: pointText(offer),
      availableUntil: offer.availableUntil ? localOf(offer.availableUntil, config.timeZone) : "",
      conditions: offer.conditions,
    };
    return showForm(request, reply, { kind: offer.kind, offer }, values);
  });

  // The change goes through the offers service, which records the Update its followers receive.
  app.post<OfferParams>("/offers/:kind/:id/edit", { preHandler: coordinator }, async (request, reply) => {
    const offer = await found(request.params);
    if (offer.status === "withdrawn") return reply.redirect(`/app/offers/${offer.kind}/${offer.id}`, 303);
    const target = { kind: offer.kind, offer };
    const form = await readForm(request.body as FormFields | undefined, offer.language);
    if (!form.input) return showForm(request, reply, target, form.values, form.errors);
    // Already checked (and the quantity already in thousandths): a cleared optional field is cleared, not kept.
    const { language: _language, ...input } = form.input;
    const patch: OfferPatch = {
      ...input,
      description: input.description ?? "",
      conditions: input.conditions ?? "",
      availableUntil: input.availableUntil ?? null,
    };
    try {
      await offers.update(offer.kind, offer.id, patch);
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 400) {
        const field = fieldOfProblem(error);
        const key: MessageKey = field === "quantity" ? "content.offer.belowClaimed" : errorFor(field);
        return showForm(request, reply, target, form.values, { [field]: key });
      }
      throw error;
    }
    audit(request.appMember!.id, `${offer.kind}.update`, offer.id);
    return reply.redirect(`/app/offers/${offer.kind}/${offer.id}?done=saved`, 303);
  });

  app.post<OfferParams>("/offers/:kind/:id/claims", { preHandler: coordinator }, async (request, reply) => {
    const offer = await found(request.params);
    const fields = request.body as FormFields | undefined;
    const values = {
      neighbor: text(fields, "neighbor"),
      quantity: text(fields, "quantity"),
      note: text(fields, "note"),
    };
    const parsed = claimInputSchema.safeParse({ ...values, note: values.note || undefined });
    const refuse = (field: string) =>
      showOffer(request, reply, offer, { values, errors: { [field]: errorFor(field) } });
    if (!parsed.success) return refuse(String(parsed.error.issues[0]?.path[0] ?? "neighbor"));
    try {
      await offers.claim(offer.kind, offer.id, parsed.data);
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status < 500) return refuse("quantity");
      throw error;
    }
    audit(request.appMember!.id, `${offer.kind}.claim`, offer.id);
    return reply.redirect(`/app/offers/${offer.kind}/${offer.id}?done=claimed`, 303);
  });

  app.post<OfferParams>("/offers/:kind/:id/withdraw", { preHandler: coordinator }, async (request, reply) => {
    const offer = await found(request.params);
    // Withdrawn meanwhile (another coordinator, another process): it is withdrawn all the same.
    if (offer.status !== "withdrawn") await offers.withdraw(offer.kind, offer.id).catch(alreadyWithdrawn);
    audit(request.appMember!.id, `${offer.kind}.withdraw`, offer.id);
    return reply.redirect(`/app/offers/${offer.kind}/${offer.id}?done=withdrawn`, 303);
  });
}
