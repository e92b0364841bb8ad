/** The follows room on SQLite: the suite test/postgres/follows-store.test.ts runs on PostgreSQL. */
import { afterAll, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";
import { versionReader } from "../../src/db/versions.ts";
import { followsCopy } from "../../src/follows/copy.ts";
import { followsStore } from "../../src/follows/store.ts";
import { describeFollowsContract } from "../support/follows-contract.ts";
import { sqliteRoomsForFile } from "../support/room-databases.ts";

describe("the follows on SQLite", () => {
  const { rooms, handle } = sqliteRoomsForFile();
  // A second connection to the same file: another process of the pod (or the CLI) writing at the same time.
  let second: DatabaseHandle | undefined;
  const other = () => {
    second ??= openMigratedDatabase(handle().sqlite.name);
    return sqliteRoomDb(second.sqlite);
  };
  afterAll(() => second?.close());
  describeFollowsContract("SQLite", rooms, other);

  it("another connection's changes reach the copy through the trigger-kept counters", async () => {
    const sqlite = handle().sqlite;
    const versions = {
      following: versionReader(sqlite, "follows", 0),
      followers: versionReader(sqlite, "nodeinfo", 0),
    };
    const copy = followsCopy(rooms(), versions, () => {});
    await copy.load();
    const iri = "https://counter.example/users/pod";
    const address = { actorIri: iri, handle: null, inbox: `${iri}/inbox`, sharedInbox: null };
    const at = new Date();
    const elsewhere = followsStore(other());
    await other().write((db) => elsewhere.recordFollowingWithin(db, address, `${iri}#f`, at));
    await elsewhere.answerFollowing(iri, "accepted", at);
    await other().write((db) => elsewhere.recordFollowerWithin(db, address, `${iri}#g`, "accepted", at, "pod"));
    expect(await copy.followsAccepted(iri)).toBe(true);
    await copy.refresh();
    expect(copy.getFollower(iri)?.kind).toBe("pod");
  });
});
