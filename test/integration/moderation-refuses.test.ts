import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import { OTHER_PROCESSES_SEEN_WITHIN_MS } from "../../src/db/versions.ts";
import { createLogger } from "../../src/log/logger.ts";
import { canonicalIri, hostOf } from "../../src/moderation/domains.ts";
import { roomsOf } from "../../src/db/room-db.ts";
import { moderationStore } from "../../src/moderation/store.ts";
import { blockedAccounts } from "../../src/moderation/schema.ts";
import { openPod, type Pod } from "../../src/pod.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

/**
 * refuses() keeps its answers per IRI for the block lists it loaded: a block or unblock must count at the very
 * next question (the inbox asks for every delivery), and the answers must be the lists' own.
 */
describe("moderation refuses: answers kept per IRI follow every change of the blocks", () => {
  let dataDir: string;
  let pod: Pod;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "pod-refuses-"));
    const config = loadConfig({
      POD_URL: "http://127.0.0.1:9",
      DATA_DIR: dataDir,
      POD_NAME: "Pod refuses",
      POD_ALLOW_PRIVATE_ADDRESS: "true",
      LOG_LEVEL: "warn",
    });
    pod = await openPod(config, createLogger("warn", process.stderr));
  });
  afterAll(() => {
    pod.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  // What the request hook does before the inbox asks: the lists reload once the counter shows another's change.
  const otherProcessesSee = async () => {
    await new Promise((resolve) => setTimeout(resolve, OTHER_PROCESSES_SEEN_WITHIN_MS + 10));
    await pod.moderation.refresh();
  };
  const blockAccountRow = (actorIri: string) =>
    sqliteOf(pod)
      .db.insert(blockedAccounts)
      .values({ actorIri, handle: "", reason: "", createdAt: new Date().toISOString() })
      .run();

  it("a server blocked or unblocked is refused or heard at the next question, subdomains included", async () => {
    const actor = "https://spam.example/users/someone";
    const key = `${actor}#main-key`;
    const sub = "https://eu.spam.example/users/other";
    for (const iri of [actor, key, sub]) expect(pod.moderation.refuses(iri)).toBe(false);
    await pod.moderation.blockDomain("spam.example");
    for (const iri of [actor, key, sub]) expect(pod.moderation.refuses(iri)).toBe(true);
    expect(pod.moderation.refuses("https://antispam.example/users/someone")).toBe(false);
    await pod.moderation.unblockDomain("spam.example");
    for (const iri of [actor, key, sub]) expect(pod.moderation.refuses(iri)).toBe(false);
  });

  it("an account blocked or unblocked through the database (another process) counts once the counter is read", async () => {
    const actor = "https://social.example/users/troll";
    expect(pod.moderation.refuses(actor)).toBe(false);
    blockAccountRow(actor);
    await otherProcessesSee();
    expect(pod.moderation.refuses(actor)).toBe(true);
    expect(pod.moderation.refuses("https://social.example./users/troll")).toBe(true);
    expect(pod.moderation.refuses("https://social.example/users/friend")).toBe(false);
    expect(await pod.moderation.unblockAccount(actor)).toBe(true);
    expect(pod.moderation.refuses(actor)).toBe(false);
  });

  it("answers (asked twice: kept, then read back) are what the block lists say, for any IRI", async () => {
    await pod.moderation.blockDomain("blocked.example");
    await pod.moderation.blockDomain("deep.sub.example");
    for (const iri of ["https://acct.example/users/bad", "https://dot.example./users/x", "https://Case.example/U"]) {
      blockAccountRow(iri);
    }
    await otherProcessesSee();
    const store = moderationStore(roomsOf(pod.deps));
    const domains = (await store.listBlockedDomains()).map((row) => row.domain);
    const accounts = new Set((await store.listBlockedAccounts()).map((row) => canonicalIri(row.actorIri)));
    // The lists read as refuses() read them before it kept answers: each IRI parsed by canonicalIri and hostOf.
    const listsSay = (iri: string) => {
      if (accounts.has(canonicalIri(iri))) return true;
      const host = hostOf(iri);
      return host !== null && domains.some((domain) => host === domain || host.endsWith(`.${domain}`));
    };
    const hosts = [
      "blocked.example",
      "BLOCKED.example",
      "blocked.example.",
      "x.blocked.example",
      "notblocked.example",
      "deep.sub.example",
      "sub.example",
      "acct.example",
      "acct.example.",
      "dot.example",
      "dot.example.",
      "case.example",
      "127.0.0.1",
      "",
    ];
    const iri = fc.oneof(
      fc
        .tuple(
          fc.constantFrom("https://", "http://", "HTTPS://", "", "mailto:"),
          fc.constantFrom(...hosts),
          fc.constantFrom("", ":443", ":8443"),
          fc.constantFrom("", "/", "/users/bad", "/users/x", "/U", "/u", "/users/bad#main-key", "/users/bad?x"),
        )
        .map((parts) => parts.join("")),
      fc.string(),
    );
    fc.assert(
      fc.property(iri, (candidate) => {
        const said = listsSay(candidate);
        expect(pod.moderation.refuses(candidate)).toBe(said);
        expect(pod.moderation.refuses(candidate)).toBe(said);
      }),
      { numRuns: 3_000 },
    );
  });
});
