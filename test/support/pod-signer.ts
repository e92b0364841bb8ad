import { createPrivateKey } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { PodProcess } from "./pod-process.ts";

/**
 * A pod process's own RSA key and key id, read from its data directory (read-only), so a test can make a
 * GET signed as that pod (an authorized fetch) with signedGet from remote-actor.ts.
 */
export async function signerOf(pod: PodProcess): Promise<{ keyId: string; privateKeyPem: string }> {
  const database = new Database(join(pod.dataDir, "pod.sqlite"), { readonly: true });
  try {
    const row = database.prepare("SELECT private_jwk FROM actor_keys WHERE algorithm = 'RSASSA-PKCS1-v1_5'").get() as {
      private_jwk: string;
    };
    const privateKeyPem = createPrivateKey({ key: JSON.parse(row.private_jwk), format: "jwk" })
      .export({ type: "pkcs8", format: "pem" })
      .toString();
    const actor = (await pod.getActivityPub(pod.actorUrl)) as { publicKey: { id: string } | { id: string }[] };
    const keyId = [actor.publicKey].flat()[0]!.id;
    return { keyId, privateKeyPem };
  } finally {
    database.close();
  }
}
