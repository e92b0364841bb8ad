import type { Translate } from "../webapp/i18n/index.ts";
import type { LoadSignals } from "./load.ts";
import type { Turn } from "./turn.ts";

/** Whose turn it is and why, in one line. `role` is "facilitate" or "mediate". */
export function explainTurn(turn: Turn, role: "facilitate" | "mediate", t: Translate, date: (iso: string) => string) {
  const r = turn.reason;
  if (r.key === "nobody") return t(`care.turn.nobody.${role}`);
  if (r.key === "first") return t(`care.turn.first.${role}`, { name: r.name, since: date(r.since) });
  return t(`care.turn.longest.${role}`, { name: r.name, last: date(r.last), count: r.count });
}

/** The signals as plain sentences; `self` speaks to the member ("you"), otherwise about them. */
export function signalLines(s: LoadSignals, weeks: number, t: Translate): string[] {
  return [
    t("care.load.seats", { count: s.seatsRecent, weeks }),
    t("care.load.consecutive", { count: s.consecutive }),
    t("care.load.withoutRest", { count: s.withoutRest }),
    t("care.load.lateDropOuts", { count: s.lateDropOuts }),
  ];
}
