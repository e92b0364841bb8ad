import type { Context } from "@fedify/fedify";
import { Create, Mention, Note } from "@fedify/vocab";
import { uuidv7 } from "uuidv7";
import { toInstant, type PodDeps } from "../federation/deps.ts";
import { recipientOf } from "../follows/federation.ts";
import { resolveActor } from "../follows/resolve.ts";
import { escapeHtml } from "../web/html.ts";

/** A fediverse account found from a handle: where private messages to it go. */
export interface Reachable {
  handle: string;
  actorIri: string;
  inbox: string;
}

/**
 * Private notes from the pod to one person (sign-in and verification codes). A note is addressed only to that actor
 * (never Public, never the followers), sent at once rather than through the queue (the code must not wait in the
 * database), and stored nowhere: it is in no outbox, timeline or collection.
 */
export function directMessenger(deps: PodDeps, contextFor: () => Context<null>) {
  const { config } = deps;
  return {
    /** WebFinger, then the actor, through the same resolver (address checks, limits) as following. */
    async resolve(handle: string): Promise<Reachable> {
      const actor = await resolveActor(contextFor(), config, handle);
      return { handle, actorIri: actor.id!.href, inbox: actor.inboxId!.href };
    },

    async send(to: Reachable, text: string): Promise<void> {
      const ctx = contextFor();
      const me = ctx.getActorUri(config.handle);
      const id = new URL(`/users/${config.handle}/private/${uuidv7()}`, config.url);
      const mention = `<span class="h-card"><a href="${escapeHtml(to.actorIri)}" class="u-url mention">@${escapeHtml(
        to.handle.split("@")[0] ?? "",
      )}</a></span>`;
      const note = new Note({
        id,
        attribution: me,
        to: new URL(to.actorIri),
        content: `<p>${mention} ${escapeHtml(text)}</p>`,
        tags: [new Mention({ href: new URL(to.actorIri), name: `@${to.handle}` })],
        published: toInstant(deps.now()),
      });
      const create = new Create({
        id: new URL(`${id.href}#create`),
        actor: me,
        to: new URL(to.actorIri),
        object: note,
      });
      await ctx.sendActivity(
        { identifier: config.handle },
        recipientOf({ actorIri: to.actorIri, inbox: to.inbox, sharedInbox: null }),
        create,
        { immediate: true },
      );
    },
  };
}

export type DirectMessenger = ReturnType<typeof directMessenger>;
