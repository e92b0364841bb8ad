/**
 * A followed pod's monthly report on the inbox's report path, with the real converter's JSON and a real SQLite
 * file: an honest report is stored; a month that has not begun, or a unit that is a spreadsheet formula, is not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openMigratedDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import type { PodDeps } from "../../src/federation/deps.ts";
import { followsWriters } from "../support/follows.ts";
import { reportInbox } from "../../src/sovereignty/from-as.ts";
import { sovereigntyNeighborFigures } from "../../src/sovereignty/schema.ts";
import { reportActivities } from "../../src/sovereignty/to-as.ts";
import { converterContext, type ConverterContext } from "../support/converter-context.ts";
import { reportRow } from "../support/report-row.ts";
import { sqliteRoomDb } from "../../src/db/room-db-sqlite.ts";

const POD = "https://pod.example/users/pod";
const slug = (iri: string) => iri.split("/").pop();

describe("neighbors' reports on the inbox", () => {
  let env: ConverterContext;
  let dir: string;
  let database: DatabaseHandle;
  let handle: ReturnType<typeof reportInbox>;

  beforeAll(async () => {
    env = await converterContext();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "sov-inbox-"));
    database = openMigratedDatabase(join(dir, "pod.sqlite"));
    const now = new Date("2026-11-10T10:00:00Z");
    const rooms = sqliteRoomDb(database.sqlite);
    const writers = followsWriters(rooms);
    await writers.recordFollowing({ actorIri: POD, handle: null, inbox: `${POD}/inbox`, sharedInbox: null }, "f", now);
    await writers.answerFollowing(POD, "accepted", now);
    const deps: PodDeps = { rooms, config: env.config, log: pino({ level: "silent" }), now: () => now };
    handle = reportInbox(deps, () => false);
  });
  afterEach(() => {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(edit: (json: Record<string, unknown>) => void = () => {}) {
    const [forPods] = reportActivities(env.ctx, env.config, reportRow(), new Date("2026-11-02T10:00:00Z"));
    const json = (await forPods!.activity.toJsonLd()) as Record<string, unknown>;
    edit(json);
    expect(await handle({ activity: json, actorIri: POD } as never)).toBe(true);
    return database.db.select().from(sovereigntyNeighborFigures).all();
  }
  const attachments = (json: Record<string, unknown>) =>
    (json.object as { attachment: Record<string, unknown>[] }).attachment;

  it("stores an honest report's figures", async () => {
    const stored = await send();
    // The evictions figure is under the threshold: "fewer than 3", no number and no unit.
    expect(stored.map((f) => [f.month, slug(f.metricIri), f.unit])).toEqual([
      ["2026-10", "meals-prepared", "meal"],
      ["2026-10", "evictions-prevented", ""],
    ]);
  });

  it("drops a report for a month that has not begun", async () => {
    const stored = await send((json) => {
      for (const item of attachments(json)) {
        if (item.type === "PropertyValue") item.value = "9999-12";
        if (item.type === "EconomicEvent") item.period = "9999-12";
      }
    });
    expect(stored).toEqual([]);
  });

  it("drops a figure whose unit is a spreadsheet formula", async () => {
    const stored = await send((json) => {
      const meals = attachments(json).find((item) => item.type === "EconomicEvent")!;
      (meals.resourceQuantity as Record<string, unknown>).hasUnit = '=HYPERLINK("https://evil.example","meal")';
    });
    expect(stored.map((f) => slug(f.metricIri))).toEqual(["evictions-prevented"]);
  });
});
