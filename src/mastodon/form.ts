const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/**
 * Mastodon apps send form bodies with Rails-style keys: `home[last_read_id]=1`, `media_ids[]=1`,
 * `poll[options][]=a`. This turns such flat keys into the nested shape JSON bodies already have, so one
 * schema validates both.
 */
export function nestFormKeys(flat: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(flat).some((key) => key.includes("["))) return flat;
  const nested: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flat)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
    const path = match ? [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)] : [key];
    let target = nested;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      if (path[i + 1] === "" && i + 2 === path.length) {
        target[segment] = [...asList(target[segment]), ...asList(value)];
        break;
      }
      if (i === path.length - 1) {
        target[segment] = value;
        break;
      }
      const child = target[segment];
      target = (typeof child === "object" && child !== null && !Array.isArray(child) ? child : (target[segment] = {})) as Record<string, unknown>;
    }
  }
  return nested;
}
