import Database from "better-sqlite3";
const db = new Database(":memory:");
db.exec(`CREATE TABLE f (pod_iri text not null, month text not null, metric_iri text not null, report_iri text not null, unit text not null, quantity_milli integer, fewer_than integer, version text not null, received_at text not null, PRIMARY KEY (pod_iri, month, metric_iri));
CREATE INDEX fm ON f (metric_iri, month);`);
const ins = db.prepare("INSERT INTO f VALUES (?,?,?,?,?,?,?,?,?)");
db.transaction(() => { for (let p=0;p<500;p++) for (let m=0;m<24;m++) for (let k=0;k<20;k++) ins.run(`https://pod${p}.example/users/pod`, `2025-${String(m%12+1).padStart(2,"0")}-${m}`, `https://w3id.org/pods/metrics/m${k}`, "r", "u", 1000, null, "v", "x"); })();
const q = db.prepare(`SELECT month, metric_iri, max(unit), coalesce(sum(quantity_milli),0), count(quantity_milli), count(*)-count(quantity_milli), max(fewer_than),
 CASE WHEN count(*) <= 50 THEN group_concat(pod_iri || ' ' || coalesce(fewer_than, ''), char(10)) END
 FROM f WHERE month >= ? AND month <= ? AND metric_iri = ? GROUP BY metric_iri, month ORDER BY month, metric_iri`);
console.log(db.prepare("EXPLAIN QUERY PLAN " + q.source).all("2025", "2026", "https://w3id.org/pods/metrics/m1"));
for (let i=0;i<5;i++){ const t=performance.now(); q.all("2025", "2026", "https://w3id.org/pods/metrics/m1"); console.log(performance.now()-t); }
