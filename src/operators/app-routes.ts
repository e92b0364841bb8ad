import type { FastifyInstance } from "fastify";
import type { Db } from "../db/client.ts";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { tokensPage } from "./app-pages.ts";
import { createMemberToken, revokeMemberToken, tokensOf } from "./service.ts";

/** A coordinator's own API tokens: made with a label, shown once, revoked one by one. */
export async function tokenPages(
  app: FastifyInstance,
  { kit, db, audit }: { kit: AppKit; db: Db; audit: (memberId: string, action: string, subject: string) => void },
) {
  const coordinator = kit.guard("coordinator");

  app.get("/tokens", { preHandler: coordinator }, async (request, reply) =>
    kit.send(request, reply, tokensPage(kit.context(request, reply), tokensOf(db, request.appMember!.id))),
  );

  app.post("/tokens", { preHandler: coordinator }, async (request, reply) => {
    const member = request.appMember!;
    const label = text(request.body as FormFields, "label")
      .trim()
      .slice(0, 100);
    if (!label) {
      const page = tokensPage(kit.context(request, reply), tokensOf(db, member.id), undefined, {
        label: "error.required",
      });
      return kit.send(request, reply, page);
    }
    const token = createMemberToken(db, member.id, label);
    audit(member.id, "token.create", label);
    return kit.send(request, reply, tokensPage(kit.context(request, reply), tokensOf(db, member.id), token));
  });

  app.post<{ Params: { id: string } }>("/tokens/:id/revoke", { preHandler: coordinator }, async (request, reply) => {
    if (revokeMemberToken(db, request.appMember!.id, request.params.id)) {
      audit(request.appMember!.id, "token.revoke", request.params.id);
    }
    return reply.redirect("/app/tokens", 303);
  });
}
