import { describe, expect, it } from "vitest";
import { translator } from "../../src/webapp/i18n/index.ts";
import { instantFormatter } from "../../src/web/instants.ts";

describe("a message's placeholders are filled from what the page gives", () => {
  it("fills each name where it stands, leaves a name not given as written, and takes no inherited names", () => {
    const t = translator("en");
    expect(t("offer.left", { left: 7, total: 12, unit: "loaves" })).toBe("7 of 12 loaves left");
    expect(t("offer.left", { left: 7, unit: "loaves" })).toBe("7 of {total} loaves left");
    const inherited = Object.create({ total: 99 }) as Record<string, number>;
    inherited.left = 1;
    expect(t("offer.left", inherited)).toBe("1 of {total} {unit} left");
  });

  it("writes a value as given, with no replacement patterns read in it", () => {
    expect(translator("es")("offer.left", { left: "$&", total: "$1", unit: "{unit}" })).toContain("$& de $1 {unit}");
  });
});

describe("instants as people read them", () => {
  it("match a fresh Intl formatter in each language, zone and style, the second time too", () => {
    const instants = Array.from({ length: 50 }, (_, i) =>
      new Date(Date.UTC(2026, i % 12, 1 + i, i % 24, i)).toISOString(),
    );
    for (const [locale, zone] of [
      ["en", "UTC"],
      ["es", "America/Mexico_City"],
    ] as const) {
      const fresh = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: zone });
      const format = instantFormatter(locale, zone, "date and time");
      for (const round of [1, 2])
        for (const iso of instants) expect(format(iso), `${iso} ${round}`).toBe(fresh.format(new Date(iso)));
    }
  });
});
