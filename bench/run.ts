import { cpus, totalmem } from "node:os";
import { benchIngest } from "./ingest.ts";

const quick = process.argv.includes("--quick");
const machine = `${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.log(`# pods benchmarks — ${machine}\n`);

const ingest = await benchIngest({ activities: quick ? 500 : 4000, neighbors: quick ? 5 : 20, concurrency: 32 });
console.log("## Ingest through the real HTTP inbox (signature verification on)");
console.log(`activities: ${ingest.activities} from ${ingest.neighbors} neighbor pods, ${ingest.concurrency} in flight`);
console.log(`raw RSA-2048 verify (baseline, one core): ${ingest.rsaVerifyPerSecond.toFixed(0)}/s`);
console.log(`accepted (202): ${ingest.acceptedPerSecond.toFixed(0)}/s  (${((ingest.acceptedPerSecond / ingest.rsaVerifyPerSecond) * 100).toFixed(1)}% of raw verify)`);
console.log(`in the view:    ${ingest.ingestedPerSecond.toFixed(0)}/s  (${((ingest.ingestedPerSecond / ingest.rsaVerifyPerSecond) * 100).toFixed(1)}% of raw verify)`);
console.log(`pod CPU per activity: ${ingest.podCpuMsPerActivity.toFixed(2)} ms`);
console.log(`pod peak RSS: ${ingest.podPeakRssMb.toFixed(0)} MB\n`);
