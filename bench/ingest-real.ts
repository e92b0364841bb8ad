/**
 * Pod-to-pod ingest at the real mix: every delivery a real sender pod made for the lives of its offers and
 * needs (Create, edit Update, claim Update: see ingest-capture.ts), replayed byte for byte — same signed
 * headers, same body — to the real pod that followed it and has not seen them, 32 in flight, counted until
 * every object is in its view in its last state. Printed beside the raw RSA-2048 verify rate measured in
 * the same run (each delivery costs at least one verify).
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { waitUntil } from "../test/support/pod-process.ts";
import { captureDeliveries, type CapturedDelivery } from "./ingest-capture.ts";
import { rsaVerifyRate } from "./ingest.ts";
import { type FloorOptions, type Floors, measureFloors } from "./floor.ts";
import { cpuSecondsOf, replay } from "./replay.ts";

export interface RealIngestResult {
  objects: number;
  warmUp: number;
  deliveries: number;
  /** Delivery types, e.g. "Create(Proposal)": count. */
  mix: Record<string, number>;
  concurrency: number;
  captureSeconds: number;
  offersPerSecond: number;
  deliveriesPerSecond: number;
  rsaVerifyPerSecond: number;
  podCpuMsPerDelivery: number;
  podCpuMsPerOffer: number;
  /** Deliveries the receiver logged as handled by Fedify's generic path (LOG_LEVEL=debug only; else null). */
  genericPath: number | null;
  /** The first such log line, to see what left the fast path. */
  genericPathSample: string | null;
  /** The measured stretch on the monotonic clock (µs), which CPU profiles' timestamps also use. */
  window: { startUs: number; endUs: number };
  /** The same deliveries to the least an inbox must do, and to HTTP alone (bench/floor.ts); null when skipped. */
  floor: Floors | null;
}

export interface RealIngestOptions {
  objects: number;
  /** Offers and needs whose deliveries go first, unmeasured: a pod's first hundred cost more (code still cold). */
  warmUp?: number;
  concurrency: number;
  /** A folder for a CPU profile of the receiving pod (node --cpu-prof). */
  profileDir?: string;
  /** The receiver's log level; "debug" counts the deliveries that left the fast path. */
  logLevel?: string;
  /** Also replay the deliveries to bench/floor.ts's two floors (after the pod, in the same run). */
  floor?: boolean;
}

/** The clock V8's CPU profiles stamp samples with (CLOCK_MONOTONIC), in µs. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

function mixOf(deliveries: CapturedDelivery[]): Record<string, number> {
  const mix: Record<string, number> = {};
  for (const { body } of deliveries) {
    const json = JSON.parse(body.toString("utf8")) as { type?: string; object?: { type?: string } };
    const key = `${json.type}(${json.object?.type ?? ""})`;
    mix[key] = (mix[key] ?? 0) + 1;
  }
  return mix;
}

export async function benchRealIngest(options: RealIngestOptions): Promise<RealIngestResult> {
  const rsaVerifyPerSecond = rsaVerifyRate();
  const receiverEnv: Record<string, string> = { LOG_LEVEL: options.logLevel ?? "error" };
  if (options.profileDir) {
    receiverEnv.NODE_OPTIONS = `--cpu-prof --cpu-prof-interval=500 --cpu-prof-dir=${options.profileDir}`;
  }
  const warmUp = options.warmUp ?? 100;
  let result: RealIngestResult;
  let floorInputs: FloorOptions | null = null;
  const capture = await captureDeliveries({ objects: warmUp + options.objects, parallel: 8, receiverEnv });
  try {
    const { receiver } = capture;
    const first = new Set(capture.objects.slice(0, warmUp));
    const objectOf = ({ body }: CapturedDelivery) =>
      (JSON.parse(body.toString("utf8")) as { object?: { id?: string } }).object?.id ?? "";
    const warming = capture.deliveries.filter((delivery) => first.has(objectOf(delivery)));
    const deliveries = capture.deliveries.filter((delivery) => !first.has(objectOf(delivery)));
    const objects = capture.objects.slice(warmUp);
    const view = new Database(join(receiver.dataDir, "pod.sqlite"), { readonly: true });
    // The last state of each life is the claim that took all of it: nothing left available.
    const settledOf = (iris: string[]) => {
      const statement = view.prepare(
        `SELECT count(*) AS n FROM view_objects WHERE available_milli = 0 AND iri IN (${iris.map(() => "?").join(", ")})`,
      );
      return () => (statement.get(...iris) as { n: number }).n;
    };
    const count = settledOf(objects);
    if (count() !== 0 || settledOf([...first])() !== 0)
      throw new Error("the receiver already had the captured objects");

    const target = new URL(capture.bindUrl);
    const sendAll = (batch: CapturedDelivery[]) => replay(target, batch, options.concurrency, receiver.logs);
    await sendAll(warming);
    const warmed = settledOf([...first]);
    await waitUntil(() => warmed() >= first.size, 300_000, 10);

    const pid = receiver.pid();
    const cpuBefore = cpuSecondsOf(pid);
    const startUs = monotonicUs();
    const started = performance.now();
    await sendAll(deliveries);
    await waitUntil(() => count() >= objects.length, 300_000, 10);
    const seconds = (performance.now() - started) / 1000;
    const cpuMs = (cpuSecondsOf(pid) - cpuBefore) * 1000;
    const window = { startUs, endUs: monotonicUs() };
    view.close();
    // The floors run once the pods have stopped (below), with the same deliveries and the sender's key.
    if (options.floor) {
      const actor = await capture.sender.getActivityPub(capture.sender.actorUrl);
      const key = [actor.publicKey].flat()[0] as { id: string; publicKeyPem: string };
      floorInputs = {
        warmUp: warming,
        measured: deliveries,
        keys: { [key.id]: key.publicKeyPem },
        host: new URL(capture.publicUrl).host,
        concurrency: options.concurrency,
      };
    }
    const logs = receiver.logs();
    const generic = logs.split("\n").filter((line) => line.includes('"inbox generic path"'));
    const genericPath = options.logLevel === "debug" ? generic.length : null;
    result = {
      objects: objects.length,
      warmUp,
      deliveries: deliveries.length,
      mix: mixOf(deliveries),
      concurrency: options.concurrency,
      captureSeconds: capture.captureSeconds,
      offersPerSecond: objects.length / seconds,
      deliveriesPerSecond: deliveries.length / seconds,
      rsaVerifyPerSecond,
      podCpuMsPerDelivery: cpuMs / deliveries.length,
      podCpuMsPerOffer: cpuMs / objects.length,
      genericPath,
      genericPathSample: generic[0] ?? null,
      window,
      floor: null,
    };
  } finally {
    await capture.close();
  }
  if (floorInputs) result.floor = await measureFloors(floorInputs);
  return result;
}
