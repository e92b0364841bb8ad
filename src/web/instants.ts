/** An instant (ISO 8601) as people read it in one language and zone. */
export type FormatInstant = (iso: string) => string;

const STYLES: Record<"time" | "date" | "date and time", Intl.DateTimeFormatOptions> = {
  // With the zone's name: a neighbor reading "until 6:00 PM" may be anywhere (dateStyle cannot carry it).
  time: { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" },
  date: { dateStyle: "long" },
  "date and time": { dateStyle: "medium", timeStyle: "short" },
};

const formatters = new Map<string, FormatInstant>();
/** Offers carry their members' language tags, so the formatters kept are bounded too. */
const FORMATTERS_KEPT = 64;
/** How many instants each formatter remembers (cleared when full): pages list the same offers again and again. */
const INSTANTS_KEPT = 10_000;

/**
 * One formatter per language, zone and style, made once (pages and posts used to build one per request or per
 * date, about 0.1 ms each). Formatting an instant costs about 2 µs, and a page of 50 offers formats each of
 * them several times over, so each instant's text is remembered.
 */
export function instantFormatter(locale: string, timeZone: string, style: keyof typeof STYLES): FormatInstant {
  const key = `${locale} ${timeZone} ${style}`;
  let made = formatters.get(key);
  if (!made) {
    const format = new Intl.DateTimeFormat(locale, { ...STYLES[style], timeZone });
    const texts = new Map<string, string>();
    made = (iso) => {
      let text = texts.get(iso);
      if (text === undefined) {
        text = format.format(new Date(iso));
        if (texts.size >= INSTANTS_KEPT) texts.clear();
        texts.set(iso, text);
      }
      return text;
    };
    if (formatters.size >= FORMATTERS_KEPT) formatters.clear();
    formatters.set(key, made);
  }
  return made;
}
