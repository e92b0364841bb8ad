import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPage, launchBrowser, newPhone, screenshots, signedInPage, pageAs } from "../support/browser.ts";
import { followAndWait, startPod, waitUntil, type PodProcess } from "../support/pod-process.ts";
import type { WebClient } from "../support/web-client.ts";

const ZONE = "America/Mexico_City";

/** Last month in the pods' time zone (the month a report drafted now covers). */
function lastMonth(): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit" }).formatToParts(
    new Date(),
  );
  const year = Number(parts.find((p) => p.type === "year")!.value);
  const month = Number(parts.find((p) => p.type === "month")!.value);
  return new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 7);
}

const charter = {
  changeNote: "First charter",
  services: [{ key: "kitchen", name: "Community kitchen", category: "meals", area: "North End", languages: ["en"] }],
  planned: [
    {
      key: "clinic",
      name: "Street clinic",
      category: "health",
      target: "2027-Q1",
      needs: { people: 2, skills: ["nurse"], materials: [] },
    },
  ],
};

/**
 * The sovereignty ledger in the browser with three pod processes: a member enters a ledger entry on a phone
 * and imports CSV (a wrong row refuses the file, naming row and column), the coordinator drafts, edits and
 * publishes last month's report; a third pod following both sums their month on its chart page (and CSV); a
 * correction in the browser, republished, changes the sum; the charter page shows the month's progress.
 */
describe("web app: sovereignty ledger, report and confederal totals", { timeout: 300_000 }, () => {
  let north: PodProcess;
  let south: PodProcess;
  let view: PodProcess;
  let browser: Browser;
  let page: Page;
  let pageEs: Page;
  const month = lastMonth();
  const day = `${month}-12`;

  const spanishPage = (pod: PodProcess, client: WebClient) => pageAs(browser, pod.url, client, "es-MX");

  async function checkBoth(url: string, name: string) {
    await pageEs.goto(url);
    await checkPage(pageEs, `${name}-es`, { screenshots: false });
    await page.goto(url);
    await checkPage(page, name);
  }

  const totals = async (metric: string) =>
    (
      (await (await fetch(`${view.url}/view/sovereignty?metric=${metric}`)).json()) as {
        items: { month: string; quantity: string; pods: string[] }[];
      }
    ).items;

  beforeAll(async () => {
    const env = { POD_TIME_ZONE: ZONE, LOG_LEVEL: "warn" };
    [north, south, view, browser] = await Promise.all([
      startPod("sov-north", { ...env, LOG_LEVEL: "info" }),
      startPod("sov-south", env),
      startPod("sov-view", env),
      launchBrowser(),
    ]);
    const signedIn = await signedInPage(browser, north);
    page = signedIn.page;
    pageEs = await spanishPage(north, signedIn.client);
    expect((await north.admin("PUT", "/charter", charter)).status).toBe(201);
    await Promise.all([followAndWait(view, north), followAndWait(view, south)]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([north?.stop(), south?.stop(), view?.stop()]);
  });

  it("a member adds an entry on a phone; the form says no field names a person helped", async () => {
    await page.goto(`${north.url}/app/sovereignty`);
    await expect.poll(() => page.locator("main").textContent()).toContain("No field here names a person helped");
    await page.selectOption("#f-metric", "meals-prepared");
    await page.fill("#f-date", day);
    await page.fill("#f-quantity", "40");
    await page.fill("#f-hours", "6");
    await page.selectOption("#f-service", "kitchen");
    await page.fill("#f-note", "Soup Tuesday");
    await page.click("text=Add to the ledger");
    await expect.poll(() => page.locator(".notice").textContent()).toContain("Added to the ledger.");
    await checkBoth(`${north.url}/app/sovereignty`, "sovereignty-ledger");
  });

  it("CSV import refuses the whole file naming row and column, then imports a good one", async () => {
    await page.goto(`${north.url}/app/sovereignty/import`);
    await page.fill("#f-csv", `metric,date,quantity,service\nmeals-prepared,${day},10,kitchen\nrepairs,${day},lots,\n`);
    await page.click("text=Check and import");
    const problems = await page.locator("#csv-problems").textContent();
    expect(problems).toContain("Row 3, column “quantity”");
    await checkPage(page, "sovereignty-import-error");
    // In the member's language: the file's problems and the fields' alike, the value quoted as written.
    await pageEs.goto(`${north.url}/app/sovereignty/import`);
    await pageEs.fill("#f-csv", `metric,date,amount\nmeals-prepared,${day},10\n`);
    await pageEs.click('form[action="/app/sovereignty/import"] button[type=submit]');
    const missing = await pageEs.locator("#csv-problems").textContent();
    expect(missing).toContain("Fila 1, columna «quantity»: falta esta columna en la primera fila");
    expect(missing).toContain("Fila 1, columna «amount»: columna desconocida (conocidas: metric, date, quantity");
    await pageEs.fill("#f-csv", `metric,date,quantity\nmeals-prepared,${day},10,9\nrepairs,${day},lots\n`);
    await pageEs.click('form[action="/app/sovereignty/import"] button[type=submit]');
    const rows = await pageEs.locator("#csv-problems").textContent();
    expect(rows).toContain("Fila 2, columna «csv»: 4 valores para 3 columnas");
    expect(rows).toContain('Fila 3, columna «quantity»: "lots": Indiquen un número');
    await checkPage(pageEs, "sovereignty-import-error-es", { screenshots: false });
    await page.fill("#f-csv", `metric,date,quantity,service\nmeals-prepared,${day},10,kitchen\nrepairs,${day},3,\n`);
    await page.click("text=Check and import");
    await expect.poll(() => page.locator(".notice").textContent()).toContain("2 entries imported.");
    await checkBoth(`${north.url}/app/sovereignty/weights`, "sovereignty-weights");
  });

  it("the coordinator drafts last month's report, edits it and publishes it", async () => {
    await page.goto(`${north.url}/app/sovereignty/reports`);
    await page.click("text=Draft last month's report");
    await expect.poll(() => page.locator("h1").textContent()).toBe(`Report for ${month}`);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered table, cells separated by tabs
    expect(await page.locator("table").innerText()).toContain("Meals prepared (meal)\t50");
    await page.fill("#f-intro", "The kitchen fed the block.");
    await page.fill("#f-progress", "A nurse offered two evenings a week.");
    await page.click("text=Save the draft");
    await expect.poll(() => page.locator(".notice").textContent()).toContain("Saved.");
    await checkBoth(page.url().replace(/\?.*$/, ""), "sovereignty-report");
    await page.click("button[value=publish]");
    await expect.poll(() => page.locator(".notice").textContent()).toContain("Published.");
    for (const entry of [
      { metric: "meals-prepared", date: day, quantity: 32 },
      { metric: "evictions-prevented", date: day, quantity: 1 },
    ])
      expect((await south.admin("POST", "/sovereignty/entries", entry)).status).toBe(201);
    const draft = await south.admin("POST", "/sovereignty/reports/draft");
    expect((await south.admin("POST", `/sovereignty/reports/${draft.body.id}/publish`)).status).toBe(200);
  });

  it("the following pod sums both neighbors' month: chart page, CSV", async () => {
    await waitUntil(async () => (await totals("meals-prepared")).some((c) => c.pods.length === 2));
    expect((await totals("meals-prepared"))[0]).toMatchObject({ month, quantity: "82" });
    const viewPage = await (await newPhone(browser)).newPage();
    await viewPage.goto(`${view.url}/confederation/sovereignty?metric=meals-prepared`);
    // biome-ignore lint/performance/useDomNodeTextContent: the rendered table, cells separated by tabs
    const table = await viewPage.locator("#totals").innerText();
    expect(table).toContain(`${month}\t82\t82`);
    expect(await viewPage.locator("svg.chart circle").count()).toBe(1);
    await checkPage(viewPage, "sovereignty-confederal-chart");
    await viewPage.goto(`${view.url}/confederation/sovereignty?metric=evictions-prevented&lang=es`);
    expect(await viewPage.locator("#totals").textContent()).toContain("menos de 3");
    await checkPage(viewPage, "sovereignty-confederal-chart-es", { screenshots: false });
    const csv = await (await fetch(`${view.url}/view/sovereignty.csv`)).text();
    expect(csv).toContain(`${month},https://w3id.org/pods/metrics/meals-prepared,meal,82,1,82,`);
  });

  it("a correction in the browser, republished, changes the totals; the charter shows the progress", async () => {
    await page.goto(`${north.url}/app/sovereignty`);
    await page.locator(".cards li", { hasText: "40 meal" }).getByRole("link").click();
    await expect.poll(() => page.locator("h1").textContent()).toBe("Correct an entry");
    await page.fill("#f-quantity", "45");
    await page.click("text=Save the correction");
    await expect.poll(() => page.locator(".notice").textContent()).toContain("Corrected.");
    await page.goto(`${north.url}/app/sovereignty/reports`);
    await page.locator(".cards a").first().click();
    await page.click("button[value=publish]");
    await expect.poll(() => page.locator(".notice").textContent()).toContain("Published.");
    await waitUntil(async () => (await totals("meals-prepared"))[0]?.quantity === "87");
    const charterPage = await (await newPhone(browser)).newPage();
    await charterPage.goto(`${north.url}/charter`);
    const progress = await charterPage.locator("#monthly-progress").locator("..").textContent();
    expect(progress).toContain(`${month}: progress toward Street clinic`);
    expect(progress).toContain("A nurse offered two evenings a week.");
    expect(progress).toContain("Meals prepared: 55 meal");
    await screenshots(charterPage, "sovereignty-charter-progress");
  });

  it("a coordinator adds a metric type: each field's problem beside it, in both languages; then it is in the ledger", async () => {
    const fillBad = async (p: Page) => {
      await p.goto(`${north.url}/app/sovereignty/types`);
      await p.fill("#f-labelEn", "");
      await p.fill("#f-labelEs", "Semillas");
      await p.fill("#f-unit", "=SUM(A1)");
      await p.fill("#f-weight", "lots");
      // Past the browser's own checks, so the server's answer is what the member sees.
      await p.evaluate(() =>
        document.querySelector('form[action="/app/sovereignty/types"]')?.setAttribute("novalidate", ""),
      );
      await p.click('form[action="/app/sovereignty/types"] button[type=submit]');
    };
    await fillBad(page);
    const errorOf = (p: Page, field: string) => p.locator(`#f-${field}-error`).textContent();
    expect(await errorOf(page, "labelEn")).toBe("Give a name (at most 80 characters).");
    expect(await errorOf(page, "unit")).toContain("Give a unit of one or two words");
    expect(await errorOf(page, "category")).toBe("Choose a category.");
    expect(await errorOf(page, "replaces")).toBe("Choose whose role it takes.");
    expect(await errorOf(page, "weight")).toContain("Give a number of hours");
    expect(await page.locator("#f-labelEs-error").count()).toBe(0);
    expect(await page.locator("#f-unit").getAttribute("aria-invalid")).toBe("true");
    await checkPage(page, "sovereignty-types-error");
    await fillBad(pageEs);
    expect(await errorOf(pageEs, "labelEn")).toBe("Indiquen un nombre (como mucho 80 caracteres).");
    expect(await errorOf(pageEs, "category")).toBe("Elijan una categoría.");
    expect(await errorOf(pageEs, "weight")).toContain("Indiquen un número de horas");
    await checkPage(pageEs, "sovereignty-types-error-es", { screenshots: false });

    await page.goto(`${north.url}/app/sovereignty/types`);
    await page.fill("#f-labelEn", "Seeds shared");
    await page.fill("#f-labelEs", "Semillas compartidas");
    await page.fill("#f-unit", "packet");
    await page.selectOption("#f-category", "garden");
    await page.selectOption("#f-replaces", "market");
    await page.fill("#f-weight", "0.5");
    await page.click("text=Add the type");
    await expect.poll(() => page.locator(".notice").textContent()).toContain("Type added.");
    await checkBoth(`${north.url}/app/sovereignty/types`, "sovereignty-types");
    expect(await page.locator(".cards").textContent()).toContain("default 0.5");
    await page.goto(`${north.url}/app/sovereignty`);
    expect(await page.locator("#f-metric option[value=seeds-shared]").textContent()).toBe("Seeds shared (packet)");
    await pageEs.goto(`${north.url}/app/sovereignty`);
    expect(await pageEs.locator("#f-metric option[value=seeds-shared]").textContent()).toBe(
      "Semillas compartidas (packet)",
    );
    // A second type with the same name is refused beside the name.
    await page.goto(`${north.url}/app/sovereignty/types`);
    await page.fill("#f-labelEn", "Seeds  shared");
    await page.fill("#f-labelEs", "Otra");
    await page.fill("#f-unit", "packet");
    await page.selectOption("#f-category", "garden");
    await page.selectOption("#f-replaces", "market");
    await page.click("text=Add the type");
    expect(await errorOf(page, "labelEn")).toBe("There is already a type with this name.");
  });
});
