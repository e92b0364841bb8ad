import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { practiceRecord } from "../../src/confederation/from-as.ts";
import { pruneUnlisted, upsertViewObject } from "../../src/confederation/store.ts";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";

const POD = "https://a.example/users/pod";
const practice = (id: string) =>
  practiceRecord(
    {
      iri: `https://a.example/practices/${id}`,
      name: `Practice ${id}`,
      summary: "gist",
      content: "<p>body</p>",
      url: null,
      startTime: null,
      endTime: null,
      published: "2026-11-01T00:00:00.000Z",
      updated: null,
      tags: [],
      adaptedFrom: null,
    },
    POD,
  );

/** A backfill's prune judges only what was in the view before its read of the neighbor's streams began. */
describe("pruning after a backfill", () => {
  let dir: string;
  let handle: DatabaseHandle;
  afterEach(() => {
    handle?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps an object delivered to the inbox while the streams were being read", () => {
    dir = mkdtempSync(join(tmpdir(), "prune-"));
    handle = openMigratedDatabase(join(dir, "pod.sqlite"));
    const readBegan = new Date("2026-11-29T12:00:00.000Z");
    upsertViewObject(handle.db, practice("old"), { viaIri: POD, at: new Date(readBegan.getTime() - 60_000) });
    // Published and delivered after the backfill fetched a stream page that did not list it yet.
    upsertViewObject(handle.db, practice("new"), { viaIri: POD, at: new Date(readBegan.getTime() + 1_000) });
    expect(pruneUnlisted(handle.db, POD, new Set(), ["practice"], readBegan)).toBe(1);
    const left = handle.sqlite.prepare("SELECT iri FROM view_objects").all() as { iri: string }[];
    expect(left.map((row) => row.iri)).toEqual(["https://a.example/practices/new"]);
  });
});
