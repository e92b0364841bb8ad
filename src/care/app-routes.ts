import { Temporal } from "@js-temporal/polyfill";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/schema.ts";
import type { MembersService } from "../members/service.ts";
import { periodStart } from "../rotation/periods.ts";
import type { RotationService } from "../rotation/service.ts";
import { type FormFields, text } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { carePage, type CarePageState, teamPage, type TeamPageState } from "./app-pages.ts";
import { casePage, type CaseState, newCasePage, type NewCaseState } from "./case-pages.ts";
import type { LoadSettings } from "./load.ts";
import { loadsOf } from "./load-sources.ts";
import { MONTH_WEEKS, type Recurrence, toRule, WEEKDAYS, type Weekday } from "./recurrence.ts";
import { CASE_OUTCOMES, CIRCLE_KINDS, type CaseOutcome, type CircleKind } from "./schema.ts";
import { type CareService, type CircleInput, TurnMoved, type Viewer } from "./service.ts";

interface Options {
  kit: AppKit;
  audit: (memberId: string, action: string, subject: string) => void;
  care: CareService;
  rota: RotationService;
  members: MembersService;
  config: Config;
  now: () => Date;
}

const fieldsOf = (request: FastifyRequest) => request.body as FormFields | undefined;
const listOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value : value ? [value] : []);
const ASKS_PER_DAY = 3;
const ASKS_PER_WEEK = 30;

/** The care room's pages: load signals, circles, anonymous asks for a circle, private conflict cases. */
export async function carePages(app: FastifyInstance, { kit, audit, care, rota, members, config, now }: Options) {
  const coordinator = kit.guard("coordinator");
  const member = kit.guard("member");
  const active = async () => (await members.list()).filter((m) => !m.disabledAt);
  const names = async () => new Map((await active()).map((m) => [m.id, m.displayName]));
  const viewer = (request: FastifyRequest): Viewer => ({
    id: request.appMember!.id,
    coordinator: request.appMember!.role === "coordinator",
  });
  const loads = async (ids: string[]) =>
    loadsOf(ids, {
      rota,
      auditSince: members.auditSince,
      now: now(),
      timeZone: config.timeZone,
      settings: await care.settings(),
    });
  const today = () => Temporal.Instant.from(now().toISOString()).toZonedDateTimeISO(config.timeZone).toPlainDate();
  const noticeOf = (request: FastifyRequest, notices: Record<string, MessageKey>): MessageKey | undefined => {
    const done = text(request.query as FormFields, "done");
    return Object.hasOwn(notices, done) ? notices[done] : undefined;
  };

  const showCare = async (request: FastifyRequest, reply: FastifyReply, state: Partial<CarePageState> = {}) => {
    const me = viewer(request);
    const [signals, all] = await Promise.all([loads([me.id]), names()]);
    return kit.send(
      request,
      reply,
      carePage(kit.context(request, reply), {
        signals: signals.get(me.id)!,
        settings: await care.settings(),
        upcoming: await care.upcoming(all),
        volunteer: await care.volunteer(me.id),
        cases: await care.casesFor(me),
        ...state,
      }),
    );
  };
  const CARE_NOTICES = {
    asked: "care.ask.done",
    volunteered: "care.volunteer.saved",
  } satisfies Record<string, MessageKey>;
  app.get("/care", { preHandler: member }, async (request, reply) =>
    showCare(request, reply, { notice: noticeOf(request, CARE_NOTICES) }),
  );
  for (const path of ["/care/ask", "/care/volunteer", "/care/circles", "/care/settings", "/care/cases"]) {
    app.get(path, { preHandler: member }, async (_request, reply) =>
      reply.redirect(path === "/care/cases" ? "/app/care#cases" : "/app/care", 303),
    );
  }

  // Asking is anonymous: nothing about the asker is stored, audited or logged (this route writes no request log
  // lines). Abuse is limited per member in memory only (gone at restart) and per week for the whole pod.
  const recentAsks = new Map<string, number[]>();
  app.post("/care/ask", { preHandler: member, logLevel: "silent" }, async (request, reply) => {
    const asked = text(fieldsOf(request), "text").trim();
    if (!asked || asked.length > 1000) {
      return showCare(request, reply, { asked, errors: { text: asked ? "settings.error.tooLong" : "error.required" } });
    }
    const t = now().getTime();
    const mine = (recentAsks.get(request.appMember!.id) ?? []).filter((at) => at > t - 86_400_000);
    const tooMany = () => showCare(request, reply, { asked, errors: { text: "care.ask.tooMany" } });
    if (mine.length >= ASKS_PER_DAY) return tooMany();
    // Counted before anything is awaited, so asks sent at once by one member each count.
    recentAsks.set(request.appMember!.id, [...mine, t]);
    if (!(await care.askForCircle(asked, ASKS_PER_WEEK))) return tooMany();
    return reply.redirect("/app/care?done=asked#ask", 303);
  });
  app.post("/care/volunteer", { preHandler: member }, async (request, reply) => {
    const fields = fieldsOf(request);
    await care.setVolunteer(request.appMember!.id, {
      facilitates: text(fields, "facilitates") === "1",
      mediates: text(fields, "mediates") === "1",
    });
    return reply.redirect("/app/care?done=volunteered#volunteer", 303);
  });

  const defaults = () => ({ kind: "decompression", frequency: "weekly", week: "1", weekday: "TU", time: "19:00" });
  const showTeam = async (request: FastifyRequest, reply: FastifyReply, state: Partial<TeamPageState> = {}) => {
    const people = await active();
    const signals = await loads(people.map((m) => m.id));
    const all = new Map(people.map((m) => [m.id, m.displayName]));
    return kit.send(
      request,
      reply,
      teamPage(kit.context(request, reply), {
        loads: people
          .map((m) => ({ id: m.id, name: m.displayName, signals: signals.get(m.id)! }))
          .sort((a, b) => b.signals.reasons.length - a.signals.reasons.length || a.name.localeCompare(b.name)),
        settings: await care.settings(),
        requests: await care.openRequests(),
        circles: await care.circles(),
        upcoming: await care.upcoming(all),
        toCount: await care.toCount(all),
        facilitators: (await care.facilitators(all)).map((v) => v.name),
        values: { ...defaults(), from: today().toString(), minutes: "90" },
        weekStart: (week) =>
          new Intl.DateTimeFormat(request.appLocale, { dateStyle: "medium", timeZone: "UTC" }).format(
            new Date(`${periodStart(week).toString()}T12:00:00Z`),
          ),
        ...state,
      }),
    );
  };
  const TEAM_NOTICES = {
    circle: "care.circles.saved",
    ended: "care.circles.ended",
    counted: "care.attendance.saved",
    answered: "care.requests.marked",
    settings: "care.settings.saved",
  } satisfies Record<string, MessageKey>;
  app.get("/care/team", { preHandler: coordinator }, async (request, reply) =>
    showTeam(request, reply, { notice: noticeOf(request, TEAM_NOTICES) }),
  );
  app.post("/care/circles", { preHandler: coordinator }, async (request, reply) => {
    const fields = fieldsOf(request);
    const values = Object.fromEntries(
      ["kind", "frequency", "week", "weekday", "time", "from", "minutes", "theme", "place"].map((f) => [
        f,
        text(fields, f).trim(),
      ]),
    );
    const { input, errors } = circleInput(values);
    if (!input) return showTeam(request, reply, { values, errors });
    const circle = await care.createCircle(input);
    audit(request.appMember!.id, "care.circle.add", circle.id);
    return reply.redirect("/app/care/team?done=circle#team-circles", 303);
  });
  app.post<{ Params: { id: string } }>("/care/circles/:id/end", { preHandler: coordinator }, async (request, reply) => {
    if (!(await care.endCircle(request.params.id))) return reply.callNotFound();
    audit(request.appMember!.id, "care.circle.end", request.params.id);
    return reply.redirect("/app/care/team?done=ended#team-circles", 303);
  });
  app.post<{ Params: { id: string } }>(
    "/care/circles/:id/attendance",
    { preHandler: coordinator },
    async (request, reply) => {
      const fields = fieldsOf(request);
      const attendance = Number(text(fields, "attendance"));
      if (!Number.isInteger(attendance) || attendance < 0 || attendance > 500) {
        return showTeam(request, reply, { errors: { attendance: "error.number" } });
      }
      const facilitator = text(fields, "facilitator");
      const known = facilitator && (await names()).has(facilitator) ? facilitator : null;
      if (!(await care.recordAttendance(request.params.id, text(fields, "at"), attendance, known))) {
        return reply.callNotFound();
      }
      return reply.redirect("/app/care/team?done=counted#attendance", 303);
    },
  );
  app.post<{ Params: { id: string } }>(
    "/care/requests/:id/answered",
    { preHandler: coordinator },
    async (request, reply) => {
      if (!(await care.answerRequest(request.params.id))) return reply.callNotFound();
      return reply.redirect("/app/care/team?done=answered#requests", 303);
    },
  );
  app.post("/care/settings", { preHandler: coordinator }, async (request, reply) => {
    const fields = fieldsOf(request);
    const limits: Record<keyof LoadSettings, [number, number]> = {
      windowWeeks: [1, 52],
      busySeats: [1, 100],
      restAfter: [1, 52],
      lateHours: [1, 720],
    };
    const input = {} as LoadSettings;
    for (const [name, [min, max]] of Object.entries(limits) as [keyof LoadSettings, [number, number]][]) {
      const value = Number(text(fields, name));
      if (!Number.isInteger(value) || value < min || value > max) {
        return showTeam(request, reply, { errors: { [name]: "error.number" } });
      }
      input[name] = value;
    }
    await care.saveSettings(input);
    audit(request.appMember!.id, "care.settings", "");
    return reply.redirect("/app/care/team?done=settings#thresholds", 303);
  });

  const showNewCase = async (request: FastifyRequest, reply: FastifyReply, state: Partial<NewCaseState> = {}) => {
    const all = await names();
    const me = viewer(request);
    // Whoever opens a case is part of it, so it cannot be their turn to mediate it.
    const involved = [...(state.values?.involved ?? []), ...(me.coordinator ? [] : [me.id])];
    return kit.send(
      request,
      reply,
      newCasePage(kit.context(request, reply), {
        members: all,
        mediators: new Map((await care.mediators(all)).map((v) => [v.id, v.name])),
        turn: await care.mediatorTurn(all, involved),
        values: {},
        ...state,
      }),
    );
  };
  app.get("/care/cases/new", { preHandler: member }, async (request, reply) => showNewCase(request, reply));
  app.post("/care/cases", { preHandler: member }, async (request, reply) => {
    const fields = fieldsOf(request);
    const all = await names();
    const me = viewer(request);
    const what = text(fields, "what").trim();
    const chosen = listOf(fields?.involved).filter((id) => all.has(id));
    // Whoever opens a case is part of it (a coordinator already sees every case).
    const involved = me.coordinator ? chosen : [...new Set([me.id, ...chosen])];
    const mediator = text(fields, "mediator");
    const values = { what, involved: chosen, mediator };
    const errors: FieldErrors = {};
    if (!what || what.length > 5000) errors.what = "error.required";
    if (involved.length === 0) errors.involved = "care.cases.error.involved";
    const mediators = new Set((await care.mediators(all)).map((v) => v.id));
    if (mediator && (!mediators.has(mediator) || involved.includes(mediator))) {
      errors.mediator = "care.cases.error.mediator";
    }
    if (Object.keys(errors).length) return showNewCase(request, reply, { values, errors });
    // Left at whose turn the page said it was: the turn is taken as the case opens (two at once take two turns).
    const choice = mediator && mediator === text(fields, "turn") ? { turnOf: mediator, among: all } : mediator || null;
    let opened: Awaited<ReturnType<typeof care.openCase>>;
    try {
      opened = await care.openCase(what, involved, choice);
    } catch (error) {
      if (!(error instanceof TurnMoved)) throw error;
      // Shown again with whoever's turn it is now selected (the page works it out afresh).
      const moved = { ...values, mediator: undefined };
      return showNewCase(request, reply, { values: moved, errors: { mediator: "care.cases.error.turnMoved" } });
    }
    audit(me.id, "care.case.open", opened.id);
    return reply.redirect(`/app/care/cases/${opened.id}`, 303);
  });

  const showCase = async (request: FastifyRequest, reply: FastifyReply, id: string, state: Partial<CaseState> = {}) => {
    const me = viewer(request);
    const found = await care.caseFor(id, me);
    // Outsiders learn nothing, not even that the case exists.
    if (!found) return reply.callNotFound();
    const everyone = await members.list();
    const all = new Map(everyone.filter((m) => !m.disabledAt).map((m) => [m.id, m.displayName]));
    return kit.send(
      request,
      reply,
      casePage(kit.context(request, reply), {
        ...found,
        names: new Map(everyone.map((m) => [m.id, m.displayName])),
        mayClose: me.coordinator || found.case.mediatorId === me.id,
        mediators: me.coordinator
          ? new Map(
              (await care.mediators(all)).filter((v) => !found.involved.includes(v.id)).map((v) => [v.id, v.name]),
            )
          : undefined,
        today: today().toString(),
        ...state,
      }),
    );
  };
  const CASE_NOTICES = {
    step: "care.cases.stepSaved",
    outcome: "care.cases.outcomeSaved",
    mediator: "care.cases.mediatorSaved",
  } satisfies Record<string, MessageKey>;
  app.get<{ Params: { id: string } }>("/care/cases/:id", { preHandler: member }, async (request, reply) =>
    showCase(request, reply, request.params.id, { notice: noticeOf(request, CASE_NOTICES) }),
  );
  app.post<{ Params: { id: string } }>("/care/cases/:id/mediator", { preHandler: member }, async (request, reply) => {
    const me = viewer(request);
    if (!(await care.caseFor(request.params.id, me))) return reply.callNotFound();
    if (!me.coordinator) return reply.callNotFound();
    const chosen = text(fieldsOf(request), "mediator") || null;
    if (!(await care.setMediator(request.params.id, chosen, await names()))) {
      return showCase(request, reply, request.params.id, { errors: { mediator: "care.cases.error.mediator" } });
    }
    audit(me.id, "care.case.mediator", request.params.id);
    return reply.redirect(`/app/care/cases/${request.params.id}?done=mediator`, 303);
  });
  for (const action of ["steps", "outcome", "mediator"]) {
    app.get<{ Params: { id: string } }>(`/care/cases/:id/${action}`, { preHandler: member }, async (request, reply) =>
      showCase(request, reply, request.params.id),
    );
  }
  app.post<{ Params: { id: string } }>("/care/cases/:id/steps", { preHandler: member }, async (request, reply) => {
    const fields = fieldsOf(request);
    const day = text(fields, "day");
    const stepText = text(fields, "text").trim();
    if (!(await care.caseFor(request.params.id, viewer(request)))) return reply.callNotFound();
    const errors: FieldErrors = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day))) errors.day = "care.error.date";
    if (!stepText || stepText.length > 5000) errors.text = "error.required";
    if (Object.keys(errors).length) return showCase(request, reply, request.params.id, { errors });
    await care.addStep(request.params.id, viewer(request), day, stepText);
    return reply.redirect(`/app/care/cases/${request.params.id}?done=step#steps`, 303);
  });
  app.post<{ Params: { id: string } }>("/care/cases/:id/outcome", { preHandler: member }, async (request, reply) => {
    const fields = fieldsOf(request);
    const outcome = text(fields, "outcome");
    const me = viewer(request);
    if (!(await care.caseFor(request.params.id, me))) return reply.callNotFound();
    if (outcome && !CASE_OUTCOMES.includes(outcome as CaseOutcome)) return showCase(request, reply, request.params.id);
    const ok = await care.setOutcome(
      request.params.id,
      me,
      (outcome || null) as CaseOutcome | null,
      text(fields, "withoutAuthorities") === "1",
    );
    if (!ok) return reply.callNotFound();
    audit(me.id, "care.case.outcome", request.params.id);
    return reply.redirect(`/app/care/cases/${request.params.id}?done=outcome`, 303);
  });
}

function circleInput(values: Record<string, string>): { input?: CircleInput; errors?: FieldErrors } {
  const errors: FieldErrors = {};
  const minutes = Number(values.minutes);
  if (!CIRCLE_KINDS.includes(values.kind as CircleKind)) errors.kind = "error.required";
  if (values.frequency !== "weekly" && values.frequency !== "monthly") errors.frequency = "error.required";
  if (!MONTH_WEEKS.includes(values.week as Recurrence["week"] & string)) errors.week = "error.required";
  if (!WEEKDAYS.includes(values.weekday as Weekday)) errors.weekday = "error.required";
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(values.time ?? "")) errors.time = "care.error.time";
  let from: Temporal.PlainDate | undefined;
  try {
    from = Temporal.PlainDate.from(values.from ?? "");
  } catch {
    errors.from = "care.error.date";
  }
  if (!Number.isInteger(minutes) || minutes < 15 || minutes > 480) errors.minutes = "error.number";
  if ((values.theme ?? "").length > 120) errors.theme = "settings.error.tooLong";
  if ((values.place ?? "").length > 300) errors.place = "settings.error.tooLong";
  if (Object.keys(errors).length || !from) return { errors };
  return {
    input: {
      kind: values.kind as CircleKind,
      rrule: toRule({
        frequency: values.frequency as Recurrence["frequency"],
        weekday: values.weekday as Weekday,
        week: values.week as Recurrence["week"],
        time: values.time!,
        from,
      }),
      minutes,
      theme: values.theme ?? "",
      place: values.place ?? "",
    },
  };
}
