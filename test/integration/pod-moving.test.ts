import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/load.ts";
import type { Config } from "../../src/config/schema.ts";
import { createLogger } from "../../src/log/logger.ts";
import { exportPod } from "../../src/moving/export.ts";
import { ArchiveRefused } from "../../src/moving/format.ts";
import { importPod } from "../../src/moving/import.ts";
import { journal } from "../../src/moving/schema-version.ts";
import { offerInputSchema } from "../../src/offers/model.ts";
import { openPod } from "../../src/pod.ts";
import { databaseContent, readArchive, rewriteArchive, treeOf, writeArchive } from "../support/pod-archive.ts";
import { sqliteOf } from "../support/sqlite-of.ts";

const URL_A = "http://127.0.0.1:39101";
const PDF = Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(200_000, 7)]);
const FOLLOWER = "http://127.0.0.1:39999/users/carol";

describe("export and import of a pod's data directory", { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "pod-moving-"));
  const source = join(root, "a");
  const archive = join(root, "a.pod.gz");
  const guide = `guides/${randomUUID()}.pdf`;
  let dirs = 0;
  const configFor = (dataDir: string, url = URL_A): Config =>
    loadConfig({ POD_URL: url, DATA_DIR: dataDir, LOG_LEVEL: "warn" });
  const freshDir = () => join(root, `b${++dirs}`);

  beforeAll(async () => {
    const config = configFor(source);
    const pod = await openPod(config, createLogger("warn", process.stderr));
    for (const name of ["Apples", "Pears", "Plums"]) {
      const input = offerInputSchema.parse({
        name,
        quantity: "2.5",
        unit: "kg",
        category: "food",
        area: { name: "Riverside", latitude: 40.4168, longitude: -3.7038 },
      });
      await pod.offers.create("offer", input);
    }
    // A memory entry: its words go in the full-text index too (a virtual table with shadow tables).
    await pod.memory.create({ kind: "lesson", title: "Lentils keep", summary: "Dry and dark, they keep a year." });
    sqliteOf(pod)
      .sqlite.prepare(
        "INSERT INTO followers (actor_iri, follow_iri, inbox, state, kind, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      )
      .run(FOLLOWER, `${FOLLOWER}#follow`, `${FOLLOWER}/inbox`, "accepted", "social", new Date().toISOString());
    // The last outbox entry removed: its number must not be handed out again after the move.
    sqliteOf(pod).sqlite.exec("DELETE FROM outbox_activities WHERE seq = (SELECT max(seq) FROM outbox_activities)");
    pod.close();
    mkdirSync(join(source, "guides"));
    writeFileSync(join(source, guide), PDF, { mode: 0o644 });
    writeFileSync(join(source, "web-form-key"), "secret-form-key", { mode: 0o600 });
    writeFileSync(join(source, "guides", ".partial-upload"), "half");
    symlinkSync("/etc/hostname", join(source, "elsewhere"));
    await exportPod(config, archive);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Imports, expecting a refusal naming `message`, and checks nothing was left in the data directory. */
  async function refused(file: string, message: RegExp, dataDir = freshDir(), url = URL_A) {
    const before = treeOf(dataDir);
    const error = await importPod(configFor(dataDir, url), file, { moveUrl: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveRefused);
    expect((error as Error).message).toMatch(message);
    expect(treeOf(dataDir)).toEqual(before);
    expect(Object.prototype).not.toHaveProperty("polluted");
  }

  it("the archive is private (0600), complete, and says what it holds in its manifest", () => {
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    expect(existsSync(`${archive}.partial`)).toBe(false);
    const lines = readArchive(archive).map((line) => JSON.parse(line));
    const { manifest } = lines[0];
    expect(manifest).toMatchObject({ format: "pods-archive", version: 1, url: URL_A, files: { count: 2 } });
    expect(manifest.schema).toBe(journal().at(-1)!.tag);
    expect(manifest.tables.find((t: { name: string }) => t.name === "offers").rows).toBe(3);
    expect(manifest.sequences.outbox_activities).toBeGreaterThan(0);
    // Parents before children: an offer's outbox entries refer to it.
    const order = manifest.tables.map((t: { name: string }) => t.name);
    expect(order.indexOf("offers")).toBeLessThan(order.indexOf("outbox_activities"));
    expect(lines.filter((l) => l.file).map((l) => l.file.path)).toEqual([guide, "web-form-key"]);
    expect(Object.keys(lines.at(-1))).toEqual(["end"]);
  });

  it("imported into a new data directory, every row, id counter and file is the same", async () => {
    const target = freshDir();
    const summary = await importPod(configFor(target), archive, { moveUrl: false });
    expect(summary).toMatchObject({ url: URL_A, files: 2 });
    // Only the pod: no staging folder, no WAL, nothing that was left out of the archive.
    expect(treeOf(target)).toEqual(["/guides", `/${guide}`, "/pod.sqlite", "/web-form-key"]);
    expect(databaseContent(join(target, "pod.sqlite"))).toEqual(databaseContent(join(source, "pod.sqlite")));
    expect(readFileSync(join(target, guide)).equals(PDF)).toBe(true);
    expect(readFileSync(join(target, "web-form-key"), "utf8")).toBe("secret-form-key");
    expect(statSync(join(target, "web-form-key")).mode & 0o777).toBe(0o600);
    // The search finds the entry: the index was filled from the rows the archive carried.
    const search = new Database(join(target, "pod.sqlite"), { readonly: true });
    expect(search.prepare("SELECT title FROM memory_search WHERE memory_search MATCH 'lentils'").all()).toEqual([
      { title: "Lentils keep" },
    ]);
    search.close();
    // And it opens as a pod at the same address, with the same keys.
    const pod = await openPod(configFor(target), createLogger("warn", process.stderr), { create: false });
    expect((await pod.offers.list("offer", { limit: 10 } as never)).map((o) => o.name).sort()).toEqual([
      "Apples",
      "Pears",
      "Plums",
    ]);
    pod.close();
  });

  it("a pod already in the data directory is refused and left as it was", async () => {
    const target = freshDir();
    await importPod(configFor(target), archive, { moveUrl: false });
    const before = databaseContent(join(target, "pod.sqlite"));
    await refused(archive, /already has a pod/, target);
    expect(databaseContent(join(target, "pod.sqlite"))).toEqual(before);
  });

  it("another POD_URL is refused; with --move-url the pod records its new address", async () => {
    await refused(
      archive,
      /not at POD_URL http:\/\/127\.0\.0\.1:39102.*--move-url/,
      freshDir(),
      "http://127.0.0.1:39102",
    );
    const target = freshDir();
    await importPod(configFor(target, "http://127.0.0.1:39102"), archive, { moveUrl: true });
    const db = new Database(join(target, "pod.sqlite"), { readonly: true });
    expect(db.prepare("SELECT value FROM kv_entries WHERE key = ?").get('["pod","url"]')).toEqual({
      value: JSON.stringify("http://127.0.0.1:39102"),
    });
    db.close();
  });

  it("a column the archive lacks takes its default", async () => {
    const older = join(root, "lacking.pod.gz");
    rewriteArchive(archive, older, (lines) =>
      lines.map((line) =>
        line.includes(FOLLOWER) && line.startsWith('{"t":"followers"') ? line.replace(',"kind":"social"', "") : line,
      ),
    );
    const target = freshDir();
    await importPod(configFor(target), older, { moveUrl: false });
    const db = new Database(join(target, "pod.sqlite"), { readonly: true });
    expect(db.prepare("SELECT kind FROM followers WHERE actor_iri = ?").get(FOLLOWER)).toEqual({ kind: "unknown" });
    db.close();
  });

  it("a row the schema refuses (a required column missing, a duplicate key) is refused", async () => {
    const rows = (table: string, change: (lines: string[]) => string[]) => (lines: string[]) => {
      const first = JSON.parse(lines[0]!);
      first.manifest.tables.find((t: { name: string }) => t.name === table).rows += 1;
      return change([JSON.stringify(first), ...lines.slice(1)]);
    };
    const missing = join(root, "missing.pod.gz");
    rewriteArchive(
      archive,
      missing,
      rows("offers", (lines) => [...lines.slice(0, 2), '{"t":"offers","r":{"id":"x"}}', ...lines.slice(2)]),
    );
    await refused(missing, /line 3: a offers row this schema refuses \(NOT NULL/);
    const twice = join(root, "twice.pod.gz");
    rewriteArchive(
      archive,
      twice,
      rows("followers", (lines) => {
        const follower = lines.find((line) => line.startsWith('{"t":"followers"'))!;
        return lines.flatMap((line) => (line === follower ? [line, line] : [line]));
      }),
    );
    await refused(twice, /a followers row this schema refuses \(UNIQUE/);
  });

  it("an archive from an older schema is loaded under it, then migrated like the pod would be", async () => {
    const older = join(root, "older.pod.gz");
    const previous = "0032_assembly_public_minutes";
    // 0033 added the timer leases and three change counters, 0034 the queue's claim token, 0035 the rate limit
    // hits, 0036 the categories' change counter, 0037 the follows' one, 0038 the guides' one, 0040 the posts'
    // deletions: an archive from before has none of them.
    const addedTables = ["timer_leases", "rate_limit_hits", "status_deletions"];
    const addedRow = (line: string) => {
      const row = JSON.parse(line) as { t?: string; r?: { name?: string } };
      if (addedTables.includes(row.t ?? "")) return true;
      const counters = ["actor", "settings", "moderation", "categories", "follows", "guides"];
      return row.t === "document_versions" && counters.includes(row.r?.name ?? "");
    };
    const withoutClaimToken = (line: string) => {
      const row = JSON.parse(line) as { t?: string; r?: Record<string, unknown> };
      if (row.t !== "queue_messages" || row.r == null) return line;
      delete row.r.claim_token;
      return JSON.stringify(row);
    };
    rewriteArchive(archive, older, (lines) => {
      const first = JSON.parse(lines[0]!);
      first.manifest.schema = previous;
      first.manifest.tables = first.manifest.tables.filter((t: { name: string }) => !addedTables.includes(t.name));
      const queue = first.manifest.tables.find((t: { name: string }) => t.name === "queue_messages");
      queue.columns = queue.columns.filter((c: { name: string }) => c.name !== "claim_token");
      const rows = lines
        .slice(1)
        .filter((line) => !addedRow(line))
        .map(withoutClaimToken);
      const versions = first.manifest.tables.find((t: { name: string }) => t.name === "document_versions");
      versions.rows = rows.filter((line) => line.startsWith('{"t":"document_versions"')).length;
      return [JSON.stringify(first), ...rows];
    });
    const target = freshDir();
    const summary = await importPod(configFor(target), older, { moveUrl: false });
    expect(summary).toMatchObject({ archiveSchema: previous, schema: journal().at(-1)!.tag });
    expect(databaseContent(join(target, "pod.sqlite")).offers).toEqual(
      databaseContent(join(source, "pod.sqlite")).offers,
    );
  });

  it("an archive from a newer schema is refused with what to do", async () => {
    const newer = join(root, "newer.pod.gz");
    rewriteArchive(archive, newer, (lines) => [
      lines[0]!.replace(/"schema":"[^"]+"/, '"schema":"0099_future"'),
      ...lines.slice(1),
    ]);
    await refused(newer, /newer \(or another\) version of Pods.*Update this pod's code/);
  });

  it("a truncated archive is refused, cut in the gzip data or at a line", async () => {
    const cut = join(root, "cut.pod.gz");
    writeFileSync(cut, readFileSync(archive));
    truncateSync(cut, Math.floor(statSync(cut).size / 2));
    await refused(cut, /cut short/);
    const noEnd = join(root, "no-end.pod.gz");
    const { gzipSync } = await import("node:zlib");
    writeFileSync(noEnd, gzipSync(`${readArchive(archive).slice(0, -1).join("\n")}\n`));
    await refused(noEnd, /cut short \(it has no closing line\)/);
  });

  it("a changed byte is refused by the checksum", async () => {
    const changed = join(root, "changed.pod.gz");
    const lines = readArchive(archive);
    const { gzipSync } = await import("node:zlib");
    writeFileSync(
      changed,
      gzipSync(
        `${lines
          .map((l) => `${l}\n`)
          .join("")
          .replace("Apples", "Apricot")}`,
      ),
    );
    await refused(changed, /checksum does not match/);
  });

  it("a line that is not JSON, or too long, is refused", async () => {
    const bad = join(root, "bad-json.pod.gz");
    rewriteArchive(archive, bad, (lines) => [lines[0]!, '{"t":"offers","r":{', ...lines.slice(1)]);
    await refused(bad, /line 2 is not JSON/);
    const huge = join(root, "huge.pod.gz");
    rewriteArchive(archive, huge, (lines) => [
      lines[0]!,
      `{"t":"offers","r":{"name":"${"a".repeat(17 * 1024 * 1024)}"}}`,
    ]);
    await refused(huge, /longer than 16777216 bytes/);
  });

  it("__proto__ keys in a row or the manifest pollute nothing and are refused", async () => {
    const proto = join(root, "proto.pod.gz");
    rewriteArchive(archive, proto, (lines) => [
      lines[0]!,
      '{"t":"offers","r":{"__proto__":{"polluted":true},"id":"x"}}',
      ...lines.slice(1),
    ]);
    await refused(proto, /column "__proto__" is not in table offers/);
    const protoTable = join(root, "proto-table.pod.gz");
    rewriteArchive(archive, protoTable, (lines) => [
      lines[0]!.replace('"sequences":{', '"sequences":{"__proto__":{"polluted":true},'),
      ...lines.slice(1),
    ]);
    await refused(protoTable, /manifest: sequences\.__proto__/);
  });

  it("a table or column that is not this pod's is refused", async () => {
    const table = join(root, "table.pod.gz");
    rewriteArchive(archive, table, (lines) => {
      const first = JSON.parse(lines[0]!);
      first.manifest.tables.push({ name: "sqlite_master", columns: [{ name: "sql", type: "text" }], rows: 1 });
      return [JSON.stringify(first), ...lines.slice(1), '{"t":"sqlite_master","r":{"sql":"x"}}'];
    });
    await refused(table, /table "sqlite_master" is not one of this pod's tables/);
    const column = join(root, "column.pod.gz");
    rewriteArchive(archive, column, (lines) =>
      lines.map((line) =>
        line.startsWith('{"t":"followers"') ? line.replace('"kind":', '"is_admin":1,"kind":') : line,
      ),
    );
    await refused(column, /column "is_admin" is not in table followers/);
  });

  it("file paths that reach outside the data directory, or hide, are refused", async () => {
    for (const path of ["../escaped", "/tmp/escaped", "guides/../../escaped", ".hidden", "guides//x", "pod.sqlite"]) {
      const evil = join(root, "evil.pod.gz");
      rewriteArchive(archive, evil, (lines) =>
        lines.map((line) => line.replace(`"path":"${guide}"`, `"path":${JSON.stringify(path)}`)),
      );
      await refused(evil, /is not a plain relative path/);
    }
    expect(existsSync(join(root, "escaped"))).toBe(false);
  });

  it("a file whose bytes do not match its SHA-256 is refused", async () => {
    const wrong = join(root, "wrong-file.pod.gz");
    rewriteArchive(archive, wrong, (lines) =>
      lines.map((line) => (line.startsWith('{"fileEnd"') ? line.replace(/"sha256":"./, '"sha256":"0') : line)),
    );
    // Both files' digests start anew with 0: at least one no longer matches.
    await refused(wrong, /does not match its SHA-256/);
  });

  it("a file of the archive already in the data directory: refused, and what was placed before it is taken back", async () => {
    const target = freshDir();
    mkdirSync(target);
    writeFileSync(join(target, "web-form-key"), "another pod's key");
    // The guide comes first: its folder and file were linked in before the form key was found in the way.
    await refused(archive, /DATA_DIR already has web-form-key/, target);
    expect(readFileSync(join(target, "web-form-key"), "utf8")).toBe("another pod's key");
  });

  it("a folder in the data directory that is a symbolic link is not written through", async () => {
    const target = freshDir();
    const outside = join(root, "outside");
    mkdirSync(target);
    mkdirSync(outside);
    symlinkSync(outside, join(target, "guides"));
    await refused(archive, /where the archive has a folder/, target);
    expect(treeOf(outside)).toEqual([]);
  });

  it("rows whose references lead nowhere are refused by the foreign key check", async () => {
    const orphan = join(root, "orphan.pod.gz");
    rewriteArchive(archive, orphan, (lines) => {
      // The Mastodon API's statuses (the pod's own offers among them) belong to accounts.
      const accounts = lines.filter((line) => line.startsWith('{"t":"accounts"'));
      const first = JSON.parse(lines[0]!);
      first.manifest.tables.find((t: { name: string }) => t.name === "accounts").rows -= accounts.length;
      return [JSON.stringify(first), ...lines.slice(1).filter((line) => !accounts.includes(line))];
    });
    await refused(orphan, /rows refer to rows the archive does not have/);
  });

  it("counts that differ from the manifest's, and data after the closing line, are refused", async () => {
    const fewer = join(root, "fewer.pod.gz");
    rewriteArchive(archive, fewer, (lines) => lines.filter((line) => !line.startsWith('{"t":"kv_entries"')));
    await refused(fewer, /table kv_entries: the manifest announces \d+ rows, 0 arrived/);
    const after = join(root, "after.pod.gz");
    const { gzipSync } = await import("node:zlib");
    writeFileSync(after, Buffer.concat([readFileSync(archive), gzipSync('{"t":"offers","r":{"id":"x"}}\n')]));
    await refused(after, /data after the archive's closing line/);
  });

  it("something that is not an archive is refused", async () => {
    const text = join(root, "text.pod.gz");
    writeFileSync(text, "hello\n");
    await refused(text, /not gzip data/);
    const empty = join(root, "empty.pod.gz");
    writeArchive(empty, []);
    await refused(empty, /not a pod archive/);
  });

  it("any line, or any manifest field, replaced by arbitrary JSON: refused (nothing written) or imported", async () => {
    const lines = readArchive(archive).slice(0, -1);
    const manifest = JSON.parse(lines[0]!).manifest as Record<string, unknown>;
    const fuzzed = join(root, "fuzzed.pod.gz");
    const change = fc.oneof(
      fc.record({ line: fc.nat({ max: lines.length - 1 }), value: fc.jsonValue() }),
      fc.record({ field: fc.constantFrom(...Object.keys(manifest)), value: fc.jsonValue() }),
    );
    await fc.assert(
      fc.asyncProperty(change, async (c) => {
        const changed = [...lines];
        if ("line" in c) changed[c.line] = JSON.stringify(c.value);
        else changed[0] = JSON.stringify({ manifest: { ...manifest, [c.field]: c.value } });
        writeArchive(fuzzed, changed);
        const dataDir = freshDir();
        const outcome = await importPod(configFor(dataDir), fuzzed, { moveUrl: false }).catch((e: unknown) => e);
        if (outcome instanceof Error) {
          expect(outcome).toBeInstanceOf(ArchiveRefused);
          expect(existsSync(dataDir)).toBe(false);
        }
        rmSync(dataDir, { recursive: true, force: true });
      }),
      { numRuns: 40 },
    );
    expect(Object.prototype).not.toHaveProperty("polluted");
  });
});
