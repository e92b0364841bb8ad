import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors, PageContext, VNode } from "../webapp/html.ts";
import { isMessageKey } from "../webapp/i18n/index.ts";
import { SESSION_COOKIE, type AppKit } from "../webapp/plugin.ts";
import { ProblemError, problemFor } from "../http/problem.ts";
import { FormError, NoLongerCoordinator, SESSION_IDLE_MS, type MembersService } from "./service.ts";
import { MEMBER_ROLES, type MemberRole } from "./schema.ts";
import type { CodesService } from "./codes.ts";
import type { PasskeysService } from "./passkeys.ts";
import { signInRoutes } from "./signin-routes.ts";
import { accountPage, auditPage, linkProblemPage, membersPage, profilePage, resetPage, signInPage } from "./pages.ts";

/** Sign-in attempts per client address and minute; then a 429 page until the minute is over. */
export const SIGN_IN_LIMIT = { max: 10, timeWindow: 60_000 };

interface Options {
  kit: AppKit;
  members: MembersService;
  passkeys: PasskeysService;
  codes: CodesService;
  setup?: SetupStep;
}

/** What the first-run setup asks besides the account: the pod's name, time zone... (given by the settings room). */
export interface SetupStep {
  fields(ctx: PageContext, fields: FormFields | undefined, errors?: FieldErrors): VNode;
  /** Errors of the submitted fields, checked before the account is made; undefined when they are fine. */
  check(fields: FormFields | undefined): FieldErrors | undefined;
  save(fields: FormFields | undefined, memberId: string): Promise<void>;
}

const fieldErrors = (error: unknown): FieldErrors => {
  // Not a form to show again: the members page is for coordinators only.
  if (error instanceof NoLongerCoordinator) throw new ProblemError(problemFor(403, "no longer a coordinator"));
  if (error instanceof FormError && isMessageKey(error.message)) return { [error.field]: error.message };
  throw error;
};

/** Only paths inside the app: a `next` naming another site would make the sign-in form an open redirect. */
const safeNext = (next: string) => (/^\/app(\/[\w\-./?=&%+~]*)?$/.test(next) && !next.includes("//") ? next : "/app");

/** Sign-in, first-run setup, invitations, password links, profiles, sessions and the audit log. */
export async function memberPages(app: FastifyInstance, { kit, members, passkeys, codes, setup }: Options) {
  const body = (request: FastifyRequest) => request.body as FormFields | undefined;
  const coordinator = kit.guard("coordinator");
  const member = kit.guard("member");

  async function signIn(
    request: FastifyRequest,
    reply: FastifyReply,
    who: Parameters<MembersService["startSession"]>[0],
    proof?: Parameters<MembersService["startSession"]>[2],
  ): Promise<void> {
    // A fresh secret at every sign-in: a session id planted in the browser before (fixation) is never promoted.
    const secret = await members.startSession(who, String(request.headers["user-agent"] ?? ""), proof);
    // None for a member disabled meanwhile: the page they are sent to asks them to sign in.
    if (secret) reply.setCookie(SESSION_COOKIE, secret, { ...kit.cookieOptions, maxAge: SESSION_IDLE_MS / 1000 });
  }

  app.get("/sign-in", async (request, reply) => {
    if (request.appMember) return reply.redirect("/app", 303);
    const next = text(request.query as FormFields, "next");
    return kit.send(
      request,
      reply,
      signInPage(kit.context(request, reply), { setupPending: await members.needsSetup(), next }),
    );
  });

  // Only wrong passwords count (a member signing in often is never slowed); once an address is over the limit even
  // the right password waits, so a 429 never tells a guess that happens to be right.
  const wrongPasswords = app.createRateLimit(SIGN_IN_LIMIT);
  app.post("/sign-in", async (request, reply) => {
    const seen = await wrongPasswords(request, { increment: false });
    if (!seen.isAllowed && seen.remaining === 0)
      throw Object.assign(new Error("too many sign-in attempts"), { statusCode: 429 });
    const fields = body(request);
    const username = text(fields, "username");
    const proof = await members.checkCredentials(username, text(fields, "password"));
    if (!proof) {
      await wrongPasswords(request);
      const page = signInPage(kit.context(request, reply), { failed: true, username, next: text(fields, "next") });
      return kit.send(request, reply, page);
    }
    await signIn(request, reply, proof.member, proof);
    return reply.redirect(safeNext(text(fields, "next")), 303);
  });

  const overLimit = async (request: FastifyRequest) => {
    const seen = await wrongPasswords(request, { increment: false });
    return !seen.isAllowed && seen.remaining === 0;
  };
  signInRoutes(app, {
    kit,
    members,
    passkeys,
    codes,
    overLimit,
    wrongGuess: async (request) => {
      await wrongPasswords(request);
    },
    signIn,
    safeNext,
    signInLimit: SIGN_IN_LIMIT,
  });

  app.post("/sign-out", async (request, reply) => {
    if (request.appSessionHash) await members.endSession(request.appSessionHash);
    reply.clearCookie(SESSION_COOKIE, kit.cookieOptions);
    return reply.redirect("/app/sign-in", 303);
  });

  app.post("/sign-out-everywhere", { preHandler: member }, async (request, reply) => {
    await members.endAllSessions(request.appMember!);
    reply.clearCookie(SESSION_COOKIE, kit.cookieOptions);
    return reply.redirect("/app/sign-in", 303);
  });

  app.post("/sessions/end", { preHandler: member }, async (request, reply) => {
    await members.endSessionOf(request.appMember!.id, text(body(request), "session"));
    return reply.redirect("/app/security", 303);
  });

  for (const purpose of ["setup", "join"] as const) {
    app.get<{ Params: { secret: string } }>(`/${purpose}/:secret`, async (request, reply) => {
      const ctx = kit.context(request, reply);
      const { state, invitation } = await members.invitation(request.params.secret);
      if (state !== "open" || invitation?.purpose !== purpose)
        return kit.send(request, reply, linkProblemPage(ctx, state === "open" ? "unknown" : state));
      const extra = purpose === "setup" ? setup?.fields(ctx, undefined) : undefined;
      return kit.send(request, reply, accountPage(ctx, request.url, purpose, invitation.role, { extra }));
    });
    app.post<{ Params: { secret: string } }>(
      `/${purpose}/:secret`,
      { config: { rateLimit: SIGN_IN_LIMIT } },
      async (request, reply) => {
        const fields = body(request);
        const account = {
          displayName: text(fields, "displayName"),
          username: text(fields, "username"),
          password: text(fields, "password"),
        };
        const { invitation } = await members.invitation(request.params.secret);
        if (invitation && invitation.purpose !== purpose) {
          return kit.send(request, reply, linkProblemPage(kit.context(request, reply), "unknown"));
        }
        const step = purpose === "setup" ? setup : undefined;
        const showErrors = (errors: FieldErrors) => {
          const ctx = kit.context(request, reply);
          const extra = step?.fields(ctx, fields, errors);
          const page = accountPage(ctx, request.url, purpose, invitation?.role ?? "member", {
            ...account,
            errors,
            extra,
          });
          return kit.send(request, reply, page);
        };
        const stepErrors = step?.check(fields);
        if (stepErrors) return showErrors(stepErrors);
        try {
          const made = await members.accept(request.params.secret, account);
          await step?.save(fields, made.id);
          await signIn(request, reply, made);
          return reply.redirect("/app", 303);
        } catch (error) {
          return showErrors(fieldErrors(error));
        }
      },
    );
  }

  app.get<{ Params: { secret: string } }>("/reset/:secret", async (request, reply) => {
    const ctx = kit.context(request, reply);
    const { state, invitation, member: target } = await members.invitation(request.params.secret);
    if (state !== "open" || invitation?.purpose !== "reset" || !target) {
      return kit.send(request, reply, linkProblemPage(ctx, state === "open" ? "unknown" : state));
    }
    return kit.send(request, reply, resetPage(ctx, request.url, target));
  });

  app.post<{ Params: { secret: string } }>(
    "/reset/:secret",
    { config: { rateLimit: SIGN_IN_LIMIT } },
    async (request, reply) => {
      try {
        const who = await members.resetPassword(request.params.secret, text(body(request), "password"));
        await signIn(request, reply, who);
        return reply.redirect("/app", 303);
      } catch (error) {
        const errors = fieldErrors(error);
        const { member: target } = await members.invitation(request.params.secret);
        const ctx = kit.context(request, reply);
        if (!target) return kit.send(request, reply, linkProblemPage(ctx, "unknown"));
        return kit.send(request, reply, resetPage(ctx, request.url, target, errors));
      }
    },
  );

  const showMembers = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Partial<Parameters<typeof membersPage>[1]> = {},
  ) =>
    kit.send(
      request,
      reply,
      membersPage(kit.context(request, reply), {
        members: await members.list(),
        invitations: await members.openInvitations(),
        ...extra,
      }),
    );
  const linkTo = (path: string, secret: string) => new URL(`/app/${path}/${secret}`, kit.origin).href;

  app.get("/members", { preHandler: coordinator }, async (request, reply) => showMembers(request, reply));

  app.post("/invitations", { preHandler: coordinator }, async (request, reply) => {
    const role = text(body(request), "role");
    if (!MEMBER_ROLES.includes(role as MemberRole))
      return showMembers(request, reply, { errors: { role: "error.required" } });
    try {
      const { secret } = await members.invite(request.appMember!, role as MemberRole);
      return showMembers(request, reply, { madeLink: linkTo("join", secret) });
    } catch (error) {
      return showMembers(request, reply, { errors: fieldErrors(error) });
    }
  });

  app.post<{ Params: { id: string } }>(
    "/invitations/:id/revoke",
    { preHandler: coordinator },
    async (request, reply) => {
      try {
        await members.revokeInvitation(request.appMember!, request.params.id);
      } catch (error) {
        return showMembers(request, reply, { errors: fieldErrors(error) });
      }
      return reply.redirect("/app/members", 303);
    },
  );

  app.post<{ Params: { id: string } }>("/members/:id/role", { preHandler: coordinator }, async (request, reply) => {
    const role = text(body(request), "role");
    try {
      if (!MEMBER_ROLES.includes(role as MemberRole)) throw new FormError("role", "error.required");
      await members.setRole(request.appMember!, request.params.id, role as MemberRole);
    } catch (error) {
      return showMembers(request, reply, { errors: fieldErrors(error) });
    }
    return reply.redirect("/app/members", 303);
  });

  app.post<{ Params: { id: string } }>(
    "/members/:id/reset-link",
    { preHandler: coordinator },
    async (request, reply) => {
      try {
        const { secret, member: target } = await members.passwordResetLink(request.appMember!, request.params.id);
        return showMembers(request, reply, { resetFor: { name: target.displayName, link: linkTo("reset", secret) } });
      } catch (error) {
        return showMembers(request, reply, { errors: fieldErrors(error) });
      }
    },
  );

  for (const [action, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const) {
    app.post<{ Params: { id: string } }>(
      `/members/:id/${action}`,
      { preHandler: coordinator },
      async (request, reply) => {
        try {
          await members.setDisabled(request.appMember!, request.params.id, disabled);
        } catch (error) {
          return showMembers(request, reply, { errors: fieldErrors(error) });
        }
        return reply.redirect("/app/members", 303);
      },
    );
  }

  app.get("/profile", { preHandler: member }, async (request, reply) => {
    const saved = text(request.query as FormFields, "saved") === "1";
    return kit.send(request, reply, profilePage(kit.context(request, reply), { saved }));
  });

  app.post("/profile", { preHandler: member }, async (request, reply) => {
    const fields = body(request);
    const limit = (name: string, max: number) => text(fields, name).trim().slice(0, max);
    const locale = text(fields, "locale");
    const displayName = limit("displayName", 100);
    await members.updateProfile(request.appMember!, {
      ...(displayName ? { displayName } : {}),
      contact: limit("contact", 500),
      languages: limit("languages", 500),
      skills: limit("skills", 2000),
      availability: limit("availability", 2000),
      boundaries: limit("boundaries", 2000),
      locale: locale === "en" || locale === "es" ? locale : null,
    });
    return reply.redirect("/app/profile?saved=1", 303);
  });

  app.get("/audit", { preHandler: coordinator }, async (request, reply) => {
    const names = new Map((await members.list()).map((m) => [m.id, m.displayName]));
    const entries = (await members.auditPage()).map((entry) => ({
      at: entry.at,
      who: entry.memberId ? (names.get(entry.memberId) ?? "?") : "—",
      action: entry.action,
      subject: entry.subject,
    }));
    return kit.send(request, reply, auditPage(kit.context(request, reply), entries));
  });
}
