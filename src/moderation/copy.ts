import type { RoomDb } from "../db/room-db.ts";
import { versionedCopy } from "../db/versioned-copy.ts";
import { canonicalIri, hostOf } from "./domains.ts";
import { moderationStore } from "./store.ts";

/** How many IRIs' answers refuses() keeps between reloads of the block lists (cleared when full). */
const ANSWERS_KEPT = 4_096;

export type BlockLists = ReturnType<typeof blockLists>;

/**
 * The blocked servers and accounts in memory: the inbox asks `refuses()` on every delivery (its key, its actor,
 * its object), synchronously. Loaded before the pod serves and right after this process's own block or unblock
 * (awaited by it); reloaded when `savedVersion` (the `moderation` change counter SQL triggers bump on every write
 * to the block tables: SQLite migration 0033, migrations-pg/0002) says another process changed them. A question
 * that sees the counter moved starts the reload in the background; the request hook (src/app.ts) awaits
 * `refresh()`, so a delivery is answered from the lists the counter shows.
 */
export function blockLists(rooms: RoomDb, savedVersion: () => number, onError: (error: unknown) => void) {
  const store = moderationStore(rooms);
  let domains = new Set<string>();
  let accounts = new Set<string>();
  // Answers of refuses() by IRI, for these very lists: a delivery asks about its key, actor and object several
  // times (once more inside the commit). Cleared whenever the lists are reloaded; bounded.
  const answers = new Map<string, boolean>();
  const { load, refresh } = versionedCopy(
    savedVersion,
    async () => Promise.all([store.listBlockedDomains(), store.listBlockedAccounts()]),
    ([domainRows, accountRows]) => {
      domains = new Set(domainRows.map((row) => row.domain));
      accounts = new Set(accountRows.map((row) => canonicalIri(row.actorIri)));
      answers.clear();
    },
  );
  const fresh = () => refresh()?.catch(onError);

  /** Whether a host is a blocked domain or one of its subdomains. */
  const onBlockedDomain = (host: string) => {
    for (let at = 0; at !== -1; at = host.indexOf(".", at + 1)) {
      if (domains.has(at === 0 ? host : host.slice(at + 1))) return true;
    }
    return false;
  };
  /** The lists' answer, the IRI parsed once (canonicalIri and hostOf read the same URL when no trailing dot). */
  const refusedByLists = (iri: string): boolean => {
    if (accounts.size === 0 && domains.size === 0) return false;
    const url = URL.parse(iri);
    if (url === null) return accounts.has(iri);
    if (url.hostname.endsWith(".")) return accounts.has(canonicalIri(iri)) || onBlockedDomain(hostOf(iri)!);
    return accounts.has(url.href) || onBlockedDomain(url.hostname);
  };

  return {
    load,
    refresh,
    /**
     * Refuses at once what a block is about to record, before its write begins: deliveries and follows handled
     * while it runs are refused too (its write then commits it; the caller reloads if the write fails).
     */
    anticipate(block: { domain?: string; account?: string }): void {
      if (block.domain) domains = new Set([...domains, block.domain]);
      if (block.account) accounts = new Set([...accounts, canonicalIri(block.account)]);
      answers.clear();
    },
    /** Whether deliveries from (and content by) this actor or key IRI are refused. */
    refuses(iri: string): boolean {
      fresh();
      let refused = answers.get(iri);
      if (refused === undefined) {
        refused = refusedByLists(iri);
        if (answers.size >= ANSWERS_KEPT) answers.clear();
        answers.set(iri, refused);
      }
      return refused;
    },
    /** Whether this very account is blocked (Mastodon's `blocking`). */
    blocksAccount(iri: string): boolean {
      fresh();
      return accounts.has(canonicalIri(iri));
    },
    /** Whether the account's server is blocked (Mastodon's `domain_blocking`). */
    blocksDomainOf(iri: string): boolean {
      fresh();
      const host = hostOf(iri);
      return host !== null && onBlockedDomain(host);
    },
  };
}
