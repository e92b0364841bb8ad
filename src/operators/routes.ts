import type { MessageQueue } from "@fedify/fedify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { PodDeps } from "../federation/deps.ts";
import { podStatus } from "./status.ts";
import { rotateToken } from "./service.ts";
import { roomsOf } from "../db/room-db.ts";

interface Options {
  deps: PodDeps;
  queue: MessageQueue;
}

/** Operator routes about the pod itself (mounted under the admin prefix, token required). */
export const operatorRoutes: FastifyPluginAsyncZod<Options> = async (app, { deps, queue }) => {
  app.get("/status", async () => podStatus(deps, queue));
  app.post("/token/rotate", async () => ({ token: await rotateToken(roomsOf(deps)) }));
};
