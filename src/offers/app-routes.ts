import { Temporal } from "@js-temporal/polyfill";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { listCategories } from "../categories/service.ts";
import type { Config } from "../config/schema.ts";
import type { Db } from "../db/client.ts";
import { notFound, ProblemError } from "../http/problem.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { newOfferPage, offerPage, offersListPage } from "./app-pages.ts";
import { claimInputSchema, offerInputSchema, type OfferInput } from "./model.ts";
import { OFFER_KINDS } from "./schema.ts";
import type { OfferKind, OffersService } from "./service.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  offers: OffersService;
  db: Db;
  config: Config;
}

const FORM_FIELDS = ["name", "description", "category", "quantity", "unit", "area", "availableUntil", "conditions"];
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

/** The coordinators' pages for offers and needs: the list, and publishing a new one. */
export async function offerPages(app: FastifyInstance, { kit, audit, offers, db, config }: Options) {
  const coordinator = kit.guard("coordinator");
  const kindOf = (value: string): OfferKind =>
    OFFER_KINDS.includes(value as OfferKind) ? (value as OfferKind) : "offer";
  const list = (
    request: FastifyRequest,
    reply: FastifyReply,
    published?: Awaited<ReturnType<OffersService["create"]>>,
  ) => {
    const rows = OFFER_KINDS.flatMap((kind) => offers.list(kind, { limit: 100 }));
    rows.sort((a, b) => (a.id < b.id ? 1 : -1));
    return kit.send(request, reply, offersListPage(kit.context(request, reply), rows, published));
  };

  app.get("/offers", { preHandler: coordinator }, async (request, reply) => {
    const id = text(request.query as FormFields, "published");
    const published = id
      ? OFFER_KINDS.map((kind) => offers.list(kind, { limit: 100 }).find((row) => row.id === id)).find(Boolean)
      : undefined;
    return list(request, reply, published);
  });

  app.get("/offers/new", { preHandler: coordinator }, async (request, reply) => {
    const kind = kindOf(text(request.query as FormFields, "kind"));
    const page = newOfferPage(kit.context(request, reply), kind, listCategories(db, config), { values: {} });
    return kit.send(request, reply, page);
  });

  app.post("/offers", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields | undefined;
    const kind = kindOf(text(fields, "kind"));
    const values = Object.fromEntries(FORM_FIELDS.map((name) => [name, text(fields, name)]));
    const showErrors = (errors: FieldErrors) =>
      kit.send(
        request,
        reply,
        newOfferPage(kit.context(request, reply), kind, listCategories(db, config), { values, errors }),
      );

    const until = values.availableUntil ? instantOf(values.availableUntil!, config.timeZone) : undefined;
    if (values.availableUntil && (!until || Date.parse(until) <= Date.now()))
      return showErrors({ availableUntil: "error.date" });
    const parsed = offerInputSchema.safeParse({
      name: values.name,
      description: values.description || undefined,
      category: values.category,
      quantity: values.quantity,
      unit: values.unit,
      area: { name: values.area },
      availableUntil: until,
      conditions: values.conditions || undefined,
      language: kit.context(request, reply).locale,
    });
    if (!parsed.success) {
      const errors: FieldErrors = {};
      for (const issue of parsed.error.issues) errors[String(issue.path[0])] ??= errorFor(String(issue.path[0]));
      return showErrors(errors);
    }
    try {
      const row = await offers.create(kind, parsed.data satisfies OfferInput);
      audit(request.appMember!.id, `${kind}.publish`, row.id);
      return reply.redirect(`/app/offers?published=${row.id}`, 303);
    } catch (error) {
      if (error instanceof ProblemError && error.problem.status === 400) {
        const field = String(error.problem.field ?? "name");
        return showErrors({ [field]: errorFor(field) });
      }
      throw error;
    }
  });

  type OfferParams = { Params: { kind: string; id: string } };
  const found = (params: OfferParams["Params"]) => {
    if (params.kind !== "offer" && params.kind !== "need") throw notFound(`no ${params.kind} ${params.id}`);
    return offers.get(params.kind, params.id);
  };
  const showOffer = (
    request: FastifyRequest,
    reply: FastifyReply,
    offer: ReturnType<typeof found>,
    extra: Partial<Parameters<typeof offerPage>[1]> = {},
  ) =>
    kit.send(
      request,
      reply,
      offerPage(kit.context(request, reply), { offer, claims: offers.claimsOf(offer.kind, offer.id), ...extra }),
    );

  app.get<OfferParams>("/offers/:kind/:id", { preHandler: coordinator }, async (request, reply) => {
    const notice = text(request.query as FormFields, "done");
    return showOffer(request, reply, found(request.params), {
      notice: notice === "claimed" || notice === "withdrawn" ? notice : undefined,
    });
  });

  app.post<OfferParams>("/offers/:kind/:id/claims", { preHandler: coordinator }, async (request, reply) => {
    const offer = found(request.params);
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
    const offer = found(request.params);
    if (offer.status !== "withdrawn") await offers.withdraw(offer.kind, offer.id);
    audit(request.appMember!.id, `${offer.kind}.withdraw`, offer.id);
    return reply.redirect(`/app/offers/${offer.kind}/${offer.id}?done=withdrawn`, 303);
  });
}
