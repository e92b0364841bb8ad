import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { listCategories } from "../categories/service.ts";
import { CATEGORY_SLUG } from "../categories/taxonomy.ts";
import type { Config } from "../config/schema.ts";
import type { RoomDb } from "../db/room-db.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { BLANK_ROWS, charterAppPage, charterFormValues, type CharterPageState } from "./app-pages.ts";
import { charterInputSchema, type Charter, type CharterInput } from "./model.ts";
import type { ChartersService } from "./service.ts";

interface Options {
  kit: AppKit;
  charters: ChartersService;
  audit: (memberId: string, action: string, subject: string) => void;
  rooms: RoomDb;
  config: Config;
}

const SERVICE_FIELDS = ["key", "name", "category", "description", "schedule", "area"];
const PLANNED_FIELDS = ["key", "name", "category", "description", "target", "people", "skills", "materials"];

/** A service's key from its name: "Comedor de los sábados" -> "comedor-de-los-sabados". */
export function keyFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
}

const list = (value: string) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** Reads the rows of the charter form; rows without a name are left out (that is how a service is removed). */
export function charterFromForm(fields: FormFields | undefined, previous: Charter | null, languages: string[]) {
  const count = (name: string, max: number) => Math.min(Math.max(Number.parseInt(text(fields, name), 10) || 0, 0), max);
  const services = count("services", 50 + BLANK_ROWS);
  const planned = count("planned", 20 + BLANK_ROWS);
  const values: Record<string, string> = { changeNote: text(fields, "changeNote") };
  const taken = new Set<string>();
  const keyFor = (given: string, name: string, fallback: string) => {
    let key = CATEGORY_SLUG.test(given) ? given : keyFromName(name) || fallback;
    for (let n = 2; taken.has(key) && n < 100; n++) key = `${key.slice(0, 36)}-${n}`;
    taken.add(key);
    return key;
  };
  /** Which form field each input entry came from, to put an error beside it. */
  const rowOf: { services: number[]; planned: number[] } = { services: [], planned: [] };
  const input = { changeNote: values.changeNote, services: [] as unknown[], planned: [] as unknown[] };
  for (let i = 0; i < services; i++) {
    for (const f of SERVICE_FIELDS) values[`s${i}-${f}`] = text(fields, `s${i}-${f}`);
    const name = values[`s${i}-name`]!.trim();
    if (!name) continue;
    const key = keyFor(values[`s${i}-key`]!, name, `service-${i + 1}`);
    const before = previous?.services.find((s) => s.key === key);
    rowOf.services.push(i);
    input.services.push({
      key,
      name,
      category: values[`s${i}-category`],
      description: values[`s${i}-description`],
      schedule: values[`s${i}-schedule`],
      area: values[`s${i}-area`],
      languages: before?.languages ?? languages,
      status: before?.status ?? "active",
    });
  }
  for (let i = 0; i < planned; i++) {
    for (const f of PLANNED_FIELDS) values[`p${i}-${f}`] = text(fields, `p${i}-${f}`);
    const name = values[`p${i}-name`]!.trim();
    if (!name) continue;
    const people = values[`p${i}-people`]!.trim();
    rowOf.planned.push(i);
    input.planned.push({
      key: keyFor(values[`p${i}-key`]!, name, `planned-${i + 1}`),
      name,
      category: values[`p${i}-category`],
      description: values[`p${i}-description`],
      target: values[`p${i}-target`]!.trim(),
      needs: {
        people: people === "" ? 0 : /^\d+$/.test(people) ? Number(people) : Number.NaN,
        skills: list(values[`p${i}-skills`]!),
        materials: list(values[`p${i}-materials`]!),
      },
    });
  }
  return { input, values, services, planned, rowOf };
}

const ERROR_OF: Record<string, MessageKey> = {
  target: "charter.error.target",
  people: "charter.error.number",
  skills: "charter.error.list",
  materials: "charter.error.list",
};

/** The coordinators' charter page: review, publish (through the same service as the admin API), history. */
export async function charterPages(app: FastifyInstance, { kit, charters, audit, rooms, config }: Options) {
  const coordinator = kit.guard("coordinator");
  const show = async (request: FastifyRequest, reply: FastifyReply, state: Partial<CharterPageState> = {}) => {
    const charter = charters.current();
    const page = charterAppPage(kit.context(request, reply), {
      charter,
      history: await charters.history(),
      categories: listCategories(rooms, config),
      form: charterFormValues(charter),
      now: new Date().toISOString(),
      ...state,
    });
    return kit.send(request, reply, page);
  };

  app.get("/charter", { preHandler: coordinator }, async (request, reply) => {
    const query = request.query as FormFields;
    const charter = charters.current();
    if (text(query, "published") && charter) {
      return show(request, reply, { notice: { key: "charter.published", params: { number: charter.number } } });
    }
    if (text(query, "reviewed") && charter) {
      const at = kit.context(request, reply).time(charter.reviewDue);
      return show(request, reply, { notice: { key: "charter.reviewed", params: { at } } });
    }
    return show(request, reply);
  });

  app.post("/charter", { preHandler: coordinator }, async (request, reply) => {
    const form = charterFromForm(request.body as FormFields | undefined, charters.current(), config.languages);
    const parsed = charterInputSchema.safeParse(form.input);
    const known = new Set(listCategories(rooms, config).map((c) => c.slug));
    const errors: FieldErrors = {};
    for (const row of form.rowOf.services) {
      if (!known.has(form.values[`s${row}-category`]!)) errors[`s${row}-category`] = "error.required";
      if (!form.values[`s${row}-area`]!.trim()) errors[`s${row}-area`] = "error.required";
    }
    for (const row of form.rowOf.planned) {
      if (!known.has(form.values[`p${row}-category`]!)) errors[`p${row}-category`] = "error.required";
    }
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const [list, index, field, sub] = issue.path as (string | number)[];
        if (list === "changeNote") errors.changeNote = "error.required";
        if ((list === "services" || list === "planned") && typeof index === "number") {
          const prefix = list === "services" ? "s" : "p";
          const row = form.rowOf[list][index]!;
          const name = field === "needs" ? String(sub) : String(field ?? "name");
          errors[`${prefix}${row}-${name}`] = ERROR_OF[name] ?? "error.required";
        }
      }
    }
    if (Object.keys(errors).length > 0 || !parsed.success) {
      const state = { values: form.values, services: form.services, planned: form.planned, errors };
      return show(request, reply, { form: state });
    }
    const published = await charters.publish(parsed.data as CharterInput);
    audit(request.appMember!.id, "charter.publish", `revision ${published.number}`);
    return reply.redirect("/app/charter?published=1", 303);
  });

  app.post("/charter/review", { preHandler: coordinator }, async (request, reply) => {
    if (!charters.current()) return reply.redirect("/app/charter", 303);
    const reviewed = await charters.review();
    audit(request.appMember!.id, "charter.review", `revision ${reviewed.number}`);
    return reply.redirect("/app/charter?reviewed=1", 303);
  });
}
