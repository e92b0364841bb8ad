import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Hits per rate-limited route and client address (see shared-rate-limit.ts), in the pod's database so every
 * process serving the pod counts the same hits. Rows whose window has ended are swept.
 */
export const rateLimitHits = sqliteTable(
  "rate_limit_hits",
  {
    /** The scope, the route (or limiter) and the client's key, e.g. "app|POST /sign-in/code|203.0.113.7". */
    key: text("key").primaryKey(),
    hits: integer("hits").notNull(),
    /** Milliseconds since the epoch when the window that these hits count in ends. */
    windowEndsAt: integer("window_ends_at").notNull(),
  },
  (t) => [index("rate_limit_hits_window_ends_at").on(t.windowEndsAt)],
);
