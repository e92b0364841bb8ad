#!/usr/bin/env node
// Starts one web process of the pod (HTTP only): `npm run web`. Run any number, plus one or more workers.
import { requireSupportedNode } from "./node-version.mjs";

requireSupportedNode();
const { prepareLoading } = await import("./loading.mjs");
prepareLoading();
const { run } = await import("../src/roles/run.ts");
run("web");
