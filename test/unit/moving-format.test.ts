import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ArchiveRefused, decodeValue, encodeValue, isArchivablePath, type SqlValue } from "../../src/moving/format.ts";

/** A value through the archive: encoded, written as JSON, read back and decoded. */
const travel = (value: SqlValue) => decodeValue(JSON.parse(JSON.stringify(encodeValue(value))), "test");

describe("archive values", () => {
  it("every SQLite value comes back stored exactly as it was: integers of 64 bits, reals, text, blobs", () => {
    const db = new Database(":memory:");
    db.defaultSafeIntegers(true);
    db.exec("CREATE TABLE t (v)");
    const insert = db.prepare("INSERT INTO t (v) VALUES (?)");
    const read = db.prepare("SELECT v, typeof(v) AS type FROM t");
    const value = fc.oneof(
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      fc.double({ noNaN: true }),
      fc.string(),
      fc.uint8Array().map((bytes) => Buffer.from(bytes)),
      fc.constant(null),
    );
    fc.assert(
      fc.property(value, (v) => {
        db.exec("DELETE FROM t");
        insert.run(v);
        const original = read.get() as { v: SqlValue; type: string };
        db.exec("DELETE FROM t");
        insert.run(travel(original.v));
        expect(read.get()).toEqual(original);
      }),
      { numRuns: 500 },
    );
  });

  it("integers beyond 2^53 travel as tagged strings, never as rounded numbers", () => {
    expect(encodeValue(2n ** 53n + 1n)).toEqual({ $int: "9007199254740993" });
    expect(encodeValue(42n)).toBe(42);
    expect(encodeValue(Buffer.from("hi"))).toEqual({ $b64: "aGk=" });
  });

  it("anything else is refused: arrays, booleans, other objects, ints beyond 64 bits, bad base64", () => {
    for (const bad of [[1], true, { a: 1 }, { $int: "9223372036854775808" }, { $b64: "a?==" }, { $real: "NaN" }])
      expect(() => decodeValue(bad, "row")).toThrow(ArchiveRefused);
  });
});

describe("archive file paths", () => {
  it("plain relative names only", () => {
    for (const ok of ["web-form-key", "guides/0190a1b2.pdf", "media/avatar-1.png"])
      expect(isArchivablePath(ok)).toBe(true);
    for (const bad of ["", "/etc/passwd", "../x", "a/../b", "a/./b", ".hidden", "a//b", "a\\b", "pod.sqlite-wal", "a/"])
      expect(isArchivablePath(bad), bad).toBe(false);
  });

  it("no generated path with a dot segment, a backslash or a leading slash is accepted", () => {
    const segment = fc.oneof(fc.constantFrom(".", "..", "", "a", "b.c", "..a"), fc.string({ maxLength: 4 }));
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), (segments) => {
        const path = segments.join("/");
        if (isArchivablePath(path)) {
          expect(path.split("/").every((s) => s !== "" && !s.startsWith(".") && !s.includes("\\"))).toBe(true);
          expect(path.startsWith("/")).toBe(false);
        }
      }),
    );
  });
});
