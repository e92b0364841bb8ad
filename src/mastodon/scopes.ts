/** Mastodon's OAuth scopes: the three top-level ones and the sub-scopes apps ask for. */
const TOP = ["read", "write", "follow", "push", "profile"] as const;
const SUB = {
  read: [
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
  ],
  write: [
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
  ],
} as const;
/** `follow` is the old name for these. */
const FOLLOW_COVERS = new Set([
  "read:blocks",
  "write:blocks",
  "read:follows",
  "write:follows",
  "read:mutes",
  "write:mutes",
]);

export const KNOWN_SCOPES = new Set<string>([
  ...TOP,
  ...Object.entries(SUB).flatMap(([top, subs]) => subs.map((sub) => `${top}:${sub}`)),
]);

/** Parses a space- or plus-separated scope list; null when any scope is unknown. An empty list means `read`. */
export function parseScopes(value: string | undefined | null): string[] | null {
  const scopes = [...new Set((value ?? "").split(/[\s+]+/).filter(Boolean))];
  if (scopes.length === 0) return ["read"];
  return scopes.every((scope) => KNOWN_SCOPES.has(scope)) ? scopes : null;
}

/** True when the granted scopes include `required` (itself, its top-level scope, or `follow` for follow sub-scopes). */
export function grants(granted: string[], required: string): boolean {
  if (granted.includes(required)) return true;
  const [top] = required.split(":");
  if (granted.includes(top!)) return true;
  return granted.includes("follow") && FOLLOW_COVERS.has(required);
}

/** True when every requested scope is within what the app registered. */
export const withinScopes = (registered: string[], requested: string[]) =>
  requested.every((scope) => grants(registered, scope));
