import { describe, expect, it } from "vitest";
import { nestFormKeys } from "../../src/mastodon/form.ts";

describe("Rails-style form keys from Mastodon apps", () => {
  it("nests bracketed keys and gathers lists, leaving plain keys alone", () => {
    expect(nestFormKeys({ status: "hi", "media_ids[]": ["1", "2"], "home[last_read_id]": "9", "poll[options][]": "a", "poll[expires_in]": "60" })).toEqual({
      status: "hi",
      media_ids: ["1", "2"],
      home: { last_read_id: "9" },
      poll: { options: ["a"], expires_in: "60" },
    });
    expect(nestFormKeys({ "redirect_uris[]": "https://a.example/cb" })).toEqual({ redirect_uris: ["https://a.example/cb"] });
    const plain = { grant_type: "authorization_code" };
    expect(nestFormKeys(plain)).toBe(plain);
  });
});
