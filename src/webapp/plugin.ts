import { randomBytes } from "node:crypto";
import type { RoomDb } from "../db/room-db.ts";
import { existsSync, linkSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/schema.ts";
import { ProblemError } from "../http/problem.ts";
import { registerSharedRateLimit } from "../http/shared-rate-limit.ts";
import type { MembersService } from "../members/service.ts";
import type { Member } from "../members/model.ts";
import { parseFormBody, type FormFields } from "./form-body.ts";
import { renderPage, type Page, type PageContext } from "./html.ts";
import { isLocale, localeFromAcceptLanguage, translator, type Locale } from "./i18n/index.ts";
import { errorPage } from "./pages/errors.ts";
import { instantFormatter } from "../web/instants.ts";

export const SESSION_COOKIE = "pod_session";
const LOCALE_COOKIE = "pod_lang";

/** The app's own policy: its one stylesheet, forms posting only to the pod, only its own scripts (none inline). */
export const APP_CSP =
  "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in member of the web app, or null. */
    appMember: Member | null;
    appSessionHash: string | null;
    appLocale: Locale;
  }
}

export interface AppDeps {
  config: Config;
  members: MembersService;
  rooms: RoomDb;
}

/** Everything a page handler needs to answer in the member's language with a valid form token. */
export interface AppKit {
  /** The pod's public origin: links the app shows to be copied (invitations) start with it. */
  origin: string;
  context(request: FastifyRequest, reply: FastifyReply): PageContext;
  send(request: FastifyRequest, reply: FastifyReply, page: Page): FastifyReply;
  /** Redirects to sign-in unless a member is signed in; answers 403 unless a coordinator when asked. */
  guard(role: "member" | "coordinator"): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  cookieOptions: { path: string; httpOnly: true; sameSite: "lax"; secure: boolean };
}

/** Whose forms a token is good for: the session's, or anyone signed out (the sign-in and invitation forms). */
const formOwner = (request: FastifyRequest) => request.appSessionHash ?? "signed-out";

/** The key that binds form tokens to the session; kept in the data folder so open forms survive a restart. */
function formKey(dataDir: string): string {
  const file = join(dataDir, "web-form-key");
  if (!existsSync(file)) {
    // Web processes starting together on one data folder: the key is written whole under another name and
    // linked into place, so the first link wins and nobody reads a half-written key.
    const draft = join(dataDir, `.web-form-key-${randomBytes(6).toString("hex")}`);
    writeFileSync(draft, randomBytes(32).toString("base64url"), { mode: 0o600, flag: "wx" });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }
  return readFileSync(file, "utf8").trim();
}

/**
 * Registers in `app` (an encapsulated scope under /app) what every page needs: cookies, the session, the
 * member's language, form bodies, CSRF checks on every POST, and HTML error pages.
 */
export async function installWebApp(app: FastifyInstance, deps: AppDeps): Promise<AppKit> {
  const { config, members } = deps;
  const secure = config.url.protocol === "https:";
  const cookieOptions = { path: "/", httpOnly: true, sameSite: "lax", secure } as const;
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    cookieKey: "pod_csrf",
    cookieOpts: { ...cookieOptions, path: "/app" },
    getUserInfo: formOwner,
    csrfOpts: { hmacKey: formKey(config.dataDir) },
  });
  await registerSharedRateLimit(app, deps.rooms, "app");
  app.decorateRequest("appMember", null);
  app.decorateRequest("appSessionHash", null);
  app.decorateRequest("appLocale", "en");
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 64 * 1024 },
    (_request, body, done) => done(null, parseFormBody(body as string)),
  );

  app.addHook("onRequest", async (request, reply) => {
    const secret = request.cookies[SESSION_COOKIE];
    const found = secret ? await members.memberOfSession(secret) : null;
    request.appMember = found?.member ?? null;
    request.appSessionHash = found?.sessionHash ?? null;
    const asked = (request.query as Record<string, unknown> | undefined)?.lang;
    if (isLocale(asked)) reply.setCookie(LOCALE_COOKIE, asked, { ...cookieOptions, maxAge: 365 * 86400 });
    const chosen = isLocale(asked) ? asked : (request.appMember?.locale ?? request.cookies[LOCALE_COOKIE]);
    request.appLocale = isLocale(chosen) ? chosen : localeFromAcceptLanguage(request.headers["accept-language"]);
  });
  app.addHook("preHandler", (request, reply, done) => {
    if (request.method !== "POST") return done();
    app.csrfProtection(request, reply, done);
  });

  // One context per request: a second form token would set a second CSRF secret cookie over the first.
  const contexts = new WeakMap<FastifyRequest, PageContext>();
  const kit: AppKit = {
    origin: config.url.origin,
    cookieOptions,
    context(request, reply) {
      const made = contexts.get(request);
      if (made) return made;
      const locale = request.appLocale;
      const path = `/${request.url.replace(/^\/+/, "")}`.replace(/([?&])lang=[^&]*&?/, "$1").replace(/[?&]$/, "");
      const context: PageContext = {
        t: translator(locale),
        locale,
        member: request.appMember,
        csrf: reply.generateCsrf({ userInfo: formOwner(request) }),
        podName: config.name,
        path,
        time: instantFormatter(locale, config.timeZone, "date and time"),
      };
      contexts.set(request, context);
      return context;
    },
    send(request, reply, page) {
      const body = renderPage(kit.context(request, reply), page);
      const targets = page.formTargets?.length ? ` ${page.formTargets.join(" ")}` : "";
      return reply
        .code(page.status ?? 200)
        .type("text/html; charset=utf-8")
        .header("content-security-policy", APP_CSP.replace("form-action 'self'", `form-action 'self'${targets}`))
        .header("cache-control", "no-store")
        .header("vary", "cookie, accept-language")
        .send(body);
    },
    guard(role) {
      return async (request, reply) => {
        if (!request.appMember) {
          return reply.redirect(`/app/sign-in?next=${encodeURIComponent(request.url)}`, 303);
        }
        if (role === "coordinator" && request.appMember.role !== "coordinator") {
          return kit.send(request, reply, errorPage(kit.context(request, reply), 403));
        }
      };
    },
  };

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const csrf = error.code?.startsWith("FST_CSRF") === true;
    const status = csrf ? 403 : error instanceof ProblemError ? error.problem.status : (error.statusCode ?? 500);
    if (status >= 500) request.log.error({ err: error }, "web app page failed");
    if (status === 429) reply.header("retry-after", "60");
    const key = csrf ? "error.csrf" : status === 429 ? "signIn.tooMany" : undefined;
    return kit.send(request, reply, errorPage(kit.context(request, reply), status, key));
  });
  app.setNotFoundHandler((request, reply) => kit.send(request, reply, errorPage(kit.context(request, reply), 404)));
  return kit;
}

export type { FormFields };
