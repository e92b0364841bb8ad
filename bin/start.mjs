#!/usr/bin/env node
// Starts the pod server: `node bin/start.mjs` (what `npm start`, Docker and systemd run).
import { requireSupportedNode } from "./node-version.mjs";

requireSupportedNode();
const { prepareLoading } = await import("./loading.mjs");
prepareLoading();
await import("../src/main.ts");
