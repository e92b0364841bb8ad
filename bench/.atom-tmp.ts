import { benchView } from "./view.ts";
const r = await benchView({ pods: 50, offersPerPod: 200, iterations: 1500 });
console.log(JSON.stringify(r.timings.map((t) => [t.name.slice(0, 20), t.p50.toFixed(2), t.p99.toFixed(2)])));
