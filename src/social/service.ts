import type { Context } from "@fedify/fedify";
import type { EventDispatcher } from "../events/dispatcher.ts";
import type { PodDeps } from "../federation/deps.ts";
import { refusesNobody, type Refusal } from "../federation/refusal.ts";
import { projectPublishedWith } from "../publishing/deliver.ts";
import type { Response } from "../publishing/response.ts";
import { socialInbox } from "./inbox.ts";
import { projectPublished } from "./local.ts";
import { postingActions } from "./posting.ts";
import { accountByIri, countLocalPosts, statusByIri } from "./queries.ts";
import { ensureLocalAccount, removeAccountsOfDomain, removeContentOf, setStatusHidden } from "./store.ts";
import { timelines } from "./timelines.ts";

/** The pod as Mastodon-compatible servers and apps see it: accounts, posts, reactions, notifications. */
export function socialService(
  deps: PodDeps,
  contextFor: () => Context<null>,
  publishedAt: Date,
  events: EventDispatcher,
) {
  const refusal = refusesNobody();
  const inbox = socialInbox(deps, refusal);
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
    /** Remote replies to the pod's posts for the moderation page, newest first, with whether each is hidden. */
    recentResponses(limit = 100) {
      return reading.repliesToPod(deps.config.url.origin, limit).map(({ status, account }) => ({
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
      setStatusHidden(deps.db, id, hidden ? deps.now().toISOString() : null),
    /** A blocked domain's accounts, posts and reactions go (they come back only if unblocked and sent again). */
    forgetDomain: (domain: string) => removeAccountsOfDomain(deps.db, domain),
    /** A blocked account's posts, reactions and notifications go (the account stays, shown as blocked). */
    forgetAccount: (iri: string) => removeContentOf(deps.db, iri) > 0,
    /** Moderation's blocks: posts and accounts of refused servers and accounts are not stored. */
    refuseWith(refuses: Refusal["refuses"]) {
      refusal.refuses = refuses;
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
