import type { Context } from "@fedify/fedify";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { refusesNobody, type Refusal } from "../federation/refusal.ts";
import { projectPublishedWith } from "../publishing/deliver.ts";
import type { Response } from "../publishing/response.ts";
import { socialInbox } from "./inbox.ts";
import { projectPublished } from "./local.ts";
import { postingActions } from "./posting.ts";
import { roomsOf } from "../db/room-db.ts";
import type { Account } from "./activitypub.ts";
import { socialQueries } from "./queries.ts";
import { socialStore } from "./store.ts";
import { timelines } from "./timelines.ts";

/** How long a Delete of a post the pod never held is kept: deliveries that failed are retried for days. */
const UNHELD_DELETIONS_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

/** The pod as Mastodon-compatible servers and apps see it: accounts, posts, reactions, notifications. */
export function socialService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  publishedAt: Date,
  events: EventDispatcher,
) {
  const rooms = roomsOf(deps);
  const store = socialStore(rooms);
  const queries = socialQueries(rooms);
  const refusal = refusesNobody();
  // The pod's own account row never changes once made (remote upserts and removals leave local rows alone).
  let mine: Promise<Account> | undefined;
  const me = (): Promise<Account> =>
    (mine ??= store
      .ensureLocalAccount(deps.config, contextFor().getActorUri(deps.config.handle).href, publishedAt)
      .catch((error: unknown) => {
        mine = undefined;
        throw error;
      }));
  const inbox = socialInbox(deps, refusal);
  // What the pod publishes becomes its own statuses (what Mastodon apps show).
  projectPublishedWith(projectPublished);
  const reading = timelines(rooms);
  return {
    inbox,
    posting: postingActions(deps, contextFor, inbox, events, me),
    timelines: reading,
    /** Replies to one of the pod's posts (an offer's or need's responses); `publicOnly` for its public page. */
    async responsesTo(iri: string, publicOnly: boolean): Promise<Response[]> {
      return (await reading.repliesTo(iri, publicOnly)).map(({ status, account }) => ({
        author: `@${account.username}@${account.host}`,
        authorUrl: account.url ?? account.iri,
        content: status.content,
        url: status.url ?? status.iri,
        visibility: status.visibility,
        published: status.publishedAt,
      }));
    },
    /** Remote replies to the pod's posts for the moderation page, newest first, with whether each is hidden. */
    async recentResponses(limit = 100) {
      return (await reading.repliesToPod(deps.config.url.origin, limit)).map(({ status, account }) => ({
        id: status.id,
        author: `@${account.username}@${account.host}`,
        authorIri: account.iri,
        content: status.content,
        url: status.url ?? status.iri,
        inReplyTo: status.inReplyToIri ?? "",
        published: status.publishedAt,
        hidden: status.hiddenAt !== null,
      }));
    },
    /** Hides a remote reply from the pod's pages and counts, or shows it again. */
    setResponseHidden: (id: string, hidden: boolean) =>
      store.setStatusHidden(id, hidden ? deps.now().toISOString() : null),
    /** A domain block, inside moderation's write: its remote accounts go with their posts and reactions. */
    forgetDomainAccountsWithin: store.within.removeAccountsOfDomain,
    /** An account block, inside moderation's write: its posts, reactions and notifications go (its row stays). */
    forgetAccountWithin: store.within.removeContentOf,
    /** Moderation's blocks: posts and accounts of refused servers and accounts are not stored. */
    refuseWith(refuses: Refusal["refuses"]) {
      refusal.refuses = refuses;
    },
    /** Forgets Deletes of posts the pod never held once a late Create could no longer be on its way. */
    pruneUnheldDeletions: () => store.pruneUnheldDeletions(new Date(deps.now().getTime() - UNHELD_DELETIONS_KEPT_MS)),
    /** Whether the pod keeps this post / knows this account (the inbox asks for deliveries not otherwise its). */
    knowsStatus: async (iri: string) => (await store.statusByIri(iri)) !== undefined,
    knowsAccount: async (iri: string) => (await store.accountByIri(iri)) !== undefined,
    /** What the pod published and still shows (NodeInfo's localPosts). */
    countLocalPosts: queries.countLocalPosts,
    /** The pod's own account row (made on first use). */
    me,
    /** Lookups and counts for the Mastodon API. */
    queries,
  };
}

export type SocialService = ReturnType<typeof socialService>;
