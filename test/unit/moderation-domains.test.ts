import { describe, expect, it } from "vitest";
import { canonicalIri, normalizeDomain, onDomain } from "../../src/moderation/domains.ts";

describe("blocked domains as coordinators type them", () => {
  it.each([
    ["social.example", "social.example"],
    ["  Social.Example.  ", "social.example"],
    ["https://social.example/@someone", "social.example"],
    ["@someone@social.example", "social.example"],
    ["social.example:8443", "social.example"],
    ["bücher.example", "xn--bcher-kva.example"],
  ])("%j is the domain %j", (input, domain) => {
    expect(normalizeDomain(input)).toBe(domain);
  });

  it.each(["", "localhost", "not a domain!", "__proto__", "javascript:alert(1)", "a".repeat(300), "http://"])(
    "%j is refused",
    (input) => {
      expect(normalizeDomain(input)).toBeNull();
    },
  );

  it("a block covers the domain and its subdomains, not names that only end alike", () => {
    expect(onDomain("https://social.example/users/a", "social.example")).toBe(true);
    expect(onDomain("https://eu.social.example:8443/users/a", "social.example")).toBe(true);
    expect(onDomain("https://antisocial.example/users/a", "social.example")).toBe(false);
    expect(onDomain("https://social.example.org/users/a", "social.example")).toBe(false);
    expect(onDomain("not a url", "social.example")).toBe(false);
  });

  it("a trailing dot (the same host to DNS and TLS) does not get a blocked server through", () => {
    expect(onDomain("https://social.example./users/a", "social.example")).toBe(true);
    expect(onDomain("https://eu.social.example.:8443/users/a", "social.example")).toBe(true);
    expect(canonicalIri("https://social.example./users/a")).toBe("https://social.example/users/a");
  });
});
