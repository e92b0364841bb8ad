import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { checkPage, launchBrowser, newPhone, signedInPage } from "../support/browser.ts";
import { startFediversePerson, type FediversePerson } from "../support/fediverse-person.ts";
import { exchangeCode, startAppAuthorization } from "../support/oauth-consent.ts";
import { collectionItems, startPod, type PodProcess } from "../support/pod-process.ts";

/**
 * Signing in with a passkey (Chromium's virtual authenticator over CDP), with a code sent as a private message to a
 * fediverse account, and allowing a Mastodon app with a coordinator's session, in a real browser against a pod
 * process. The pod runs at localhost: browsers accept no IP address as a WebAuthn relying party.
 */
describe("web app: passkeys, codes by private message, consent with a session", { timeout: 300_000 }, () => {
  let pod: PodProcess;
  let browser: Browser;
  let person: FediversePerson;
  let ana: Page;
  const password = "a long enough password";

  /** Waits (with Playwright's own time limit: the machine may be busy) until the page is at this path. */
  const at = (page: Page, pathname: string) => page.waitForURL((url) => url.pathname === pathname);
  async function signOut(page: Page) {
    await page.click("header form.sign-out button");
    await at(page, "/app/sign-in");
  }

  beforeAll(async () => {
    [pod, browser, person] = await Promise.all([
      startPod("signin", { POD_TIME_ZONE: "America/Mexico_City" }, { hostname: "localhost" }),
      launchBrowser(),
      startFediversePerson("ines"),
    ]);
    ana = (await signedInPage(browser, pod)).page;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await pod?.stop();
    await person?.close();
  });

  it("a coordinator adds a passkey on the Security page and signs in with it", async () => {
    const cdp = await ana.context().newCDPSession(ana);
    await cdp.send("WebAuthn.enable");
    await cdp.send("WebAuthn.addVirtualAuthenticator", {
      options: {
        protocol: "ctap2",
        transport: "internal",
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    await ana.goto(`${pod.url}/app/security`);
    await ana.waitForSelector("#passkey-add", { state: "visible" });
    expect(await ana.isVisible("[data-passkey-unsupported]")).toBe(false);
    await checkPage(ana, "security");
    await ana.fill("#f-passkeyLabel", "Ana's phone");
    await ana.click("#passkey-add");
    await ana.waitForURL(/added=1/);
    expect(await ana.textContent("main")).toContain("Ana's phone");
    await checkPage(ana, "security-passkey");

    await signOut(ana);
    await checkPage(ana, "sign-in");
    await ana.click("#passkey-sign-in");
    await at(ana, "/app");
    expect(await ana.textContent("main")).toContain("Hello, Ana.");

    await ana.goto(`${pod.url}/app/audit`);
    const audit = await ana.textContent("main");
    expect(audit).toContain("passkey.add");
    expect(audit).toContain("passkey.sign-in");
    await ana.goto(`${pod.url}/app/security?lang=es`);
    expect(await ana.textContent("h1")).toBe("Seguridad");
    await checkPage(ana, "security-es");
    await ana.goto(`${pod.url}/app/sign-in/code?lang=en`);
  });

  it("without JavaScript the page says passkeys are not available, and the password still signs in", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${pod.url}/app/sign-in`);
    expect(await page.isVisible("[data-passkey-unsupported]")).toBe(true);
    expect(await page.isVisible("#passkey-sign-in")).toBe(false);
    await page.fill("#f-username", "ana");
    await page.fill("#f-password", password);
    await page.click("main form button[type=submit]");
    await at(page, "/app");
    await context.close();
  });

  it("a member links a fediverse account with a code sent privately, then signs in with a code", async () => {
    await ana.goto(`${pod.url}/app/security`);
    await ana.fill("#f-handle", `@${person.handle}`);
    await ana.click("text=Send me a verification code");
    const code = await person.code(0);
    await ana.waitForSelector("#f-code", { state: "visible" });
    await checkPage(ana, "security-code-sent");
    const note = person.notes()[0]!.activity;
    expect([note.type, note.object.type, [note.to].flat()]).toEqual(["Create", "Note", [person.actorId]]);
    expect(JSON.stringify(note)).not.toContain("#Public");
    expect(await collectionItems(pod, `${pod.actorUrl}/outbox`)).not.toContain(note.object.id);

    await ana.fill("#f-code", code);
    await ana.click('form[action="/app/security/handle/verify"] button');
    await ana.waitForSelector("text=Your fediverse account is linked.");
    expect(await ana.textContent("main")).toContain(`@${person.handle}`);
    await checkPage(ana, "security-linked");

    await signOut(ana);
    await ana.click("text=Get a sign-in code on your fediverse account");
    await checkPage(ana, "sign-in-code");
    await ana.fill("#f-who", person.handle);
    await ana.click("text=Send me a code");
    const signInCode = await person.code(1);
    await checkPage(ana, "sign-in-code-sent");
    await ana.fill("#f-code", signInCode);
    await ana.click("main button[type=submit]");
    await at(ana, "/app");
    expect(await ana.textContent("main")).toContain("Hello, Ana.");

    const visitor = await (await newPhone(browser, "es-MX")).newPage();
    await visitor.goto(`${pod.url}/app/sign-in`);
    await checkPage(visitor, "sign-in-es");
    await visitor.goto(`${pod.url}/app/sign-in/code`);
    await checkPage(visitor, "sign-in-code-es");
    await visitor.fill("#f-who", "nadie");
    await visitor.click("main button[type=submit]");
    expect(await visitor.textContent("main")).toContain("va en camino");
    await checkPage(visitor, "sign-in-code-sent-es");
    await visitor.context().close();
  });

  it("a coordinator allows a Mastodon app with their session on the consent page", async () => {
    const app = await startAppAuthorization(pod.url, "Phone app", "read write");
    const { query, redirect } = app;
    const page = await (await newPhone(browser)).newPage();
    await page.goto(`${pod.url}/oauth/authorize?${query}`);
    await page.click("text=Sign in with your member account");
    await at(page, "/app/sign-in");
    await page.fill("#f-username", "ana");
    await page.fill("#f-password", password);
    await page.click("main form button[type=submit]");
    await at(page, "/app/authorize");
    expect(await page.textContent("h1")).toBe("Allow Phone app?");
    await checkPage(page, "consent");
    await page.goto(`${page.url()}&lang=es`);
    expect(await page.textContent("h1")).toBe("¿Permitir Phone app?");
    await checkPage(page, "consent-es");
    // The browser is sent back to the app (which is not there on a closed network: the request is what counts).
    const backToApp = page.waitForRequest((request) => request.url().startsWith(redirect));
    await page.click("button[value=approve]");
    const code = new URL((await backToApp).url()).searchParams.get("code")!;
    const accessToken = await exchangeCode(pod.url, app, code);
    const me = await fetch(`${pod.url}/api/v1/accounts/verify_credentials`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(200);
    const same = await page.context().newPage();
    await same.goto(`${pod.url}/app/tokens?lang=en`);
    expect(await same.textContent("main")).toContain("app: Phone app");
    await page.context().close();
  });

  it("a coordinator disables a member: the member's session ends at once; enabling lets them back in", async () => {
    await ana.goto(`${pod.url}/app/members`);
    await ana.click("text=Make an invitation link");
    const link = (await ana.textContent("code.link"))!;
    const member = await (await newPhone(browser)).newPage();
    await member.goto(link);
    await member.fill("#f-displayName", "Beto");
    await member.fill("#f-username", "beto");
    await member.fill("#f-password", password);
    await member.click("main button[type=submit]");
    await at(member, "/app");

    await ana.goto(`${pod.url}/app/members`);
    await ana.click("li:has-text('Beto') button:has-text('Disable')");
    await ana.waitForSelector("li:has-text('Beto') >> text=disabled since");
    await checkPage(ana, "members-disabled");
    await ana.goto(`${pod.url}/app/members?lang=es`);
    await checkPage(ana, "members-disabled-es");
    await member.goto(`${pod.url}/app/profile`);
    await at(member, "/app/sign-in");
    await member.fill("#f-username", "beto");
    await member.fill("#f-password", password);
    await member.click("main form button[type=submit]");
    expect(await member.textContent("[role=alert]")).toContain("do not match");

    await ana.click("li:has-text('Beto') button:has-text('Volver a activar')");
    await ana.waitForSelector("li:has-text('Beto') >> text=Desactivar");
    await member.fill("#f-password", password);
    await member.click("main form button[type=submit]");
    await at(member, "/app/profile");
    await ana.goto(`${pod.url}/app/audit?lang=en`);
    expect(await ana.textContent("main")).toContain("member.disable");
    await member.context().close();
  });
});
