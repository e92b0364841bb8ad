import { describe, expect, it } from "vitest";
import { isPostgresUrl, openPostgresPool } from "../../src/db/postgres.ts";

describe("DATABASE_URL for PostgreSQL", () => {
  it("recognises postgres:// and postgresql:// URLs only", () => {
    expect(isPostgresUrl("postgres://pods@db:5432/pods")).toBe(true);
    expect(isPostgresUrl("postgresql://pods@db/pods")).toBe(true);
    expect(isPostgresUrl("/var/lib/pods/pod.sqlite")).toBe(false);
    expect(isPostgresUrl("file:postgres://x")).toBe(false);
  });

  it("refuses to open a pool for anything else, before connecting", () => {
    expect(() => openPostgresPool("mysql://db/pods")).toThrow(/postgres:\/\//);
  });
});
