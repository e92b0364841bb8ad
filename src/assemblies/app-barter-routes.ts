import { Temporal } from "@js-temporal/polyfill";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { ProblemError } from "../http/problem.ts";
import { quantitySchema } from "../offers/quantity.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { BARTER_NOTICES, type BarterNotice, type BarterView } from "./app-barter-pages.ts";
import type { AssemblyBarter } from "./barter.ts";
import type { Assembly } from "./model.ts";
import type { AssembliesRoom } from "./room.ts";

/** 2026-02-31 and 2026-13-01 match the pattern but are no day: refused here, not thrown later (a 500). */
const isCalendarDay = (day: string) => {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const at = new Date(Date.UTC(year, month - 1, date));
  return at.getUTCFullYear() === year && at.getUTCMonth() === month - 1 && at.getUTCDate() === date;
};
export const pledgeFormSchema = z.object({
  offerIri: z.string().url(),
  receiverIri: z.string().url(),
  quantity: quantitySchema,
  due: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .refine(isCalendarDay, "not a date in the calendar"),
});
export const crisisFormSchema = z.object({
  what: z.string().trim().min(1).max(300),
  place: z.string().trim().max(300).default(""),
  needed: z.string().trim().max(2000).default(""),
});
export const crisisAnswerSchema = z.object({
  crisis: z.string().url(),
  text: z.string().trim().max(10_000).default(""),
});

/** The barter parts of the assembly page, as the page builder reads them. */
export async function barterViewOf(
  barter: AssemblyBarter,
  room: AssembliesRoom,
  row: Assembly,
  zone: string,
  request: FastifyRequest,
  errors?: FieldErrors,
): Promise<BarterView> {
  const did = text(request.query as FormFields, "did");
  const today = Temporal.Now.plainDateISO(zone);
  const start = Temporal.Instant.from(row.startTime).toZonedDateTimeISO(zone).toPlainDate();
  const base = Temporal.PlainDate.compare(start, today) > 0 ? start : today;
  return {
    row,
    self: room.self(),
    nameOf: barter.nameOf,
    draft: await barter.agenda.draft(row),
    matches: (await barter.table(row)).matches,
    pledges: await barter.pledges.list(row.id),
    crises: await barter.crises.list(row.id),
    record: await room.record(row.id),
    pods: [...(await barter.takingPart(row))],
    notice: errors ? undefined : BARTER_NOTICES.find((notice) => notice === did),
    errors,
    defaultDue: base.add({ days: 7 }).toString(),
  };
}

const ERROR_OF: Record<string, MessageKey> = {
  quantity: "barter.error.quantity",
  due: "barter.error.due",
  offerIri: "barter.error.offer",
  receiverIri: "barter.error.offer",
  what: "crisis.error.what",
};

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  assemblies: AssembliesRoom;
  barter: AssemblyBarter;
  show: (request: FastifyRequest, reply: FastifyReply, id: string, errors?: FieldErrors) => unknown;
}

/** Coordinators redraft and publish the agenda, pledge and confirm, open, answer and close crisis threads. */
export async function barterPages(app: FastifyInstance, { kit, audit, assemblies, barter, show }: Options) {
  const coordinator = kit.guard("coordinator");
  type IdParams = { Params: { id: string } };
  const fieldsOf = (request: FastifyRequest) => (request.body as FormFields | undefined) ?? undefined;

  /** One form's action: its problems shown beside the page, its success as a notice. */
  const action = (
    path: string,
    audited: string,
    notice: BarterNotice,
    run: (row: Assembly, fields: FormFields | undefined) => Promise<unknown>,
  ) =>
    app.post<IdParams>(`/assemblies/:id/${path}`, { preHandler: coordinator }, async (request, reply) => {
      const row = await assemblies.get(request.params.id);
      try {
        await run(row, fieldsOf(request));
      } catch (error) {
        if (error instanceof z.ZodError) {
          const field = String(error.issues[0]?.path[0] ?? "");
          return show(request, reply, row.id, { [field]: ERROR_OF[field] ?? "error.required" });
        }
        if (error instanceof ProblemError && error.problem.status < 500) {
          const field = error.problem.field ?? "form";
          return show(request, reply, row.id, { [field]: ERROR_OF[field] ?? "barter.error.refused" });
        }
        throw error;
      }
      audit(request.appMember!.id, audited, row.id);
      return reply.redirect(`/app/assemblies/${row.id}?did=${notice}`, 303);
    });

  action("agenda/redraft", "assembly.agenda.redraft", "redrafted", async (row) => barter.agenda.redraft(row));
  action("agenda", "assembly.agenda.publish", "published", (row, fields) =>
    barter.agenda.publish(row, z.string().max(20_000).parse(text(fields, "markdown"))),
  );
  action("pledges", "assembly.pledge.propose", "pledged", (row, fields) => {
    const input = pledgeFormSchema.parse({
      offerIri: text(fields, "offerIri"),
      receiverIri: text(fields, "receiverIri"),
      quantity: text(fields, "quantity"),
      due: text(fields, "due"),
    });
    return barter.pledges.propose(row, { ...input, quantityMilli: input.quantity });
  });
  action("pledges/confirm", "assembly.pledge.confirm", "confirmed", (row, fields) =>
    barter.pledges.confirm(row, z.string().url().parse(text(fields, "pledge"))),
  );
  action("crises", "assembly.crisis.open", "opened", (row, fields) =>
    barter.crises.open(
      row,
      crisisFormSchema.parse({
        what: text(fields, "what"),
        place: text(fields, "place"),
        needed: text(fields, "needed"),
      }),
    ),
  );
  action("crises/reply", "assembly.crisis.reply", "replied", (row, fields) => {
    const input = crisisAnswerSchema.parse({ crisis: text(fields, "crisis"), text: text(fields, "text") });
    if (!input.text) throw new z.ZodError([{ code: "custom", path: ["text"], message: "required", input: "" }]);
    return barter.crises.reply(row, input.crisis, input.text);
  });
  action("crises/close", "assembly.crisis.close", "closed", (row, fields) => {
    const input = crisisAnswerSchema.parse({ crisis: text(fields, "crisis"), text: text(fields, "text") });
    return barter.crises.close(row, input.crisis, input.text);
  });
}
