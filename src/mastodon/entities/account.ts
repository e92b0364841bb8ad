import type { Config } from "../../config/schema.ts";
import type { Account } from "../../social/activitypub.ts";
import { escapeHtml } from "../../web/html.ts";

export interface AccountCounts {
  followers: number;
  following: number;
  statuses: number;
  lastStatusAt: string | null;
}

export interface LocalProfile {
  fields: { name: string; value: string }[];
  avatar: string;
}

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : null);

/** An account row → Mastodon's Account entity. The pod's own account takes its profile from the settings. */
export function toAccount(config: Config, row: Account, counts: AccountCounts, local?: LocalProfile) {
  const isLocal = row.local;
  // Apps decode avatar and header as URLs: an account without them gets the pod's plain images.
  const avatar = (isLocal ? local?.avatar : row.avatar) ?? new URL("/avatar.png", config.url).href;
  const header = (isLocal ? config.header?.path : row.header) ?? "/header.png";
  const headerUrl = new URL(header, config.url).href;
  const fields = isLocal ? (local?.fields ?? []) : (JSON.parse(row.fields) as { name: string; value: string }[]);
  return {
    id: row.id,
    username: row.username,
    acct: isLocal ? row.username : `${row.username}@${row.host}`,
    display_name: isLocal ? config.name : row.displayName,
    locked: isLocal ? config.approveFollowers : row.locked,
    bot: row.kind === "Service" || row.kind === "Application",
    discoverable: true,
    indexable: false,
    group: row.kind === "Group",
    created_at: new Date(row.createdAt).toISOString(),
    note: isLocal ? `<p>${escapeHtml(config.summary)}</p>` : row.note,
    url: isLocal ? new URL(`/@${config.handle}`, config.url).href : (row.url ?? row.iri),
    uri: row.iri,
    avatar,
    avatar_static: avatar,
    header: headerUrl,
    header_static: headerUrl,
    followers_count: counts.followers,
    following_count: counts.following,
    statuses_count: counts.statuses,
    last_status_at: day(counts.lastStatusAt),
    hide_collections: false,
    noindex: false,
    emojis: [],
    roles: [],
    fields: fields.map((field) => ({ name: field.name, value: field.value, verified_at: null })),
  };
}

export type AccountEntity = ReturnType<typeof toAccount>;

/** verify_credentials: the Account with its `source` (what the edit-profile screen shows). */
export function toCredentialAccount(config: Config, account: AccountEntity, followRequests: number) {
  return {
    ...account,
    source: {
      privacy: "public",
      sensitive: false,
      language: "",
      note: config.summary,
      fields: account.fields.map(({ name, value }) => ({ name, value, verified_at: null })),
      follow_requests_count: followRequests,
    },
    role: { id: "-99", name: "", permissions: "0", color: "", highlighted: false },
  };
}
