const { prepareLoading } = await import("./bin/loading.mjs");
prepareLoading();
const t0 = performance.now();
for (const m of process.argv.slice(2)) {
  const t = performance.now();
  await import(m);
  console.log(m.padEnd(40), (performance.now() - t).toFixed(0), "ms");
}
console.log("total", (performance.now() - t0).toFixed(0), "ms; cpu", (process.cpuUsage().user / 1000).toFixed(0));
