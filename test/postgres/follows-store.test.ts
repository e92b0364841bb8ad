/** The follows room on PostgreSQL: the suite test/integration/follows-store.test.ts runs on SQLite. */
import { describe, expect, it } from "vitest";
import { postgresVersionReader } from "../../src/db/versions-postgres.ts";
import { followsCopy } from "../../src/follows/copy.ts";
import { followsStore } from "../../src/follows/store.ts";
import { describeFollowsContract } from "../support/follows-contract.ts";
import { postgresUnavailable } from "../support/postgres.ts";
import { postgresRoomsForFile } from "../support/room-databases.ts";

const skip = postgresUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip != null)("the follows on PostgreSQL", () => {
  const { rooms, pool } = postgresRoomsForFile();
  // The pool's connections are the writers at once (node-postgres runs each write on a connection of its own).
  describeFollowsContract("PostgreSQL", rooms);

  it("another process's changes reach the copy through the trigger-kept counters", async () => {
    const versions = {
      following: await postgresVersionReader(pool(), "follows", 10),
      followers: await postgresVersionReader(pool(), "nodeinfo", 10),
    };
    const copy = followsCopy(rooms(), versions, () => {});
    await copy.load();
    const iri = "https://counter.example/users/pod";
    const address = { actorIri: iri, handle: null, inbox: `${iri}/inbox`, sharedInbox: null };
    const at = new Date();
    const store = followsStore(rooms());
    await rooms().write((db) => store.recordFollowingWithin(db, address, `${iri}#f`, at));
    await store.answerFollowing(iri, "accepted", at);
    await rooms().write((db) => store.recordFollowerWithin(db, address, `${iri}#g`, "accepted", at, "pod"));
    // Requests arriving every 20 ms (bounded): the counters are polled in the background.
    for (let i = 0; i < 100 && !(await copy.followsAccepted(iri)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await copy.followsAccepted(iri)).toBe(true);
    for (let i = 0; i < 100 && copy.getFollower(iri) === undefined; i++) {
      await copy.refresh();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(copy.getFollower(iri)?.kind).toBe("pod");
  });
});
