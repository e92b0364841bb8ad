#!/usr/bin/env node
// Applies pending database migrations: `node bin/migrate.mjs` (what `npm run migrate` runs).
import { requireSupportedNode } from "./node-version.mjs";

requireSupportedNode();
const { prepareLoading } = await import("./loading.mjs");
prepareLoading();
await import("../src/cli/migrate.ts");
