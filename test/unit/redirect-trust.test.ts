import { describe, expect, it } from "vitest";
import { isVerifiedRedirect } from "../../src/mastodon/redirect-trust.ts";

const verified = (uri: string, requested: string | undefined = uri, registered = [uri]) =>
  isVerifiedRedirect(uri, requested, registered);

describe("which redirect URIs the consent page may send the browser to without the operator's click", () => {
  it("native-app URIs of RFC 8252: loopback IP literals and reverse-domain private-use schemes", () => {
    const native = ["http://127.0.0.1:8765/cb", "http://127.9.9.9/cb", "http://[::1]:4000/cb", "https://127.0.0.1/cb"];
    for (const uri of [...native, "org.joinmastodon.app://callback", "com.example.app:/oauth"]) {
      expect(verified(uri), uri).toBe(true);
    }
  });

  it("not a web address anyone could register, localhost by name, a scheme without a dot, or the OOB URN", () => {
    const web = ["https://app.example/callback", "http://evil.example/", "http://localhost:8765/cb"];
    const lookalikes = ["http://127.0.0.1.evil.example/", "http://[::2]/", "myapp://cb", "intent://x"];
    for (const uri of [...web, ...lookalikes, "urn:ietf:wg:oauth:2.0:oob", "not a uri"]) {
      expect(verified(uri), uri).toBe(false);
    }
  });

  it("only when the authorize request named exactly that URI and the app registered it", () => {
    expect(isVerifiedRedirect("http://127.0.0.1:8765/cb", undefined, ["http://127.0.0.1:8765/cb"])).toBe(false);
    expect(verified("http://127.0.0.1:8765/cb", "http://127.0.0.1:8765/cb/")).toBe(false);
    const uri = "http://127.0.0.1:8765/cb";
    expect(isVerifiedRedirect(uri, uri, ["http://127.0.0.1:8765/x"])).toBe(false);
  });
});
