import { z } from "zod";

const MAX_MILLI = 1_000_000_000_000; // a billion units is plenty for a neighborhood

/** A positive quantity with at most three decimals, as a JSON number or a decimal string, in thousandths. */
export const quantitySchema = z
  .union([z.number(), z.string().trim()], { error: "must be a number" })
  .transform((value, ctx) => {
    const text = typeof value === "number" ? String(value) : value;
    if (!/^\d+(\.\d{1,3})?$/.test(text)) {
      ctx.addIssue({ code: "custom", message: "must be a non-negative number with at most three decimals" });
      return z.NEVER;
    }
    const [whole, fraction = ""] = text.split(".");
    const milli = Number(whole) * 1000 + Number(fraction.padEnd(3, "0"));
    if (milli <= 0 || milli > MAX_MILLI) {
      ctx.addIssue({ code: "custom", message: "must be greater than 0 and at most 1000000000" });
      return z.NEVER;
    }
    return milli;
  });

/** Thousandths back to a plain decimal string ("12.5"), as Measure and people read it. */
export function formatMilli(milli: number): string {
  const whole = Math.trunc(milli / 1000);
  const fraction = String(milli % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** Amounts as people read them: decimal strings ("12.5") in `unit`. */
export interface Amounts {
  quantity: string | null;
  available: string | null;
  unit: string | null;
}

export const amountsOf = (row: {
  quantityMilli: number | null;
  availableMilli: number | null;
  unit: string | null;
}): Amounts => ({
  quantity: row.quantityMilli === null ? null : formatMilli(row.quantityMilli),
  available: row.availableMilli === null ? null : formatMilli(row.availableMilli),
  unit: row.unit,
});

/**
 * The one quantity line: "12 of 20 kg" plus `words.partly` ("still available") when part is gone,
 * "20 kg" plus `words.whole` when all of it is there; empty when there is no quantity.
 */
export function quantityLine(amounts: Amounts, words: { partly?: string; whole?: string } = {}): string {
  const { quantity, available } = amounts;
  const unit = amounts.unit ? ` ${amounts.unit}` : "";
  const tail = (word: string | undefined) => (word ? ` ${word}` : "");
  if (available !== null && quantity !== null && available !== quantity)
    return `${available} of ${quantity}${unit}${tail(words.partly)}`;
  if (available === null && quantity === null) return "";
  return `${available ?? quantity}${unit}${tail(words.whole)}`;
}

/** An offer's or need's line: "12 of 20 kg still available" (or "still needed"), "20 kg" when untouched. */
export const offerQuantityLine = (row: {
  kind: "offer" | "need";
  quantityMilli: number;
  availableMilli: number;
  unit: string;
}) => quantityLine(amountsOf(row), { partly: row.kind === "need" ? "still needed" : "still available" });
