import type { FastifyInstance } from "fastify";
import { text, type FormFields } from "../webapp/form-body.ts";
import type { AppKit } from "../webapp/plugin.ts";
import { revokeSignedInApp, signedInApps } from "../mastodon/signed-in-apps.ts";
import type { Member } from "../members/model.ts";
import { tokensPage, type AppRow } from "./app-pages.ts";
import type { RoomDb } from "../db/room-db.ts";
import { createMemberToken, revokeMemberToken, tokenHolders, tokensOf } from "./service.ts";

interface Options {
  kit: AppKit;
  rooms: RoomDb;
  audit: (memberId: string, action: string, subject: string) => void;
  members: () => Promise<Member[]>;
  now: () => Date;
}

/** The Mastodon apps with access, each with who let it in (the member behind the operator token, if any). */
export async function appRows(rooms: RoomDb, members: Member[], now: Date): Promise<AppRow[]> {
  const holders = await tokenHolders(rooms);
  const names = new Map(members.map((member) => [member.id, member.displayName]));
  return (await signedInApps(rooms, now)).map((app) => {
    const holder = app.grantedBy ? holders.get(app.grantedBy) : undefined;
    const who = holder ? ((holder.memberId && names.get(holder.memberId)) ?? holder.label) : null;
    return { id: app.id, appName: app.appName, who, scopes: app.scopes, createdAt: app.createdAt };
  });
}

/** A coordinator's own API tokens (made with a label, shown once, revoked one by one) and the apps signed in. */
export async function tokenPages(app: FastifyInstance, { kit, rooms, audit, members, now }: Options) {
  const coordinator = kit.guard("coordinator");
  const apps = async () => appRows(rooms, await members(), now());

  app.get("/tokens", { preHandler: coordinator }, async (request, reply) =>
    kit.send(
      request,
      reply,
      tokensPage(
        kit.context(request, reply),
        await tokensOf(rooms, request.appMember!.id),
        await apps(),
        undefined,
        undefined,
        text(request.query as FormFields, "done") === "revoked",
      ),
    ),
  );

  app.post("/tokens", { preHandler: coordinator }, async (request, reply) => {
    const member = request.appMember!;
    const label = text(request.body as FormFields, "label")
      .trim()
      .slice(0, 100);
    if (!label) {
      const page = tokensPage(kit.context(request, reply), await tokensOf(rooms, member.id), await apps(), undefined, {
        label: "error.required",
      });
      return kit.send(request, reply, page);
    }
    const token = await createMemberToken(rooms, member.id, label);
    audit(member.id, "token.create", label);
    const page = tokensPage(kit.context(request, reply), await tokensOf(rooms, member.id), await apps(), token);
    return kit.send(request, reply, page);
  });

  app.post<{ Params: { id: string } }>("/tokens/:id/revoke", { preHandler: coordinator }, async (request, reply) => {
    if (await revokeMemberToken(rooms, request.appMember!.id, request.params.id)) {
      audit(request.appMember!.id, "token.revoke", request.params.id);
    }
    return reply.redirect("/app/tokens", 303);
  });

  // Taking one Mastodon app's access away: its token stops working at once.
  app.post<{ Params: { id: string } }>("/apps/:id/revoke", { preHandler: coordinator }, async (request, reply) => {
    const id = /^[0-9a-f]{64}$/.test(request.params.id) ? request.params.id : "";
    if (id && (await revokeSignedInApp(rooms, id))) audit(request.appMember!.id, "app.revoke", id.slice(0, 12));
    return reply.redirect("/app/tokens?done=revoked#apps", 303);
  });
}
