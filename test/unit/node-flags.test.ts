import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { podNodeFlags } from "../support/node-flags.ts";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("every launcher runs the pod with npm start's Node.js flags (tests and benches start pods with them)", () => {
  it("npm start has flags, and npm run web and worker the same", () => {
    expect(podNodeFlags()).toEqual(["--max-semi-space-size=8"]);
    expect(podNodeFlags("web")).toEqual(podNodeFlags());
    expect(podNodeFlags("worker")).toEqual(podNodeFlags());
  });

  it("the Docker image, Compose and the systemd unit", () => {
    const flags = podNodeFlags();
    const command = (entry: string) => JSON.stringify(["node", ...flags, entry]).replaceAll(",", ", ");
    expect(read("Dockerfile")).toContain(`CMD ${command("bin/start.mjs")}`);
    const compose = read("deploy/docker-compose.yml");
    for (const role of ["web", "worker"]) expect(compose).toContain(command(`bin/${role}.mjs`));
    expect(read("docs/pods.service")).toContain(`ExecStart=${["/usr/bin/node", ...flags, "bin/start.mjs"].join(" ")}`);
  });
});
