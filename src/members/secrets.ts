import { createHash, randomBytes } from "node:crypto";

/** A fresh secret for a link or a cookie: 256 random bits. */
export const newSecret = () => randomBytes(32).toString("base64url");

/** What is stored of a secret: its SHA-256, so a copy of the database opens no session and no link. */
export const hashSecret = (secret: string) => createHash("sha256").update(secret).digest("hex");
