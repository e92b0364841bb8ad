import type { Context } from "@fedify/fedify";
import { Create, Delete, Tombstone } from "@fedify/vocab";
import type { EventDispatcher } from "../events/dispatcher.ts";
import { toInstant, type PodDeps } from "../federation/deps.ts";
import { recipientOf } from "../follows/federation.ts";
import { resolveActor } from "../follows/resolve.ts";
import { sendToFollowers } from "../publishing/deliver.ts";
import { roomsOf } from "../db/room-db.ts";
import { tombstonesStore } from "../publishing/tombstones.ts";
import { escapeHtml } from "../web/html.ts";
import { statusToNote, type Account, type Status, type Visibility } from "./activitypub.ts";
import { snowflake } from "./ids.ts";
import type { SocialInbox } from "./inbox.ts";
import { statuses } from "./schema.ts";
import { socialStore } from "./store.ts";

export interface NewPost {
  text: string;
  visibility: Visibility;
  inReplyTo?: Status;
  spoilerText?: string;
  sensitive?: boolean;
  language?: string;
}

const MENTION = /(^|[^\w@/])@([\w.-]+)@([\w.-]+(?::\d{1,5})?\w)/g;
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g;

export class PostingError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Plain text written in an app → the post's HTML: paragraphs, links, and mentions linked to their actors. */
export function renderText(text: string, mentioned: Map<string, Account>): string {
  return text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((paragraph) => {
      let out = "";
      let last = 0;
      const tokens = [...paragraph.matchAll(new RegExp(`${URL_IN_TEXT.source}|${MENTION.source}`, "g"))];
      for (const match of tokens) {
        const [whole] = match;
        const lead = match[1] ?? "";
        const start = match.index + (whole.startsWith("http") ? 0 : lead.length);
        const token = whole.slice(start - match.index);
        out += escapeHtml(paragraph.slice(last, start));
        const account = token.startsWith("@") ? mentioned.get(token.slice(1).toLowerCase()) : undefined;
        if (token.startsWith("http"))
          out += `<a href="${escapeHtml(token)}" rel="nofollow noopener">${escapeHtml(token)}</a>`;
        else if (account)
          out +=
            `<span class="h-card"><a href="${escapeHtml(account.url ?? account.iri)}" class="u-url mention">` +
            `@<span>${escapeHtml(account.username)}</span></a></span>`;
        else out += escapeHtml(token);
        last = start + token.length;
      }
      return `<p>${(out + escapeHtml(paragraph.slice(last))).replaceAll("\n", "<br>")}</p>`;
    })
    .join("");
}

const POST_PUBLISHED = "post.published";
const POST_DELETED = "post.deleted";

/** Notes the operator writes in a Mastodon app, published as the pod. */
export function postingActions(
  deps: PodDeps,
  contextFor: () => Context<null>,
  inbox: SocialInbox,
  events: EventDispatcher,
  /** The pod's own account row. */
  me: () => Promise<Account>,
) {
  const { config, log } = deps;
  const rooms = roomsOf(deps);
  const store = socialStore(rooms);
  const tombstones = tombstonesStore(rooms);

  /** Mentions in the text, resolved by WebFinger; one that cannot be resolved stays plain text. */
  async function resolveMentions(ctx: Context<null>, text: string): Promise<Map<string, Account>> {
    const found = new Map<string, Account>();
    for (const match of text.matchAll(MENTION)) {
      const acct = `${match[2]}@${match[3]}`.toLowerCase();
      if (found.has(acct) || found.size >= 20) continue;
      const known = await store.accountByAcct(match[2]!, match[3]!);
      const account =
        known ??
        (await resolveActor(ctx, config, `@${acct}`)
          .then((actor) => inbox.rememberActor(ctx, actor))
          .catch(() => null));
      if (account && !account.local) found.set(acct, account);
    }
    return found;
  }

  /** Who gets a post besides the followers: the mentioned, and the author of the post it answers. */
  async function directRecipients(mentioned: Account[], inReplyTo?: Status): Promise<Account[]> {
    const author = inReplyTo ? await store.accountById(inReplyTo.accountId) : undefined;
    const all = author && !author.local ? [...mentioned, author] : mentioned;
    return [...new Map(all.map((a) => [a.iri, a])).values()];
  }

  async function deliver(ctx: Context<null>, activity: Create | Delete, status: Status, to: Account[]): Promise<void> {
    if (status.visibility !== "direct") await sendToFollowers(ctx, deps, [activity], status.iri);
    const recipients = to.flatMap((a) =>
      a.inbox ? [recipientOf({ actorIri: a.iri, inbox: a.inbox, sharedInbox: a.sharedInbox })] : [],
    );
    if (recipients.length > 0) {
      await ctx.sendActivity({ identifier: config.handle }, recipients, activity, {
        preferSharedInbox: true,
        orderingKey: status.iri,
      });
    }
  }

  const mentionedAccounts = async (status: Status) =>
    (await Promise.all((JSON.parse(status.mentions) as string[]).map((iri) => store.accountByIri(iri)))).filter(
      (a): a is Account => a !== undefined,
    );

  // A post and its deletion commit with the event that delivers them (run by the event dispatcher).
  events.on(POST_PUBLISHED, async ({ status }: { status: Status }) => {
    const ctx = contextFor();
    const recipients = await mentionedAccounts(status);
    const mentions = recipients.map((a) => ({ iri: new URL(a.iri), acct: `${a.username}@${a.host}` }));
    const note = statusToNote(ctx, config, status, mentions);
    const create = new Create({
      id: new URL(`${status.iri}#create`),
      actor: ctx.getActorUri(config.handle),
      tos: note.toIds,
      ccs: note.ccIds,
      object: note,
      published: toInstant(new Date(status.publishedAt)),
    });
    await deliver(ctx, create, status, recipients);
  });
  events.on(POST_DELETED, async ({ status, deletedAt }: { status: Status; deletedAt: string }) => {
    const ctx = contextFor();
    const note = statusToNote(ctx, config, status, []);
    const del = new Delete({
      id: new URL(`${status.iri}#delete`),
      actor: ctx.getActorUri(config.handle),
      tos: note.toIds,
      ccs: note.ccIds,
      object: new Tombstone({ id: new URL(status.iri), deleted: toInstant(new Date(deletedAt)) }),
    });
    await deliver(ctx, del, status, await directRecipients(await mentionedAccounts(status)));
  });

  return {
    async create(post: NewPost): Promise<Status> {
      const ctx = contextFor();
      const mentioned = await resolveMentions(ctx, post.text);
      const now = deps.now();
      const id = snowflake(now);
      const iri = new URL(`/notes/${id}`, config.url).href;
      const recipients = await directRecipients([...mentioned.values()], post.inReplyTo);
      const account = await me();
      const t = rooms.table(statuses);
      const status = await rooms.write(async (db) => {
        const [inserted] = await db
          .insert(t)
          .values({
            id,
            iri,
            url: iri,
            accountId: account.id,
            inReplyToIri: post.inReplyTo?.iri ?? null,
            kind: "note",
            content: renderText(post.text, mentioned),
            spoilerText: post.spoilerText ?? "",
            visibility: post.visibility,
            language: post.language ?? null,
            sensitive: post.sensitive ?? false,
            mentions: JSON.stringify(recipients.map((a) => a.iri)),
            publishedAt: now.toISOString(),
          })
          .returning();
        await events.recordWithin(db, POST_PUBLISHED, { status: inserted }, iri);
        return inserted!;
      });
      await events.settle();
      log.info({ status: iri, visibility: status.visibility }, "note published");
      return status;
    },

    /** Deletes a note written in an app; offers, needs, charters and practices are withdrawn through their own API. */
    async delete(status: Status): Promise<void> {
      if (status.accountId !== (await me()).id) throw new PostingError(403, "only the pod's own posts can be deleted");
      if (status.kind !== "note")
        throw new PostingError(422, `this post is the pod's ${status.kind}: change it through the operator API`);
      const now = deps.now();
      // Deleted once: of two deletions at once, only the one that removed the row tells the followers.
      const deleted = await rooms.write(async (db) => {
        if (!(await store.within.deleteStatus(db, status.iri))) return false;
        await tombstones.recordWithin(db, [{ iri: status.iri, formerType: "Note" }], now);
        await events.recordWithin(db, POST_DELETED, { status, deletedAt: now.toISOString() }, status.iri);
        return true;
      });
      if (deleted) await events.settle();
    },
  };
}
