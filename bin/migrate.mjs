#!/usr/bin/env node
// Applies pending database migrations: `node bin/migrate.mjs` (what `npm run migrate` runs).
import { requireSupportedNode } from "./node-version.mjs";

requireSupportedNode();
await import("../src/cli/migrate.ts");
