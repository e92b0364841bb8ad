/** A browser-like HTTP client for the web app's forms: keeps cookies, reads each page's CSRF token. */
export class WebClient {
  readonly cookies = new Map<string, string>();
  lastToken = "";
  readonly base: string;
  readonly headers: Record<string, string>;
  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async get(path: string): Promise<{ status: number; html: string; location: string | null }> {
    const response = await fetch(new URL(path, this.base), {
      headers: { ...this.headers, cookie: this.cookieHeader() },
      redirect: "manual",
    });
    this.keep(response);
    const html = await response.text();
    this.lastToken = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? this.lastToken;
    return { status: response.status, html, location: response.headers.get("location") };
  }

  /** Posts a form; the last page's CSRF token is added unless `_csrf` is given (or set to null to leave it out). */
  async post(
    path: string,
    fields: Record<string, string | null>,
  ): Promise<{ status: number; html: string; location: string | null }> {
    const body = new URLSearchParams();
    const withToken = { _csrf: this.lastToken, ...fields };
    for (const [name, value] of Object.entries(withToken)) if (value !== null) body.set(name, value);
    const response = await fetch(new URL(path, this.base), {
      method: "POST",
      headers: { ...this.headers, cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      body,
      redirect: "manual",
    });
    this.keep(response);
    return { status: response.status, html: await response.text(), location: response.headers.get("location") };
  }
}

/** Posts JSON as the app's own script does (the page's CSRF token in a header); returns the parsed answer. */
export async function postJson(
  client: WebClient,
  path: string,
  body: unknown,
): Promise<{ status: number; body: any; setCookies: string[] }> {
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  const response = await fetch(new URL(path, client.base), {
    method: "POST",
    headers: { ...client.headers, cookie, "content-type": "application/json", "csrf-token": client.lastToken },
    body: JSON.stringify(body),
    redirect: "manual",
  });
  const setCookies = response.headers.getSetCookie();
  for (const line of setCookies) {
    const [pair = ""] = line.split(";");
    const at = pair.indexOf("=");
    const value = pair.slice(at + 1);
    if (/Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line) || value === "") client.cookies.delete(pair.slice(0, at));
    else client.cookies.set(pair.slice(0, at), value);
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: response.status, body: parsed, setCookies };
}

/** Runs the first-run setup through the link the pod printed; returns the coordinator's signed-in client. */
export async function setUpPod(
  url: string,
  logs: string,
  account = { displayName: "Ana", username: "ana", password: "a long enough password" },
) {
  const link = /\/app\/setup\/[\w-]+/.exec(logs)?.[0];
  if (!link) throw new Error("no setup link in the pod's output");
  const client = new WebClient(url);
  await client.get(link);
  const made = await client.post(link, account);
  if (made.status !== 303) throw new Error(`setup failed: ${made.status}\n${made.html}`);
  return client;
}
