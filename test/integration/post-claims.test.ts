import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receivedActivities } from "../../src/confederation/schema.ts";
import { kvEntries } from "../../src/federation/schema.ts";
import { accounts, statuses } from "../../src/social/schema.ts";
import { startInProcessPod, type InProcessPod } from "../support/in-process-pod.ts";
import {
  postRaw,
  sameServerAccount,
  signMastodonStyle,
  startRemoteActor,
  type RemoteActor,
} from "../support/remote-actor.ts";
import { mastodonGet, operatorAppToken } from "../support/oauth-consent.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

/**
 * Who holds a post: two accounts on one server may both send a post with the same id; the pod keeps it for the
 * account the id, fetched from its server, names as its author. And a known author's profile a day old is
 * fetched again before a post of theirs is kept.
 */
describe("whose post it is", () => {
  let server: InProcessPod;
  let alice: RemoteActor;
  let mallory: RemoteActor;
  /** What each post's id answers when the pod fetches it (a 404 when absent). */
  const served = new Map<string, unknown>();
  let actorDown = false;
  /** Runs when the pod asks alice's server for this URL, before it answers (once). */
  const onGet = new Map<string, () => Promise<unknown>>();
  let n = 0;

  beforeAll(async () => {
    server = await startInProcessPod();
    // Mallory is another account on alice's server: the same origin, a key of her own.
    const malloryAccount = sameServerAccount("mallory");
    alice = await startRemoteActor("alice", {
      serve: (url) => malloryAccount.serves(url) ?? served.get(url.href),
      failGet: (url) => (actorDown && url.pathname === "/users/alice" ? 503 : undefined),
      beforeGet: async (url) => {
        const landing = onGet.get(url.href);
        onGet.delete(url.href);
        await landing?.();
      },
    });
    mallory = malloryAccount.on(alice);
  });
  afterAll(async () => {
    await server?.close();
    await alice?.close();
  });

  /** A Create of a post mentioning the pod, with the id `id`, sent and attributed to `actorId`. */
  const create = (actorId: string, id: string) => {
    const pod = server.actorUrl;
    const to = ["https://www.w3.org/ns/activitystreams#Public"];
    const note = {
      id,
      type: "Note",
      attributedTo: actorId,
      published: "2025-09-01T10:00:00Z",
      to,
      cc: [pod],
      tag: [{ type: "Mention", href: pod, name: "@pod" }],
      content: `<p>@pod apples (${++n})</p>`,
    };
    return {
      note,
      activity: {
        "@context": "https://www.w3.org/ns/activitystreams",
        id: `${id}/activity/${n}`,
        type: "Create",
        actor: actorId,
        published: "2025-09-01T10:00:00Z",
        to,
        cc: [pod],
        object: note,
      },
    };
  };
  const deliver = async (sender: { keyId: string; privateKeyPem: string }, activity: unknown) =>
    (await postRaw(await signMastodonStyle(sender, `${server.url}/inbox`, activity))).status;
  const db = () => sqliteOf(server.pod).db;
  const holderOf = (iri: string) =>
    db()
      .select({ actor: accounts.iri })
      .from(statuses)
      .innerJoin(accounts, eq(accounts.id, statuses.accountId))
      .where(eq(statuses.iri, iri))
      .all();
  const recorded = (activityIri: string) =>
    db().select().from(receivedActivities).where(eq(receivedActivities.activityIri, activityIri)).all().length;
  const idFetches = (iri: string) => alice.gets.filter((get) => `${alice.origin}${get.url}` === iri).length;

  it("goes to the account its id, fetched, names as the author, though another account on its server took it first", async () => {
    const id = `${alice.origin}/users/alice/statuses/${++n}`;
    const first = create(mallory.actorId, id);
    expect(await deliver(mallory, first.activity)).toBe(202);
    expect(holderOf(id)).toEqual([{ actor: mallory.actorId }]);

    const claim = create(alice.actorId, id);
    served.set(id, { "@context": "https://www.w3.org/ns/activitystreams", ...claim.note });
    expect(await deliver(alice, claim.activity)).toBe(202);
    expect(holderOf(id)).toEqual([{ actor: alice.actorId }]);
    expect(idFetches(id)).toBe(1);
    expect(recorded(first.activity.id)).toBe(1);
    expect(recorded(claim.activity.id)).toBe(1);
    // Delivered again, it is alice's already: nothing is fetched.
    expect(await deliver(alice, { ...claim.activity, id: `${claim.activity.id}/again` })).toBe(202);
    expect(idFetches(id)).toBe(1);
  });

  it("stays with the account that took it when the id, fetched, names another author or is not found", async () => {
    for (const answer of ["mallory's", "not found"] as const) {
      const id = `${alice.origin}/users/alice/statuses/${++n}`;
      expect(await deliver(mallory, create(mallory.actorId, id).activity)).toBe(202);
      if (answer === "mallory's")
        served.set(id, { "@context": "https://www.w3.org/ns/activitystreams", ...create(mallory.actorId, id).note });
      const claim = create(alice.actorId, id);
      expect(await deliver(alice, claim.activity)).toBe(202);
      expect(holderOf(id), answer).toEqual([{ actor: mallory.actorId }]);
      expect(idFetches(id), answer).toBe(1);
      // The delivery is still recorded as received, once.
      expect(recorded(claim.activity.id), answer).toBe(1);
    }
  });

  it("found by search, goes to the account its id names as the author, and the other account's copy goes", async () => {
    const id = `${alice.origin}/users/alice/statuses/${++n}`;
    expect(await deliver(mallory, create(mallory.actorId, id).activity)).toBe(202);
    const alices = { "@context": "https://www.w3.org/ns/activitystreams", ...create(alice.actorId, id).note };
    served.set(id, alices);
    // Searched by another address of the post (the pod holds none by that one), which answers with its id.
    const address = `${id}?shared=1`;
    served.set(address, alices);
    const token = await operatorAppToken(server.url);
    const found = await mastodonGet(server.url, token, `/api/v2/search?resolve=true&q=${encodeURIComponent(address)}`);
    expect(found.status).toBe(200);
    expect(found.body.statuses.map((status: { uri: string }) => status.uri)).toEqual([id]);
    expect(holderOf(id)).toEqual([{ actor: alice.actorId }]);
  });

  it("stays with the account that took it when its author is blocked while the id is fetched: the claim goes whole or not at all", async () => {
    const id = `${alice.origin}/users/alice/statuses/${++n}`;
    expect(await deliver(mallory, create(mallory.actorId, id).activity)).toBe(202);
    const claim = create(alice.actorId, id);
    served.set(id, { "@context": "https://www.w3.org/ns/activitystreams", ...claim.note });
    onGet.set(id, () => server.pod.moderation.blockAccount(alice.actorId));
    try {
      expect(await deliver(alice, claim.activity)).toBe(202);
      expect(onGet.has(id)).toBe(false);
      expect(holderOf(id)).toEqual([{ actor: mallory.actorId }]);
      expect(recorded(claim.activity.id)).toBe(1);
    } finally {
      await server.pod.moderation.unblockAccount(alice.actorId);
    }
  });

  it("fetches a known author's profile again when it is a day old, and keeps the post even if that fetch fails", async () => {
    const dayOld = new Date(Date.now() - 25 * 60 * 60 * 1000).toISOString();
    const makeStale = () => {
      db().update(accounts).set({ fetchedAt: dayOld }).where(eq(accounts.iri, alice.actorId)).run();
      // Fedify keeps fetched documents a while: the profile is asked of alice's server, not of that cache.
      db()
        .delete(kvEntries)
        .where(like(kvEntries.key, `%${alice.origin}%`))
        .run();
    };
    const fetchedAt = () => db().select().from(accounts).where(eq(accounts.iri, alice.actorId)).all()[0]!.fetchedAt;
    const profileFetches = () => alice.gets.filter((get) => get.url === "/users/alice").length;

    expect(await deliver(alice, create(alice.actorId, `${alice.origin}/users/alice/statuses/${++n}`).activity)).toBe(
      202,
    );
    makeStale();
    const before = profileFetches();
    const stale = create(alice.actorId, `${alice.origin}/users/alice/statuses/${++n}`);
    expect(await deliver(alice, stale.activity)).toBe(202);
    expect(profileFetches()).toBe(before + 1);
    expect(holderOf(stale.note.id)).toEqual([{ actor: alice.actorId }]);
    expect(Date.parse(fetchedAt())).toBeGreaterThan(Date.parse(dayOld));

    makeStale();
    actorDown = true;
    try {
      const unreachable = create(alice.actorId, `${alice.origin}/users/alice/statuses/${++n}`);
      expect(await deliver(alice, unreachable.activity)).toBe(202);
      expect(profileFetches()).toBe(before + 2);
      expect(holderOf(unreachable.note.id)).toEqual([{ actor: alice.actorId }]);
      expect(fetchedAt()).toBe(dayOld);
    } finally {
      actorDown = false;
    }
  });
});
