import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import { isMessageKey, type MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import type { CodesService } from "./codes.ts";
import type { Member } from "./model.ts";
import type { PasskeysService } from "./passkeys.ts";
import { hashSecret, newSecret } from "./secrets.ts";
import { FormError, type MembersService } from "./service.ts";
import { securityPage, signInCodePage, type SecurityState } from "./signin-pages.ts";

/** The browser's sign-in attempt (passkey or code): what its challenge or code is bound to. */
const ATTEMPT_COOKIE = "pod_attempt";
const ATTEMPT_SECONDS = 15 * 60;
const OPTIONS_LIMIT = { max: 30, timeWindow: 60_000 };

const fromModules = createRequire(import.meta.url);
/** @simplewebauthn/browser's bundle (it defines window.SimpleWebAuthnBrowser), read once at start. */
const WEBAUTHN_BUNDLE = readFileSync(
  join(dirname(fromModules.resolve("@simplewebauthn/browser")), "..", "dist", "bundle", "index.umd.min.js"),
  "utf8",
);
const PASSKEYS_SCRIPT = readFileSync(new URL("./passkeys-client.js", import.meta.url), "utf8");

export interface SignInTools {
  kit: AppKit;
  members: MembersService;
  passkeys: PasskeysService;
  codes: CodesService;
  /** Counts a wrong guess from this address; true while the address is over the sign-in limit. */
  wrongGuess(request: FastifyRequest): Promise<void>;
  overLimit(request: FastifyRequest): Promise<boolean>;
  /** Starts a session with a fresh id (no fixation), as the password sign-in does. */
  signIn(request: FastifyRequest, reply: FastifyReply, who: Member): Promise<void>;
  safeNext(next: string): string;
  signInLimit: { max: number; timeWindow: number };
}

const fieldErrors = (error: unknown): FieldErrors => {
  if (error instanceof FormError && isMessageKey(error.message)) return { [error.field]: error.message };
  throw error;
};

/** Passkeys, the Security page, linking a fediverse account, and sign-in codes. */
export function signInRoutes(app: FastifyInstance, tools: SignInTools) {
  const { kit, members, passkeys, codes } = tools;
  const member = kit.guard("member");
  const body = (request: FastifyRequest) => request.body as FormFields | undefined;
  const json = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;

  function problem(request: FastifyRequest, reply: FastifyReply, status: number, key: MessageKey, field: string) {
    const detail = kit.context(request, reply).t(key);
    return reply.code(status).type("application/problem+json").send({ title: detail, status, detail, field });
  }

  /** A fresh attempt for this browser: a new secret each time, so an old attempt's challenge or code is not reused. */
  function newAttempt(reply: FastifyReply): string {
    const secret = newSecret();
    reply.setCookie(ATTEMPT_COOKIE, secret, { ...kit.cookieOptions, path: "/app", maxAge: ATTEMPT_SECONDS });
    return hashSecret(secret);
  }
  const attemptOf = (request: FastifyRequest) => {
    const secret = request.cookies[ATTEMPT_COOKIE];
    return secret ? hashSecret(secret) : null;
  };

  app.get("/vendor/simplewebauthn-browser.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(WEBAUTHN_BUNDLE),
  );
  app.get("/passkeys.js", async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "public, max-age=3600").send(PASSKEYS_SCRIPT),
  );

  async function showSecurity(request: FastifyRequest, reply: FastifyReply, extra: Partial<SecurityState> = {}) {
    const who = request.appMember!;
    const state: SecurityState = {
      passkeys: await passkeys.list(who),
      handle: await codes.handleOf(who),
      pendingHandle: await codes.pendingLink(`link:${request.appSessionHash}`),
      sessions: await members.sessionsOf(who.id),
      currentSession: request.appSessionHash,
      ...extra,
    };
    return kit.send(request, reply, securityPage(kit.context(request, reply), state));
  }

  app.get("/security", { preHandler: member }, async (request, reply) => {
    const query = request.query as FormFields;
    const notice =
      text(query, "added") === "1" ? "passkey.added" : text(query, "linked") ? "handle.verified" : undefined;
    return showSecurity(request, reply, { notice });
  });

  app.post("/passkeys/options", { preHandler: member }, async (request) =>
    passkeys.registrationOptions(request.appMember!, request.appSessionHash!),
  );

  app.post("/passkeys", { preHandler: member }, async (request, reply) => {
    const input = json(request);
    try {
      const response = input.response as RegistrationResponseJSON;
      await passkeys.add(request.appMember!, request.appSessionHash!, String(input.label ?? ""), response);
      return { added: true };
    } catch (error) {
      const [field, key] = Object.entries(fieldErrors(error))[0]!;
      return problem(request, reply, 400, key!, field);
    }
  });

  app.post<{ Params: { id: string } }>("/passkeys/:id/remove", { preHandler: member }, async (request, reply) => {
    await passkeys.remove(request.appMember!, request.params.id);
    return reply.redirect("/app/security", 303);
  });

  // Each call stores a challenge: limited per address like the other sign-in steps.
  app.post("/sign-in/passkey/options", { config: { rateLimit: OPTIONS_LIMIT } }, async (_request, reply) =>
    passkeys.signInOptions(newAttempt(reply)),
  );

  app.post("/sign-in/passkey", async (request, reply) => {
    if (await tools.overLimit(request)) return problem(request, reply, 429, "signIn.tooMany", "response");
    const attempt = attemptOf(request);
    const input = json(request);
    const who = attempt ? await passkeys.signIn(attempt, input.response as AuthenticationResponseJSON) : null;
    reply.clearCookie(ATTEMPT_COOKIE, { ...kit.cookieOptions, path: "/app" });
    if (!who) {
      await tools.wrongGuess(request);
      return problem(request, reply, 401, "passkey.failed", "response");
    }
    await tools.signIn(request, reply, who);
    return { redirect: tools.safeNext(String(input.next ?? "")) };
  });

  app.get("/sign-in/code", async (request, reply) => {
    if (request.appMember) return reply.redirect("/app", 303);
    return kit.send(request, reply, signInCodePage(kit.context(request, reply), {}));
  });

  app.post("/sign-in/code", { config: { rateLimit: tools.signInLimit } }, async (request, reply) => {
    const ctx = kit.context(request, reply);
    const who = text(body(request), "who");
    // Same answer, same cookie, same work before answering whether or not the account exists: the lookup and the
    // code run after the answer (requestSignIn never rejects).
    void codes.requestSignIn(who, newAttempt(reply), (code) => ctx.t("code.signInMessage", { pod: ctx.podName, code }));
    return kit.send(request, reply, signInCodePage(ctx, { sent: true }));
  });

  app.post("/sign-in/code/verify", async (request, reply) => {
    if (await tools.overLimit(request))
      throw Object.assign(new Error("too many sign-in attempts"), { statusCode: 429 });
    const attempt = attemptOf(request);
    const result = attempt ? await codes.signIn(attempt, text(body(request), "code")) : "code.wrong";
    if (typeof result === "string") {
      await tools.wrongGuess(request);
      return kit.send(request, reply, signInCodePage(kit.context(request, reply), { sent: true, failed: true }));
    }
    reply.clearCookie(ATTEMPT_COOKIE, { ...kit.cookieOptions, path: "/app" });
    await tools.signIn(request, reply, result);
    return reply.redirect("/app", 303);
  });

  app.post(
    "/security/handle",
    { preHandler: member, config: { rateLimit: tools.signInLimit } },
    async (request, reply) => {
      const ctx = kit.context(request, reply);
      const handleInput = text(body(request), "handle").trim().slice(0, 300);
      try {
        await codes.startLink(request.appMember!, handleInput, `link:${request.appSessionHash}`, (code) =>
          ctx.t("handle.message", { pod: ctx.podName, code }),
        );
        return reply.redirect("/app/security#fediverse", 303);
      } catch (error) {
        return showSecurity(request, reply, { errors: fieldErrors(error), handleInput });
      }
    },
  );

  app.post("/security/handle/verify", { preHandler: member }, async (request, reply) => {
    if (await tools.overLimit(request)) throw Object.assign(new Error("too many attempts"), { statusCode: 429 });
    try {
      await codes.finishLink(request.appMember!, `link:${request.appSessionHash}`, text(body(request), "code"));
      return reply.redirect("/app/security?linked=1", 303);
    } catch (error) {
      await tools.wrongGuess(request);
      return showSecurity(request, reply, { errors: fieldErrors(error) });
    }
  });

  app.post("/security/handle/remove", { preHandler: member }, async (request, reply) => {
    await codes.unlink(request.appMember!);
    return reply.redirect("/app/security", 303);
  });
}
