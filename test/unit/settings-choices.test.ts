import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyFromName } from "../../src/charters/app-routes.ts";
import { CATEGORY_SLUG } from "../../src/categories/taxonomy.ts";
import { sniffImage } from "../../src/settings/images.ts";
import { checkChoices, parseLanguages } from "../../src/settings/service.ts";
import { offeredName, offeredTimeZones } from "../../src/settings/time-zones.ts";

describe("settings choices", () => {
  it("checks only the fields sent, naming each problem", () => {
    expect(checkChoices({})).toEqual({ choices: {}, problems: {} });
    expect(checkChoices({ name: "  ", timeZone: "Mars/Olympus", languages: "es, x_y" }).problems).toEqual({
      name: "required",
      timeZone: "timeZone",
      languages: "languages",
    });
    expect(checkChoices({ name: " Barrio ", timeZone: "America/Lima", approveFollowers: "manual" }).choices).toEqual({
      name: "Barrio",
      timeZone: "America/Lima",
      approveFollowers: true,
    });
  });

  it("reads language lists with commas or spaces, lowercasing the language and dropping repeats", () => {
    expect(parseLanguages("ES-MX, en en")).toEqual(["es-MX", "en"]);
    expect(parseLanguages("")).toBeNull();
    expect(parseLanguages("<script>")).toBeNull();
  });

  it("knows pictures by their first bytes only", () => {
    expect(sniffImage(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe("png");
    expect(sniffImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe("jpg");
    expect(sniffImage(Buffer.from("GIF89a..."))).toBe("gif");
    expect(sniffImage(Buffer.from("RIFF\0\0\0\0WEBPVP8 "))).toBe("webp");
    expect(sniffImage(Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'/>"))).toBeNull();
    expect(sniffImage(Buffer.from("RIFF\0\0\0\0WAVEfmt "))).toBeNull();
    expect(sniffImage(Buffer.alloc(0))).toBeNull();
  });

  it("a charter service's key made from any name is a valid key or empty", () => {
    expect(keyFromName("Comedor de los sábados")).toBe("comedor-de-los-sabados");
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (name) => {
        const key = keyFromName(name);
        expect(key === "" || CATEGORY_SLUG.test(key)).toBe(true);
      }),
    );
  });
});

describe("the time zones the settings form offers", () => {
  it("by their current names (Kolkata, Kyiv), each one a choice the settings accept", () => {
    const offered = offeredTimeZones();
    expect(offered).toContain("Asia/Kolkata");
    expect(offered).toContain("Europe/Kyiv");
    expect(offered).toContain("America/Argentina/Buenos_Aires");
    expect(offered).not.toContain("Asia/Calcutta");
    expect(offered).not.toContain("Europe/Kiev");
    expect(new Set(offered).size).toBe(offered.length);
    for (const zone of offered) expect(checkChoices({ timeZone: zone }).problems, zone).toEqual({});
  });

  it("a pod kept under an old name finds it under the new one", () => {
    expect(offeredName("Asia/Calcutta")).toBe("Asia/Kolkata");
    expect(offeredName("America/Lima")).toBe("America/Lima");
  });
});
