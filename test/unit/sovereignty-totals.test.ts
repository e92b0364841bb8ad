/**
 * The sovereignty room's pure parts: CSV rows checked one by one (all or nothing, problems naming row and
 * column), months in the pod's time zone (the confederal totals, on both databases, are in
 * test/support/sovereignty-contract.ts).
 */
import { describe, expect, it } from "vitest";
import { readCsv } from "../../src/sovereignty/ledger.ts";
import { readMetricTypeForm, slugFromName } from "../../src/sovereignty/metric-form.ts";
import { translator } from "../../src/webapp/i18n/index.ts";
import { addMonths, monthBounds, monthIn } from "../../src/sovereignty/months.ts";
import { draftFigures, isSmall } from "../../src/sovereignty/report.ts";

const known = { metrics: new Set(["meals-prepared", "repairs"]), services: new Set(["kitchen"]) };

describe("CSV import", () => {
  it("reads good rows into entries (quoted notes, optional columns empty)", () => {
    const csv =
      'metric,date,quantity,hours,service,note\r\nmeals-prepared,2026-10-03,40,6,kitchen,"Soup, bread"\n' +
      "repairs,2026-10-04,2.5,,,\n";
    const { inputs, problems } = readCsv(csv, known);
    expect(problems).toEqual([]);
    expect(inputs).toEqual([
      {
        metric: "meals-prepared",
        date: "2026-10-03",
        quantityMilli: 40_000,
        effortMilli: 6000,
        service: "kitchen",
        note: "Soup, bread",
      },
      { metric: "repairs", date: "2026-10-04", quantityMilli: 2500, effortMilli: null, service: null, note: "" },
    ]);
  });

  it("refuses the whole file when one row is wrong, naming each row and column", () => {
    const csv = "metric,date,quantity\nmeals-prepared,2026-10-03,40\nmeals,2026-02-30,-1\nrepairs,2026-10-05,x\n";
    const { inputs, problems } = readCsv(csv, known);
    expect(inputs).toEqual([]);
    expect(problems.map((p) => `${p.row}:${p.column}`)).toEqual(["3:metric", "3:date", "3:quantity", "4:quantity"]);
  });

  it("names a missing or unknown column, and an unclosed quote", () => {
    expect(readCsv("metric,day,quantity\n", known).problems.map((p) => p.column)).toEqual(["date", "day"]);
    expect(readCsv('metric,date,quantity\n"meals,2026-10-01,1\n', known).problems[0]!.message).toMatch(/quoted/);
    expect(readCsv("metric,date,quantity\nrepairs,2026-10-01\n", known).problems[0]).toMatchObject({ row: 2 });
  });

  it("a problem of the file carries its message key and values, so the web app can say it in Spanish", () => {
    const t = translator("es");
    const say = (csv: string) =>
      readCsv(csv, known).problems.map((p) => (p.code ? t(`sov.csv.${p.code}`, p.params) : `field ${p.column}`));
    expect(say("metric,day,quantity\n")).toEqual([
      "falta esta columna en la primera fila",
      "columna desconocida (conocidas: metric, date, quantity, hours, service, note)",
    ]);
    expect(say('metric,date,quantity\n"meals,2026-10-01,1\n')).toEqual(["un valor entre comillas no se cierra"]);
    expect(say("metric,date,quantity\nrepairs,2026-10-01\n")).toEqual(["2 valores para 3 columnas"]);
    expect(say("metric,date,quantity\nrepairs,2026-10-01,x\n")).toEqual(["field quantity"]);
  });
});

describe("a metric type from the coordinators' form", () => {
  const good = { labelEn: "Seeds shared", labelEs: "Semillas", unit: "packet", category: "garden", replaces: "market" };
  it("takes its slug from the English name, and its default weight", () => {
    expect(slugFromName("Ñandú  rides (km) ")).toBe("nandu-rides-km");
    expect(readMetricTypeForm({ ...good, weight: "0,5" }, new Set()).input).toMatchObject({
      slug: "seeds-shared",
      defaultWeightMilli: 500,
    });
  });
  it("names each field's problem; a name taken or without letters is refused beside the name", () => {
    const { errors } = readMetricTypeForm({ labelEn: "", unit: "=SUM(A1)", category: "x", weight: "-1" }, new Set());
    expect(errors).toEqual({
      labelEn: "sov.type.error.label",
      labelEs: "sov.type.error.label",
      unit: "sov.type.error.unit",
      category: "sov.type.error.category",
      replaces: "sov.type.error.replaces",
      weight: "sov.type.error.weight",
    });
    expect(readMetricTypeForm({ ...good, weight: "1" }, new Set(["seeds-shared"])).errors).toEqual({
      labelEn: "sov.type.error.exists",
    });
    expect(readMetricTypeForm({ ...good, labelEn: "¿?", weight: "1" }, new Set()).errors).toEqual({
      labelEn: "sov.type.error.slug",
    });
  });
});

describe("months in the pod's time zone", () => {
  it("the same instant is October in Mexico City and November in Auckland", () => {
    const instant = new Date("2026-11-01T03:00:00Z");
    expect(monthIn(instant, "America/Mexico_City")).toBe("2026-10");
    expect(monthIn(instant, "Pacific/Auckland")).toBe("2026-11");
    expect(addMonths("2026-01", -1)).toBe("2025-12");
  });

  it("a month's bounds carry the zone's offset (daylight saving changes inside it)", () => {
    expect(monthBounds("2026-10", "Europe/Madrid")).toEqual({
      start: "2026-10-01T00:00:00+02:00",
      end: "2026-11-01T00:00:00+01:00",
    });
  });
});

describe("drafting figures", () => {
  it("counts per type and service with last month's, and small counts are flagged", () => {
    const type = (slug: string, weight: number) => ({
      slug,
      iri: `https://w3id.org/pods/metrics/${slug}`,
      labels: { en: slug, es: slug },
      unit: "u",
      category: "food",
      replaces: "market",
      shared: true,
      weightMilli: weight,
      defaultWeightMilli: weight,
      weightReason: "",
    });
    const figures = draftFigures({
      month: "2026-10",
      zone: "UTC",
      bounds: monthBounds("2026-10", "UTC"),
      threshold: 3,
      types: [type("meals-prepared", 1000), type("repairs", 2000), type("deliveries", 500)],
      totals: [
        { metric: "meals-prepared", service: "kitchen", quantityMilli: 30_000, effortMilli: 4000, entries: 2 },
        { metric: "meals-prepared", service: null, quantityMilli: 5000, effortMilli: 0, entries: 1 },
        { metric: "repairs", service: null, quantityMilli: 2000, effortMilli: 0, entries: 1 },
      ],
      previous: [{ metric: "meals-prepared", service: "kitchen", quantityMilli: 20_000, effortMilli: 0, entries: 1 }],
      services: [{ key: "kitchen", name: "Community kitchen" }],
      next: null,
      offers: { offersGiven: 4, offersClaimed: 2, needsMet: 1, needsUnmet: 0 },
      practice: { rolesRotated: 3, circlesHeld: 2, decisions: 1, lessons: 0 },
    });
    expect(figures.practice).toEqual({ rolesRotated: 3, circlesHeld: 2, decisions: 1, lessons: 0 });
    expect(figures.metrics.map((m) => [m.slug, m.quantityMilli, m.previousMilli, m.effortMilli])).toEqual([
      ["meals-prepared", 35_000, 20_000, 4000],
      ["repairs", 2000, 0, 0],
    ]);
    expect(figures.services).toEqual([
      {
        key: "kitchen",
        name: "Community kitchen",
        totals: [{ slug: "meals-prepared", quantityMilli: 30_000, previousMilli: 20_000 }],
      },
      {
        key: null,
        name: null,
        totals: [
          { slug: "meals-prepared", quantityMilli: 5000, previousMilli: 0 },
          { slug: "repairs", quantityMilli: 2000, previousMilli: 0 },
        ],
      },
    ]);
    expect(isSmall(2000, 3)).toBe(true);
    expect(isSmall(3000, 3)).toBe(false);
    expect(isSmall(0, 3)).toBe(false);
  });
});
