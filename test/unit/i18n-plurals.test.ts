import { describe, expect, it } from "vitest";
import { en, type MessageKey } from "../../src/webapp/i18n/en.ts";
import { es } from "../../src/webapp/i18n/es.ts";
import { translator } from "../../src/webapp/i18n/index.ts";

/** The names a message fills: `{name}` and `{count, plural, …}` (case bodies start with `#` or a word and space). */
const argumentNames = (message: string): string[] =>
  [...new Set([...message.matchAll(/\{\s*(\w+)\s*[,}]/g)].map((match) => match[1]!))].sort();

const pluralKeys = (Object.keys(en) as MessageKey[]).filter(
  (key) => en[key].includes(", plural,") || es[key].includes(", plural,"),
);

describe("messages that count things use the language's plural forms", () => {
  it("a seat is one seat, not 1 seat(s), in English and Spanish", () => {
    const english = translator("en");
    const spanish = translator("es");
    expect(english("rota.dashboard", { count: 1 })).toBe("1 rota seat without a holder.");
    expect(english("rota.dashboard", { count: 3 })).toBe("3 rota seats without a holder.");
    expect(spanish("care.team.resting", { count: 1 })).toBe("1 miembro necesitaría un descanso.");
    expect(spanish("care.team.resting", { count: 4 })).toBe("4 miembros necesitarían un descanso.");
  });

  it("every counting message parses and fills in both languages with the same arguments", () => {
    expect(pluralKeys.length).toBeGreaterThan(5);
    for (const key of pluralKeys) {
      expect(argumentNames(es[key]), key).toEqual(argumentNames(en[key]));
      for (const count of [0, 1, 2, 21]) {
        const params = Object.fromEntries(argumentNames(en[key]).map((name) => [name, count]));
        for (const t of [translator("en"), translator("es")]) {
          const text = t(key, params);
          expect(text, key).not.toMatch(/[{}]|\(s\)/);
          expect(text, key).toContain(String(count));
        }
      }
    }
  });

  it("no message says (s) for a plural any more", () => {
    const lazy = [...Object.entries(en), ...Object.entries(es)].filter(([, message]) => /\w\((s|es)\)/.test(message));
    expect(lazy.map(([key]) => key)).toEqual([]);
  });
});
