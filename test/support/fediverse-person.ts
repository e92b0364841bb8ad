import { startRemoteActor, type RemoteActor } from "./remote-actor.ts";

/** A fediverse account (a test actor with WebFinger) that receives the pod's private messages. */
export interface FediversePerson extends RemoteActor {
  handle: string;
  /** The notes the pod delivered to this person's inbox, parsed. */
  notes(): { activity: any; text: string }[];
  /** The first 8-digit code in the n-th note (waiting for it to arrive). */
  code(n: number): Promise<string>;
}

export async function startFediversePerson(username: string): Promise<FediversePerson> {
  const actor = await startRemoteActor(username, {
    serve: (url) =>
      url.pathname === "/.well-known/webfinger"
        ? {
            subject: `acct:${username}@${url.host}`,
            links: [{ rel: "self", type: "application/activity+json", href: `${url.origin}/users/${username}` }],
          }
        : undefined,
  });
  const notes = () =>
    actor.inbox.map((request) => {
      const activity = JSON.parse(request.body.toString("utf8"));
      return { activity, text: String(activity.object?.content ?? "") };
    });
  return {
    ...actor,
    handle: `${username}@${new URL(actor.origin).host}`,
    notes,
    async code(n: number) {
      for (let i = 0; i < 200; i++) {
        const note = notes()[n];
        const code = note && /\b(\d{8})\b/.exec(note.text)?.[1];
        if (code) return code;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no code in note ${n} (received ${actor.inbox.length})`);
    },
  };
}
