import type { Translate } from "../webapp/i18n/index.ts";
import type { Reason } from "./generator.ts";

/** A proposed seat's reason as one line in the reader's language. */
export function explain(reason: Reason, t: Translate): string {
  const line = t(reason.key, reason.values);
  if (reason.key !== "rota.reason.unfilled") return line;
  const causes = (reason.causes ?? []).map(({ cause, names }) => t(`rota.cause.${cause}`, { names: names.join(", ") }));
  return `${line} ${causes.length ? causes.join("; ") : t("rota.cause.nobody")}.`;
}
