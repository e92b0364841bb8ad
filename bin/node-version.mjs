// Plain JavaScript on purpose: this must run on any Node.js to tell people which one the pod needs
// (older ones cannot load the pod's .ts files and fail with an obscure error).

export const REQUIRED_MAJOR = 24;

/** The one line (engines in package.json says the same: >=24 <25) to print when this Node.js cannot run the pod, or null when it can. */
export function wrongNodeLine(version = process.versions.node) {
  const major = Number(String(version).split(".")[0]);
  return major === REQUIRED_MAJOR ? null : `This pod needs Node.js ${REQUIRED_MAJOR} (you have v${version})`;
}

/** Exits with that line (status 1) before anything of the pod is loaded. */
export function requireSupportedNode() {
  const line = wrongNodeLine();
  if (line) {
    process.stderr.write(`${line}\n`);
    process.exit(1);
  }
}
