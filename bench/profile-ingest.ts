/**
 * Where an inbox delivery's CPU goes: runs the real-mix ingest and the Mastodon-style posts with the receiving
 * pod under `--cpu-prof`, and prints, for the measured stretch only (not start-up or the capture), each
 * function's self time and inclusive time as a share of the pod's busy samples.
 *
 *   node bench/profile-ingest.ts [--only=real|notes] [--top=40] [--keep]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchNoteIngest } from "./ingest-notes.ts";
import { benchRealIngest } from "./ingest-real.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  self: number;
  inclusive: number;
}

/** Self and inclusive shares of busy samples taken between `startUs` and `endUs` (one count per stack). */
export function summarise(profile: Profile, window: { startUs: number; endUs: number }) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) => {
    const { functionName, url, lineNumber } = n.callFrame;
    const file = url.replace(/^.*\/node_modules\//, "").replace(/^.*\/(src|bench|test)\//, "$1/");
    return `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i]!;
    if (t < window.startUs || t > window.endUs) continue;
    const leaf = byId.get(profile.samples[i]!)!;
    if (leaf.callFrame.functionName === "(idle)") continue;
    busy++;
    self.set(label(leaf), (self.get(label(leaf)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const name = label(byId.get(id)!);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    }
  }
  const entries: ProfileEntry[] = [...inclusive.keys()].map((name) => ({
    name,
    self: (self.get(name) ?? 0) / busy,
    inclusive: inclusive.get(name)! / busy,
  }));
  return { busy, entries };
}

function print(title: string, dir: string, window: { startUs: number; endUs: number }, top: number) {
  // The receiving pod's profile is the one with samples in the measured stretch.
  const profiles = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as Profile)
    .map((p) => summarise(p, window))
    .sort((a, b) => b.busy - a.busy);
  const { busy, entries } = profiles[0]!;
  const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)}%`;
  console.log(`\n## ${title}: ${busy} busy samples in the measured stretch`);
  console.log("by self time:");
  for (const e of [...entries].sort((a, b) => b.self - a.self).slice(0, top))
    console.log(`${pct(e.self)} self ${pct(e.inclusive)} incl  ${e.name}`);
  console.log("by inclusive time:");
  for (const e of [...entries].sort((a, b) => b.inclusive - a.inclusive).slice(0, top))
    console.log(`${pct(e.inclusive)} incl ${pct(e.self)} self  ${e.name}`);
}

const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
const keep = process.argv.includes("--keep");
const top = Number(process.argv.find((a) => a.startsWith("--top="))?.slice("--top=".length) ?? 40);

if (!only || only === "real") {
  const dir = mkdtempSync(join(tmpdir(), "pod-profile-"));
  const real = await benchRealIngest({ objects: 400, concurrency: 32, profileDir: dir });
  console.log(
    `real mix: ${real.offersPerSecond.toFixed(0)} offers/s, ${real.podCpuMsPerDelivery.toFixed(2)} ms per delivery`,
  );
  print("real mix", dir, real.window, top);
  if (keep) console.log(`profiles kept in ${dir}, window ${JSON.stringify(real.window)}`);
  else rmSync(dir, { recursive: true, force: true });
}
if (!only || only === "notes") {
  const dir = mkdtempSync(join(tmpdir(), "pod-profile-"));
  const notes = await benchNoteIngest({ notes: 2000, authors: 20, concurrency: 32, profileDir: dir });
  console.log(`Mastodon posts: ${notes.notesPerSecond.toFixed(0)}/s, ${notes.podCpuMsPerNote.toFixed(2)} ms per post`);
  print("Mastodon-style posts", dir, notes.window, top);
  if (keep) console.log(`profiles kept in ${dir}, window ${JSON.stringify(notes.window)}`);
  else rmSync(dir, { recursive: true, force: true });
}
