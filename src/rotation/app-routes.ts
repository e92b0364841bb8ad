import { Temporal } from "@js-temporal/polyfill";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/schema.ts";
import type { MembersService } from "../members/service.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import { translator } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { minePage, type MinePageState, roleFormPage, type RotaPageState, rotaPage } from "./app-pages.ts";
import { RISK_LEVELS, type Risk } from "./generator.ts";
import { PERIOD_KEY, periodEnd, periodStart } from "./periods.ts";
import { PERIOD_KINDS, type PeriodKind } from "./schema.ts";
import type { RotationRoom } from "./room.ts";
import type { Role, RoleInput, RotaMember, Workflow } from "./service.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  rota: RotationRoom;
  members: MembersService;
  config: Config;
  /** Called when the roles the charter names (or whether it names them) may have changed. */
  publicRolesChanged: (before: string) => Promise<void>;
  /** The pod's workflows (open memory): a role's handbook can be one of them. */
  workflows: () => Promise<Workflow[]>;
}

const ROLE_FIELDS = ["name", "seats", "skills", "risk", "tenureLimit", "period", "handbook", "handbookWorkflowId"];
const fieldsOf = (request: FastifyRequest) => request.body as FormFields | undefined;
const listOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? [value] : []);

/** The rotation room's pages: coordinators define roles, generate, adjust and publish; members see and swap seats. */
export async function rotaPages(
  app: FastifyInstance,
  { kit, audit, rota, members, config, publicRolesChanged, workflows }: Options,
) {
  const coordinator = kit.guard("coordinator");
  const member = kit.guard("member");
  const active = async (): Promise<RotaMember[]> =>
    (await members.list())
      .filter((m) => !m.disabledAt)
      .map((m) => ({ id: m.id, name: m.displayName, skills: m.skills }));
  const names = async () => new Map((await active()).map((m) => [m.id, m.name]));

  const show = async (request: FastifyRequest, reply: FastifyReply, state: Partial<RotaPageState> = {}) =>
    kit.send(
      request,
      reply,
      rotaPage(kit.context(request, reply), {
        roles: await rota.roles(),
        proposed: await rota.proposed(),
        unfilled: await rota.unfilled(),
        members: await names(),
        publicRoles: (await rota.settings()).publicRoles,
        ...state,
      }),
    );
  const NOTICES = {
    generated: "rota.generated",
    published: "rota.published",
    saved: "rota.saved",
    settings: "rota.publicSaved",
  } as const;
  const noticeOf = <K extends string, V>(request: FastifyRequest, notices: Record<K, V>): V | undefined => {
    const done = text(request.query as FormFields, "done");
    return Object.hasOwn(notices, done) ? notices[done as K] : undefined;
  };

  app.get("/rota", { preHandler: coordinator }, async (request, reply) =>
    show(request, reply, { notice: noticeOf(request, { ...NOTICES, adjusted: "rota.adjusted" }) }),
  );
  app.post("/rota/generate", { preHandler: coordinator }, async (request, reply) => {
    const weeks = Math.min(26, Math.max(1, Number.parseInt(text(fieldsOf(request), "weeks"), 10) || 4));
    await rota.generate(await active(), weeks);
    audit(request.appMember!.id, "rota.generate", String(weeks));
    return reply.redirect("/app/rota?done=generated#proposed", 303);
  });
  app.get("/rota/settings", { preHandler: coordinator }, async (_request, reply) => reply.redirect("/app/rota", 303));
  app.post("/rota/settings", { preHandler: coordinator }, async (request, reply) => {
    // The hidden "0" comes first; a checked box adds "1" after it.
    const publicRoles = listOf(fieldsOf(request)?.publicRoles).includes("1");
    const before = JSON.stringify(rota.publicRoles());
    await rota.setPublicRoles(publicRoles);
    await publicRolesChanged(before);
    audit(request.appMember!.id, "rota.settings", publicRoles ? "publicRoles" : "private");
    return reply.redirect("/app/rota?done=settings#public", 303);
  });
  app.post("/rota/publish", { preHandler: coordinator }, async (request, reply) => {
    await rota.publish();
    audit(request.appMember!.id, "rota.publish", "");
    return reply.redirect("/app/rota?done=published", 303);
  });
  // The language link of a page answering a pick that broke a rule points here: back to the rota.
  app.get("/rota/seats/:id", { preHandler: coordinator }, async (_request, reply) => reply.redirect("/app/rota", 303));
  app.post<{ Params: { id: string } }>("/rota/seats/:id", { preHandler: coordinator }, async (request, reply) => {
    const seat = await rota.seat(request.params.id);
    if (seat?.status !== "proposed") return reply.callNotFound();
    const memberId = text(fieldsOf(request), "member");
    const picked = memberId ? (await active()).find((m) => m.id === memberId) : undefined;
    if (memberId && !picked) return show(request, reply);
    if (picked && text(fieldsOf(request), "confirm") !== "1") {
      const cause = await rota.breaks(seat, picked);
      if (cause) return show(request, reply, { warning: { seatId: seat.id, memberId: picked.id, cause } });
    }
    await rota.assign(seat.id, picked?.id ?? null);
    audit(request.appMember!.id, "rota.assign", seat.id);
    return reply.redirect("/app/rota?done=adjusted#proposed", 303);
  });

  const roleValues = (role?: Role): Record<string, string> =>
    role
      ? {
          ...role,
          seats: String(role.seats),
          tenureLimit: String(role.tenureLimit),
          handbookWorkflowId: role.handbookWorkflowId ?? "",
        }
      : { seats: "1", tenureLimit: "2", risk: "low", period: "weekly" };
  const showRole = async (request: FastifyRequest, reply: FastifyReply, role?: Role) =>
    kit.send(
      request,
      reply,
      roleFormPage(kit.context(request, reply), { role, values: roleValues(role), workflows: await workflows() }),
    );
  app.get("/rota/roles/new", { preHandler: coordinator }, async (request, reply) => showRole(request, reply));
  app.get<{ Params: { id: string } }>("/rota/roles/:id", { preHandler: coordinator }, async (request, reply) => {
    const role = await rota.role(request.params.id);
    return role ? showRole(request, reply, role) : reply.callNotFound();
  });
  app.post<{ Params: { id: string } }>("/rota/roles/:id", { preHandler: coordinator }, async (request, reply) => {
    const role = request.params.id === "new" ? undefined : await rota.role(request.params.id);
    if (request.params.id !== "new" && !role) return reply.callNotFound();
    const values = Object.fromEntries(ROLE_FIELDS.map((f) => [f, text(fieldsOf(request), f).trim()]));
    const { input, errors } = roleInput(values, await workflows());
    if (!input) {
      return kit.send(
        request,
        reply,
        roleFormPage(kit.context(request, reply), { role, values, errors, workflows: await workflows() }),
      );
    }
    const before = JSON.stringify(rota.publicRoles());
    let id: string;
    if (role) {
      await rota.updateRole(role.id, input);
      id = role.id;
    } else id = (await rota.createRole(input)).id;
    await publicRolesChanged(before);
    audit(request.appMember!.id, role ? "rota.role.edit" : "rota.role.add", id);
    return reply.redirect("/app/rota?done=saved#roles", 303);
  });

  // The signed-in member, as this request's session lookup found them (an active member).
  const memberOf = ({ appMember: m }: FastifyRequest): RotaMember => ({
    id: m!.id,
    name: m!.displayName,
    skills: m!.skills,
  });
  const showMine = async (request: FastifyRequest, reply: FastifyReply, state: Partial<MinePageState> = {}) => {
    const id = request.appMember!.id;
    const [remindersTo, everyone] = await Promise.all([rota.reachable(id), members.list()]);
    await rota.growSkills();
    return kit.send(
      request,
      reply,
      minePage(kit.context(request, reply), {
        seats: await rota.mine(id),
        offers: await rota.offersFor(memberOf(request)),
        roles: await rota.roles(),
        workflows: await workflows(),
        boundaries: await rota.boundaries(id),
        hasFeed: await rota.hasFeedToken(id),
        handoffs: await rota.handoffsOf(id),
        grown: await rota.grownSkills(id),
        remindersTo: remindersTo?.handle,
        names: new Map(everyone.map((m) => [m.id, m.displayName])),
        localTime: (iso) =>
          Temporal.Instant.from(iso)
            .toZonedDateTimeISO(config.timeZone)
            .toPlainDateTime()
            .toString({ smallestUnit: "minute" }),
        ...state,
      }),
    );
  };
  const MINE_NOTICES = {
    gaveUp: "rota.gaveUp",
    taken: "rota.taken",
    saved: "rota.boundariesSaved",
    revoked: "rota.feedRevoked",
    handoff: "rota.handoffSaved",
  } as const;
  app.get("/rota/mine", { preHandler: member }, async (request, reply) =>
    showMine(request, reply, { notice: noticeOf(request, MINE_NOTICES) }),
  );
  for (const path of ["/rota/mine/boundaries", "/rota/mine/feed"]) {
    app.get(path, { preHandler: member }, async (_request, reply) => reply.redirect("/app/rota/mine", 303));
  }
  app.post<{ Params: { id: string } }>("/rota/mine/:id/give-up", { preHandler: member }, async (request, reply) => {
    if (!(await rota.giveUp(request.params.id, request.appMember!.id))) return reply.callNotFound();
    audit(request.appMember!.id, "rota.giveUp", request.params.id);
    return reply.redirect("/app/rota/mine?done=gaveUp", 303);
  });
  app.post<{ Params: { id: string } }>("/rota/mine/:id/take", { preHandler: member }, async (request, reply) => {
    if (!(await rota.accept(request.params.id, memberOf(request)))) {
      return showMine(request, reply, { error: "rota.tooLate" });
    }
    audit(request.appMember!.id, "rota.take", request.params.id);
    return reply.redirect("/app/rota/mine?done=taken", 303);
  });
  app.post<{ Params: { id: string } }>("/rota/handoffs/:id", { preHandler: member }, async (request, reply) => {
    const local = text(fieldsOf(request), "at");
    let at: string | null = null;
    try {
      if (local) {
        at = Temporal.PlainDateTime.from(local).toZonedDateTime(config.timeZone).toInstant().toString();
      }
    } catch {
      return showMine(request, reply, { error: "rota.error.when" });
    }
    const place = text(fieldsOf(request), "place").trim().slice(0, 300);
    if (!(await rota.planHandoff(request.params.id, request.appMember!.id, at, place))) return reply.callNotFound();
    return reply.redirect("/app/rota/mine?done=handoff#handoffs", 303);
  });
  app.post<{ Params: { id: string } }>("/rota/handoffs/:id/confirm", { preHandler: member }, async (request, reply) => {
    if (!(await rota.confirmHandoff(request.params.id, request.appMember!.id))) return reply.callNotFound();
    audit(request.appMember!.id, "rota.handoff.confirm", request.params.id);
    return reply.redirect("/app/rota/mine?done=handoff#handoffs", 303);
  });
  app.get("/rota/handoffs/:id", { preHandler: member }, async (_request, reply) =>
    reply.redirect("/app/rota/mine", 303),
  );
  app.post("/rota/mine/boundaries", { preHandler: member }, async (request, reply) => {
    const fields = fieldsOf(request);
    const maxRisk = text(fields, "maxRisk") as Risk;
    const roleIds = new Set((await rota.roles()).map((r) => r.id));
    const declines = listOf(fields?.declines).filter((id) => roleIds.has(id));
    const unavailable = text(fields, "unavailable")
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    if (!RISK_LEVELS.includes(maxRisk) || unavailable.some((p) => !PERIOD_KEY.test(p)) || unavailable.length > 200) {
      return showMine(request, reply, { error: "rota.error.period" });
    }
    await rota.setBoundaries(request.appMember!.id, {
      maxRisk,
      declines: declines.join(","),
      unavailable: unavailable.join(","),
    });
    return reply.redirect("/app/rota/mine?done=saved#boundaries", 303);
  });
  app.post("/rota/mine/feed", { preHandler: member }, async (request, reply) => {
    const secret = await rota.regenerateFeedToken(request.appMember!.id);
    return showMine(request, reply, { feedUrl: new URL(`/app/rota/feed/${secret}`, config.url).href });
  });
  app.post("/rota/mine/feed/revoke", { preHandler: member }, async (request, reply) => {
    await rota.revokeFeedToken(request.appMember!.id);
    return reply.redirect("/app/rota/mine?done=revoked#feed", 303);
  });

  // The member's calendar: anyone with the secret address reads it, so it holds only their own seats.
  app.get<{ Params: { token: string } }>("/rota/feed/:token", async (request, reply) => {
    const memberId = await rota.memberOfFeedToken(request.params.token);
    const found = memberId ? await members.get(memberId) : undefined;
    const owner = found && !found.disabledAt ? found : undefined;
    if (!owner) return reply.code(404).type("text/plain; charset=utf-8").send("Not found");
    const t = translator(owner.locale === "es" ? "es" : "en");
    const roles = new Map((await rota.roles()).map((r) => [r.id, r]));
    const { default: ical } = await import("ical-generator");
    const calendar = ical({ name: config.name, timezone: config.timeZone });
    for (const seat of await rota.mine(owner.id)) {
      const role = roles.get(seat.roleId);
      if (!role) continue;
      calendar.createEvent({
        id: `${seat.id}@${config.url.hostname}`,
        allDay: true,
        start: toDate(periodStart(seat.period)),
        end: toDate(periodEnd(seat.period)),
        summary: t(seat.shadow ? "rota.eventShadow" : "rota.event", { role: role.name, period: seat.period }),
        description: role.handbook,
      });
    }
    return reply
      .type("text/calendar; charset=utf-8")
      .header("cache-control", "private, no-store")
      .header("referrer-policy", "no-referrer")
      .send(calendar.toString());
  });
}

/** An all-day event's day; ical-generator writes the date part of a Date in UTC for all-day events. */
const toDate = (day: Temporal.PlainDate) => new Date(`${day.toString()}T00:00:00Z`);

function roleInput(values: Record<string, string>, workflows: Workflow[]): { input?: RoleInput; errors?: FieldErrors } {
  const errors: FieldErrors = {};
  const seats = Number(values.seats);
  const tenureLimit = Number(values.tenureLimit);
  if (!values.name || values.name!.length > 80) errors.name = "error.required";
  if (!Number.isInteger(seats) || seats < 1 || seats > 20) errors.seats = "error.number";
  if (!Number.isInteger(tenureLimit) || tenureLimit < 1 || tenureLimit > 52) errors.tenureLimit = "error.number";
  if (values.skills!.length > 300) errors.skills = "error.required";
  if (values.handbook!.length > 10000) errors.handbook = "settings.error.tooLong";
  const workflow = values.handbookWorkflowId || null;
  if (workflow && !workflows.some((w) => w.id === workflow)) errors.handbookWorkflowId = "error.required";
  const risk = values.risk as Risk;
  const period = values.period as PeriodKind;
  if (!RISK_LEVELS.includes(risk)) errors.risk = "error.required";
  if (!PERIOD_KINDS.includes(period)) errors.period = "error.required";
  if (Object.keys(errors).length) return { errors };
  return {
    input: {
      name: values.name!,
      seats,
      skills: values.skills!,
      risk,
      tenureLimit,
      period,
      handbook: values.handbook!,
      handbookWorkflowId: workflow,
    },
  };
}
