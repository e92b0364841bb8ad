/**
 * The read bench's baseline: a bare Fastify route in a process of its own, driven by the same client
 * over the same number of connections as the pod. Prints "listening <port>" once ready.
 */
import Fastify from "fastify";

const app = Fastify();
app.get("/baseline", async () => ({ items: [] }));
await app.listen({ host: "127.0.0.1", port: 0 });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === "object" && address ? address.port : 0}\n`);
process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
