import { roomsOf } from "../db/room-db.ts";
import type { PodDeps } from "../federation/deps.ts";
import { followsOf } from "../follows/room.ts";
import type { Account, Status } from "../social/activitypub.ts";
import { socialQueries } from "../social/queries.ts";
import { toAccount, type AccountEntity, type LocalProfile } from "./entities/account.ts";
import { toNotification, type NotificationRow } from "./entities/notification.ts";
import { toRelationship } from "./entities/relationship.ts";
import { toStatus, type StatusEntity } from "./entities/status.ts";

/** Loads what the entity converters need, in a few queries per page, and calls them. */
/** What a relationship shows of the pod's blocks (the moderation room). */
export interface BlockLookups {
  blocksAccount(iri: string): boolean;
  blocksDomainOf(iri: string): boolean;
}

export function presenter(deps: PodDeps, localProfile: () => LocalProfile, blocks: BlockLookups) {
  const { config } = deps;
  const { accountsByIds, accountsByIris, countsFor, postsOf, statusesByIds, statusRefsByIris } = socialQueries(
    roomsOf(deps),
  );
  // Read synchronously while building entities: the follows copy in memory (the request hook refreshed it).
  const follows = followsOf(deps);

  async function account(row: Account, forPod = false): Promise<AccountEntity> {
    const posts = await postsOf(row.id, forPod);
    const counts = row.local
      ? {
          followers: follows.countFollowers(),
          following: follows.countFollowing(),
          statuses: posts.n,
          lastStatusAt: posts.last,
        }
      : { followers: 0, following: 0, statuses: posts.n, lastStatusAt: posts.last };
    return toAccount(config, row, counts, row.local ? localProfile() : undefined);
  }

  async function statusList(rows: Status[], viewerIsPod = true): Promise<StatusEntity[]> {
    if (rows.length === 0) return [];
    const counts = await countsFor(rows, !viewerIsPod);
    const parentIris = [...new Set(rows.map((r) => r.inReplyToIri).filter((iri): iri is string => iri !== null))];
    const parents = await statusRefsByIris(parentIris);
    const parentByIri = new Map(parents.map((p) => [p.iri, p]));
    const mentionIris = [...new Set(rows.flatMap((r) => JSON.parse(r.mentions) as string[]))];
    const accountIds = [...new Set(rows.map((r) => r.accountId))];
    const accountRows = await accountsByIds(accountIds);
    const mentionRows = await accountsByIris(mentionIris);
    const entities = new Map<string, AccountEntity>();
    for (const row of [...accountRows, ...mentionRows])
      if (!entities.has(row.id)) entities.set(row.id, await account(row, viewerIsPod));
    const byIri = new Map([...accountRows, ...mentionRows].map((row) => [row.iri, entities.get(row.id)!]));
    return rows.map((row) =>
      toStatus(row, {
        account: entities.get(row.accountId)!,
        inReplyTo: row.inReplyToIri && parentByIri.has(row.inReplyToIri) ? parentByIri.get(row.inReplyToIri)! : null,
        mentions: (JSON.parse(row.mentions) as string[])
          .map((iri) => byIri.get(iri))
          .filter((a): a is AccountEntity => a !== undefined),
        counts: counts.get(row.id)!,
        withSource: viewerIsPod && entities.get(row.accountId)!.acct === config.handle,
      }),
    );
  }

  return {
    account,
    status: async (row: Status) => (await statusList([row]))[0]!,
    statuses: statusList,

    async notifications(rows: (NotificationRow & { accountId: string; statusId: string | null })[]) {
      const accountRows = await accountsByIds([...new Set(rows.map((r) => r.accountId))]);
      const accountById = new Map<string, AccountEntity>();
      for (const row of accountRows) accountById.set(row.id, await account(row));
      const statusIds = rows.map((r) => r.statusId).filter((id): id is string => id !== null);
      const statusRows = await statusesByIds(statusIds);
      const statusById = new Map((await statusList(statusRows)).map((s) => [s.id, s]));
      return rows
        .filter((row) => accountById.has(row.accountId))
        .map((row) =>
          toNotification(
            row,
            accountById.get(row.accountId)!,
            row.statusId ? (statusById.get(row.statusId) ?? null) : null,
          ),
        );
    },

    relationship(row: Account) {
      if (row.local) return toRelationship(row.id, { following: null, followedBy: null });
      return toRelationship(row.id, {
        following: follows.getFollowing(row.iri)?.state ?? null,
        followedBy: follows.getFollower(row.iri)?.state ?? null,
        blocking: blocks.blocksAccount(row.iri),
        domainBlocking: blocks.blocksDomainOf(row.iri),
      });
    },
  };
}

export type Presenter = ReturnType<typeof presenter>;
