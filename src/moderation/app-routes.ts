import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { MembersService } from "../members/service.ts";
import type { SocialService } from "../social/service.ts";
import type { ConfederationService } from "../confederation/service.ts";
import { ProblemError } from "../http/problem.ts";
import { htmlToText } from "../web/sanitize.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { FieldErrors } from "../webapp/html.ts";
import type { MessageKey } from "../webapp/i18n/index.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { moderationPage, type ModerationState } from "./app-pages.ts";
import type { ModerationService } from "./service.ts";

interface Options {
  kit: AppKit;
  moderation: ModerationService;
  social: SocialService;
  confederation: ConfederationService;
  members: MembersService;
}

const DONE: Record<string, MessageKey> = {
  hidden: "moderation.done.hidden",
  shown: "moderation.done.shown",
  domain: "moderation.done.domain",
  account: "moderation.done.account",
  unblocked: "moderation.done.unblocked",
  removed: "moderation.done.removed",
  reported: "moderation.done.reported",
  closed: "moderation.done.closed",
};

/** The coordinators' moderation page: replies to hide, blocks, the view, reports received and sent, the log. */
export async function moderationPages(
  app: FastifyInstance,
  { kit, moderation, social, confederation, members }: Options,
) {
  const coordinator = { preHandler: kit.guard("coordinator") };
  const done = (reply: FastifyReply, what: keyof typeof DONE) => reply.redirect(`/app/moderation?done=${what}`, 303);
  const form = (request: FastifyRequest) => request.body as FormFields;

  async function state(): Promise<Omit<ModerationState, "notice" | "errors" | "values">> {
    const names = new Map((await members.list()).map((m) => [m.id, m.displayName]));
    const audited = await members.auditPage(500);
    return {
      responses: (await social.recentResponses(50)).map((row) => ({
        id: row.id,
        author: row.author,
        text: htmlToText(row.content).slice(0, 500),
        url: row.url,
        published: row.published,
        hidden: row.hidden,
      })),
      domains: await moderation.domains(),
      accounts: await moderation.accounts(),
      received: await moderation.reports("received"),
      sent: await moderation.reports("sent"),
      log: audited
        .filter((entry) => entry.action.startsWith("moderation."))
        .slice(0, 50)
        .map((entry) => ({
          at: entry.at,
          who: entry.memberId ? (names.get(entry.memberId) ?? "?") : "—",
          action: entry.action,
          subject: entry.subject,
        })),
    };
  }

  const show = async (request: FastifyRequest, reply: FastifyReply, extra: Partial<ModerationState> = {}) =>
    kit.send(request, reply, moderationPage(kit.context(request, reply), { ...(await state()), ...extra }));

  /** A refused form: the page again with the error beside its field and what was typed kept. */
  const refused = (request: FastifyRequest, reply: FastifyReply, field: string, key: MessageKey) =>
    show(request, reply, {
      errors: { [field]: key } as FieldErrors,
      values: Object.fromEntries(Object.keys(form(request)).map((name) => [name, text(form(request), name)])),
    });

  const audit = (request: FastifyRequest, action: string, subject: string) =>
    members.audit(request.appMember!.id, `moderation.${action}`, subject);

  app.get("/moderation", coordinator, async (request, reply) => {
    const notice = DONE[text(request.query as FormFields, "done")];
    return show(request, reply, notice ? { notice } : {});
  });

  for (const [action, hidden] of [
    ["hide", true],
    ["show", false],
  ] as const) {
    app.post<{ Params: { id: string } }>(`/moderation/responses/:id/${action}`, coordinator, async (request, reply) => {
      if (await social.setResponseHidden(request.params.id, hidden))
        audit(request, `response.${action}`, request.params.id);
      return done(reply, hidden ? "hidden" : "shown");
    });
  }

  app.post("/moderation/domains", coordinator, async (request, reply) => {
    try {
      const { domain } = await moderation.blockDomain(
        text(form(request), "domain"),
        text(form(request), "domainReason"),
      );
      audit(request, "domain.block", domain);
    } catch (error) {
      if (error instanceof ProblemError) return refused(request, reply, "domain", "moderation.error.domain");
      throw error;
    }
    return done(reply, "domain");
  });

  app.post<{ Params: { domain: string } }>(
    "/moderation/domains/:domain/unblock",
    coordinator,
    async (request, reply) => {
      if (await moderation.unblockDomain(request.params.domain))
        audit(request, "domain.unblock", request.params.domain);
      return done(reply, "unblocked");
    },
  );

  app.post("/moderation/accounts", coordinator, async (request, reply) => {
    try {
      const row = await moderation.blockAccount(text(form(request), "account"), text(form(request), "accountReason"));
      audit(request, "account.block", row.handle || row.actorIri);
    } catch (error) {
      if (error instanceof ProblemError) return refused(request, reply, "account", "moderation.error.unreachable");
      throw error;
    }
    return done(reply, "account");
  });

  app.post("/moderation/accounts/unblock", coordinator, async (request, reply) => {
    const actor = text(form(request), "actor");
    if (await moderation.unblockAccount(actor)) audit(request, "account.unblock", actor);
    return done(reply, "unblocked");
  });

  app.post("/moderation/view", coordinator, async (request, reply) => {
    const pod = text(form(request), "pod").trim();
    if (!/^https?:\/\//i.test(pod) || !URL.canParse(pod)) return refused(request, reply, "pod", "moderation.error.pod");
    const removed = await confederation.forgetPod(new URL(pod).href);
    audit(request, "view.remove", `${pod} (${removed})`);
    return done(reply, "removed");
  });

  app.post("/moderation/reports", coordinator, async (request, reply) => {
    const fields = form(request);
    const posts = text(fields, "posts")
      .split(/\s+/)
      .filter((line) => URL.canParse(line));
    try {
      const report = await moderation.sendReport(text(fields, "target"), text(fields, "comment").trim(), posts);
      audit(request, "report.send", report.actorIri);
    } catch (error) {
      if (error instanceof ProblemError) return refused(request, reply, "target", "moderation.error.unreachable");
      throw error;
    }
    return done(reply, "reported");
  });

  app.post<{ Params: { id: string } }>("/moderation/reports/:id/close", coordinator, async (request, reply) => {
    if (await moderation.closeReport(request.params.id)) audit(request, "report.close", request.params.id);
    return done(reply, "closed");
  });
}
