#!/usr/bin/env node
// Starts one worker process of the pod (deliveries, events, periodic jobs): `npm run worker`.
import { requireSupportedNode } from "./node-version.mjs";

requireSupportedNode();
const { prepareLoading } = await import("./loading.mjs");
prepareLoading();
const { run } = await import("../src/roles/run.ts");
run("worker");
