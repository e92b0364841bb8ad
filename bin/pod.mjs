#!/usr/bin/env node
// The pod's command line: `node bin/pod.mjs <command>` (what `npm run pod -- <command>` runs).
import { requireSupportedNode } from "./node-version.mjs";

requireSupportedNode();
const { prepareLoading } = await import("./loading.mjs");
prepareLoading();
await import("../src/cli/pod.ts");
