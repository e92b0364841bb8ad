import type { Status } from "../../social/activitypub.ts";
import { htmlToText } from "../../web/sanitize.ts";
import type { AccountEntity } from "./account.ts";

export interface StatusContext {
  account: AccountEntity;
  inReplyTo: { id: string; accountId: string } | null;
  mentions: AccountEntity[];
  counts: { replies: number; favourites: number; reblogs: number };
  /** The source text, shown only to the pod itself (for delete-and-redraft). */
  withSource: boolean;
}

/** A status row → Mastodon's Status entity. */
export function toStatus(row: Status, context: StatusContext) {
  return {
    id: row.id,
    uri: row.iri,
    url: row.url ?? row.iri,
    created_at: new Date(row.publishedAt).toISOString(),
    edited_at: row.editedAt ? new Date(row.editedAt).toISOString() : null,
    account: context.account,
    in_reply_to_id: context.inReplyTo?.id ?? null,
    in_reply_to_account_id: context.inReplyTo?.accountId ?? null,
    reblog: null,
    content: row.content,
    text: context.withSource ? htmlToText(row.content) : null,
    spoiler_text: row.spoilerText,
    visibility: row.visibility,
    sensitive: row.sensitive,
    language: row.language,
    replies_count: context.counts.replies,
    reblogs_count: context.counts.reblogs,
    favourites_count: context.counts.favourites,
    favourited: false,
    reblogged: false,
    muted: false,
    bookmarked: false,
    pinned: false,
    media_attachments: [],
    mentions: context.mentions.map((account) => ({
      id: account.id,
      username: account.username,
      acct: account.acct,
      url: account.url,
    })),
    tags: [],
    emojis: [],
    card: null,
    poll: null,
    application: null,
    filtered: [],
  };
}

export type StatusEntity = ReturnType<typeof toStatus>;
