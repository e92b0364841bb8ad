import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, newPhone, screenshots, scrollsSideways, seriousViolations } from "../support/browser.ts";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";

const HOSTILE = `<script>alert(1)</script><img src=x onerror="alert(2)">`;

/** The confederal view as pages, read from a pod that follows a neighbor, both real processes. */
describe("the confederal view as pages", { timeout: 240_000 }, () => {
  let pod: PodProcess;
  let neighbor: PodProcess;
  let browser: Browser;

  beforeAll(async () => {
    [pod, neighbor, browser] = await Promise.all([
      startPod("view-pages", { POD_NAME: "Riverside" }),
      startPod("view-pages-neighbor", { POD_NAME: `Hillside ${HOSTILE}` }),
      launchBrowser(),
    ]);
    await neighbor.admin("PUT", "/charter", {
      changeNote: "First charter",
      services: [{ key: "food-runs", name: "Food runs", category: "food", area: "Hillside" }],
      planned: [{ key: "childcare", name: "Childcare swap", category: "childcare", target: "2027-Q1" }],
    });
    for (const [name, quantity] of [
      ["Flour", 20],
      [`Bread ${HOSTILE}`, 8],
    ] as const) {
      const made = await neighbor.admin("POST", "/offers", {
        name,
        category: "food",
        quantity,
        unit: "kg",
        area: { name: "Hillside", latitude: 19.43, longitude: -99.13 },
      });
      expect(made.status, JSON.stringify(made.body)).toBe(201);
    }
    const drill = await neighbor.admin("POST", "/offers", {
      name: "Drill",
      category: "tools",
      quantity: 1,
      unit: "drills",
      area: { name: "Hillside" },
    });
    expect(drill.status).toBe(201);
    await neighbor.admin("POST", "/practices", {
      title: "Street-by-street food route",
      summary: "Group pickups by street.",
      body: "1. Sort by street",
      tags: ["food"],
    });
    await pod.admin("POST", "/needs", {
      name: "Flour for the kitchen",
      category: "food",
      quantity: 10,
      unit: "kg",
      area: { name: "Centro" },
    });
    await followAndWait(pod, neighbor);
    await waitUntil(async () => (await (await fetch(`${pod.url}/view/surplus`)).json()).items.length === 3, 30_000);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pod?.stop(), neighbor?.stop()]);
  });

  async function visit(page: Page, path: string, name: string) {
    const response = await page.goto(`${pod.url}${path}`);
    expect(response?.status(), path).toBe(200);
    expect(await seriousViolations(page), `${name}: accessibility`).toEqual([]);
    expect(await scrollsSideways(page), `${name}: fits 390 px`).toBe(false);
    await screenshots(page, name);
  }

  it("surplus across pods, filtered by category and text, with totals and a CSV", async () => {
    const page = await (await newPhone(browser)).newPage();
    await visit(page, "/confederation", "view-offers");
    const cards = await page.textContent("main .cards");
    expect(cards).toContain("Flour");
    expect(cards).toContain("Drill");
    expect(await page.textContent("#totals + ul")).toContain("28 kg");

    await page.click("summary");
    await page.selectOption("#v-category", "tools");
    await page.click("form.filters button[type=submit]");
    expect(new URL(page.url()).searchParams.get("category")).toBe("tools");
    const filtered = await page.textContent("main .cards");
    expect(filtered).toContain("Drill");
    expect(filtered).not.toContain("Flour");
    await screenshots(page, "view-offers-filtered");

    await page.goto(`${pod.url}/confederation?q=flour`);
    expect(await page.textContent("main .cards")).not.toContain("Drill");

    const csvHref = await page.getAttribute('a[href^="/view/surplus.csv"]', "href");
    const csv = await fetch(`${pod.url}${csvHref}`);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(await csv.text()).toContain("Flour");
  });

  it("a bad filter is a clear error on the page, not a JSON answer", async () => {
    const page = await (await newPhone(browser)).newPage();
    const response = await page.goto(`${pod.url}/confederation?radiusKm=-3&near=nowhere`);
    expect(response?.status()).toBe(400);
    expect(await page.textContent("[role=alert]")).toContain("radiusKm");
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("matches, the service map, charters and practices, in English and Spanish", async () => {
    const page = await (await newPhone(browser)).newPage();
    await visit(page, "/confederation/needs?own=1", "view-needs-own");
    expect(await page.textContent("main .cards")).toContain("Flour for the kitchen");
    await visit(page, "/confederation/matches", "view-matches");
    const matches = await page.textContent("main .cards");
    expect(matches).toContain("Flour for the kitchen");
    expect(matches).toMatch(/Flour[\s\S]*% match/);
    await visit(page, "/confederation/services", "view-services");
    expect(await page.textContent("table")).toContain("Hillside");
    await visit(page, "/confederation/charters", "view-charters");
    expect(await page.textContent("main .cards")).toContain("Childcare swap");
    await visit(page, "/confederation/practices", "view-practices");
    expect(await page.textContent("main .cards")).toContain("Street-by-street food route");

    const spanish = await (await newPhone(browser, "es-MX")).newPage();
    for (const [path, name] of [
      ["/confederation", "view-offers-es"],
      ["/confederation/matches", "view-matches-es"],
      ["/confederation/services", "view-services-es"],
    ] as const) {
      await visit(spanish, path, name);
      expect(await spanish.getAttribute("html", "lang")).toBe("es");
    }
    expect(await spanish.textContent("h1")).toContain("Mapa de servicios");
  });

  it("what neighbors wrote is shown as text, never run", async () => {
    const page = await (await newPhone(browser)).newPage();
    let dialogs = 0;
    page.on("dialog", async (dialog) => {
      dialogs++;
      await dialog.dismiss();
    });
    for (const path of [
      "/confederation",
      "/confederation/matches",
      "/confederation/services",
      "/confederation/charters",
    ]) {
      await page.goto(`${pod.url}${path}`);
      expect(await page.locator("main script, main img[onerror]").count(), path).toBe(0);
    }
    await page.goto(`${pod.url}/confederation`);
    expect(await page.textContent("main .cards")).toContain("<script>alert(1)</script>");
    expect(dialogs).toBe(0);
  });
});
