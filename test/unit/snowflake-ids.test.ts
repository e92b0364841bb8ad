import { describe, expect, it } from "vitest";
import { snowflake } from "../../src/social/ids.ts";

describe("snowflake ids", () => {
  it("for one millisecond, with ids for other milliseconds in between, never repeat and keep their order", () => {
    // Mastodon's `published` has whole seconds: a busy inbox stores many posts for one millisecond, each
    // followed by a notification made now.
    const published = new Date("2026-11-30T06:00:00Z");
    const ids: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      ids.push(snowflake(published));
      snowflake(new Date(published.getTime() + 1 + i));
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || BigInt(id) > BigInt(ids[i - 1]!))).toBe(true);
    expect(ids.every((id) => id.length === 18)).toBe(true);
  });
});
