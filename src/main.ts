// The pod, all in one process (what `npm start` runs through bin/start.mjs): HTTP, queue, events and timers.
// `npm run web` and `npm run worker` run the same pieces in separate processes (src/roles/).
import { run } from "./roles/run.ts";

run("all");
