import type { Context } from "@fedify/fedify";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { projectPublishedWith } from "../publishing/deliver.ts";
import type { Response } from "../publishing/response.ts";
import { socialInbox } from "./inbox.ts";
import { projectPublished } from "./local.ts";
import { postingActions } from "./posting.ts";
import { accountByIri, countLocalPosts, statusByIri } from "./queries.ts";
import { ensureLocalAccount } from "./store.ts";
import { timelines } from "./timelines.ts";

/** The pod as Mastodon-compatible servers and apps see it: accounts, posts, reactions, notifications. */
export function socialService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  publishedAt: Date,
  events: EventDispatcher,
) {
  const inbox = socialInbox(deps);
  // What the pod publishes becomes its own statuses (what Mastodon apps show).
  projectPublishedWith(projectPublished);
  const reading = timelines(deps.db);
  return {
    inbox,
    posting: postingActions(deps, contextFor, inbox, events),
    timelines: reading,
    /** Replies to one of the pod's posts (an offer's or need's responses); `publicOnly` for its public page. */
    responsesTo(iri: string, publicOnly: boolean): Response[] {
      return reading.repliesTo(iri, publicOnly).map(({ status, account }) => ({
        author: `@${account.username}@${account.host}`,
        authorUrl: account.url ?? account.iri,
        content: status.content,
        url: status.url ?? status.iri,
        visibility: status.visibility,
        published: status.publishedAt,
      }));
    },
    /** Whether the pod keeps this post / knows this account (prepared lookups: the inbox asks per delivery). */
    knowsStatus: (iri: string) => statusByIri(deps.db, iri) !== undefined,
    knowsAccount: (iri: string) => accountByIri(deps.db, iri) !== undefined,
    /** What the pod published and still shows (NodeInfo's localPosts). */
    countLocalPosts: () => countLocalPosts(deps.db),
    /** The pod's own account row (made on first use). */
    me: () => ensureLocalAccount(deps.db, deps.config, contextFor().getActorUri(deps.config.handle).href, publishedAt),
  };
}

export type SocialService = ReturnType<typeof socialService>;
