import { describe, expect, it } from "vitest";
import { addressLimiter, senderKey } from "../../src/requests/service.ts";

describe("the public request form's per-address limit", () => {
  const rate = { requests: 3, windowMs: 60_000, addresses: 2 };

  it("lets an address send its share in the window, refuses the rest, and lets it again once the window passes", () => {
    let now = 0;
    const allow = addressLimiter(() => new Date(now), rate);
    expect([1, 2, 3, 4, 5].map(() => allow("a"))).toEqual([true, true, true, false, false]);
    expect(allow("b")).toBe(true);
    now = 59_999;
    expect(allow("a")).toBe(false);
    now = 60_000;
    expect(allow("a")).toBe(true);
  });

  it("keeps a bounded number of addresses, forgetting the least recently seen", () => {
    let now = 0;
    const allow = addressLimiter(() => new Date(now), rate);
    for (let i = 0; i < 3; i++) allow("a");
    expect(allow("a")).toBe(false);
    now = 1;
    allow("b");
    allow("c");
    // "a" was forgotten to keep two addresses: it starts afresh.
    expect(allow("a")).toBe(true);
  });

  it("counts an IPv6 sender by its /64, so rotating addresses inside one network does not get around the limit", () => {
    expect(senderKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(senderKey("2001:0db8:0001:0002:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(senderKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(senderKey("::ffff:192.0.2.7")).toBe("192.0.2.7");
    expect(senderKey("192.0.2.7")).toBe("192.0.2.7");
    const allow = addressLimiter(() => new Date(0), rate);
    const sent = Array.from({ length: 5 }, (_, i) => allow(senderKey(`2001:db8:1:2::${i + 1}`)));
    expect(sent).toEqual([true, true, true, false, false]);
  });
});
