import { badRequest } from "../http/problem.ts";

/** Segments that reach Object.prototype (or a constructor) when used as keys of a plain object. */
const HOSTILE_SEGMENTS = new Set(["__proto__", "constructor", "prototype"]);
/** Deep enough for every Mastodon parameter (`poll[options][]`); deeper keys are refused, not nested. */
export const MAX_FORM_KEY_DEPTH = 8;

type Container = Record<string, unknown>;
const asList = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

function pathOf(key: string): string[] {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])+)$/.exec(key);
  return match ? [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)] : [key];
}

function checkedPath(key: string): string[] {
  const field = key.length > 100 ? `${key.slice(0, 100)}…` : key;
  const path = pathOf(key);
  if (path.some((segment) => HOSTILE_SEGMENTS.has(segment))) {
    const detail = `The field ${field} is not accepted (__proto__, constructor and prototype are not field names)`;
    throw badRequest(detail, field);
  }
  if (path.length > MAX_FORM_KEY_DEPTH) {
    throw badRequest(`The field ${field} nests deeper than ${MAX_FORM_KEY_DEPTH} levels`, field);
  }
  return path;
}

/**
 * Mastodon apps send form bodies with Rails-style keys: `home[last_read_id]=1`, `media_ids[]=1`,
 * `poll[options][]=a`. This turns such flat keys into the nested shape JSON bodies already have, so one
 * schema validates both. Input keys become object keys here, so every object made is null-prototype and
 * a key naming `__proto__`, `constructor` or `prototype` anywhere is refused (a 400 naming the field).
 */
export function nestFormKeys(flat: Record<string, unknown>): Record<string, unknown> {
  const paths = Object.keys(flat).map((key) => [key, checkedPath(key)] as const);
  if (paths.every(([, path]) => path.length === 1)) return flat;
  const made = new WeakSet<object>();
  const container = (): Container => {
    const object = Object.create(null) as Container;
    made.add(object);
    return object;
  };
  const nested = container();
  for (const [key, path] of paths) {
    const value = flat[key];
    let target = nested;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      if (path[i + 1] === "" && i + 2 === path.length) {
        // A list gathers values only: a container an earlier key nested here (`a[x]=1&a[]=2`) is replaced.
        const prior = target[segment];
        const kept = typeof prior === "object" && prior !== null && made.has(prior) ? [] : asList(prior);
        target[segment] = [...kept, ...asList(value)];
        break;
      }
      if (i === path.length - 1) {
        target[segment] = value;
        break;
      }
      // Only containers made here are walked into: a value from the body is replaced, never written to.
      const child = target[segment];
      const ours = typeof child === "object" && child !== null && made.has(child);
      target = ours ? (child as Container) : (target[segment] = container());
    }
  }
  return nested;
}
