import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { RoomDb } from "../db/room-db.ts";
import { appGrantTokenId } from "../operators/service.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import { Csrf, html, type Page, type PageContext } from "../webapp/html.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { authorizationInput, checkAuthorizationRequest, type AuthorizationInput } from "./authorization-request.ts";
import { OOB_REDIRECT, type OAuthApp, type OAuthStore } from "./oauth.ts";
import { isVerifiedRedirect } from "./redirect-trust.ts";

interface Options {
  kit: AppKit;
  rooms: RoomDb;
  oauth: OAuthStore;
  audit: (memberId: string, action: string, subject: string) => void;
}

/** The CSP source of an app's return address: its origin, or its own scheme (a native app's); none for the OOB. */
function formTarget(redirect: string): string[] {
  if (redirect === OOB_REDIRECT || !URL.canParse(redirect)) return [];
  const url = new URL(redirect);
  if (/^https?:$/.test(url.protocol)) return [url.origin];
  return /^[a-z][a-z0-9+.-]*:$/.test(url.protocol) ? [url.protocol] : [];
}

function consentPage(
  ctx: PageContext,
  app: OAuthApp,
  scopes: string[],
  redirect: string,
  input: AuthorizationInput,
): Page {
  const { t } = ctx;
  return {
    title: t("consent.title", { app: app.name }),
    // Allowing (or denying, to a verified address) redirects the form to the app: CSP form-action must let it.
    formTargets: formTarget(redirect),
    body: html`<p>${t("consent.intro", { app: app.name, pod: ctx.podName, scopes: scopes.join(" ") })}</p>
      ${app.website && html`<p><a href=${app.website} rel="nofollow noopener">${app.website}</a></p>`}
      <p>${t("consent.as", { name: ctx.member!.displayName })}</p>
      <form method="post" action="/app/authorize" class="actions">
        <${Csrf} ctx=${ctx} />
        ${Object.entries(input).map(([name, value]) => html`<input type="hidden" name=${name} value=${value} />`)}
        <button type="submit" name="decision" value="approve">${t("consent.allow")}</button>
        <button type="submit" name="decision" value="deny" class="secondary">${t("consent.deny")}</button>
      </form>`,
  };
}

const messagePage = (title: string, lines: (string | ReturnType<typeof html>)[], status = 200): Page => ({
  title,
  status,
  body: html`${lines.map((line) => html`<p>${line}</p>`)}`,
});

/**
 * The Mastodon consent page for a signed-in coordinator: the app's request is shown in the app's language and
 * allowed with a button (CSRF-checked like every form). The access hangs on a token of that member's.
 */
export async function consentPages(app: FastifyInstance, { kit, rooms, oauth, audit }: Options) {
  const coordinator = kit.guard("coordinator");

  async function checked(request: FastifyRequest, reply: FastifyReply, input: AuthorizationInput) {
    const result = await checkAuthorizationRequest(oauth, input);
    if (!("problem" in result)) return result;
    const ctx = kit.context(request, reply);
    kit.send(request, reply, messagePage(ctx.t("consent.cannot"), [ctx.t(`consent.${result.problem}`)], 400));
    return null;
  }

  app.get("/authorize", { preHandler: coordinator }, async (request, reply) => {
    const input = authorizationInput(request.query as Record<string, unknown>);
    const found = await checked(request, reply, input);
    if (!found) return reply;
    reply.header("x-frame-options", "DENY");
    return kit.send(
      request,
      reply,
      consentPage(kit.context(request, reply), found.found, found.scopes, found.redirect, input),
    );
  });

  app.post("/authorize", { preHandler: coordinator }, async (request, reply) => {
    const fields = request.body as FormFields;
    const input = authorizationInput(Object.fromEntries(Object.keys(fields).map((k) => [k, text(fields, k)])));
    const found = await checked(request, reply, input);
    if (!found) return reply;
    const ctx = kit.context(request, reply);
    const member = request.appMember!;
    const { found: client, scopes, redirect } = found;
    if (text(fields, "decision") !== "approve") {
      if (isVerifiedRedirect(redirect, input.redirect_uri, client.redirectUris.split("\n"))) {
        const target = new URL(redirect);
        target.searchParams.set("error", "access_denied");
        if (input.state !== undefined) target.searchParams.set("state", input.state);
        return reply.redirect(target.href, 302);
      }
      return kit.send(
        request,
        reply,
        messagePage(ctx.t("consent.deny"), [ctx.t("consent.denied", { app: client.name })]),
      );
    }
    const tokenId = await appGrantTokenId(rooms, member.id, `app: ${client.name} (${client.id})`);
    const code = await oauth.grantCode(client, scopes, redirect, input.code_challenge ?? null, tokenId);
    audit(member.id, "app.authorize", client.id);
    if (redirect === OOB_REDIRECT) {
      const lines = [ctx.t("consent.code", { app: client.name }), html`<code class="link">${code}</code>`];
      return kit.send(request, reply, messagePage(ctx.t("consent.allow"), lines));
    }
    const target = new URL(redirect);
    target.searchParams.set("code", code);
    if (input.state !== undefined) target.searchParams.set("state", input.state);
    return reply.redirect(target.href, 302);
  });
}
