import { Article, Link, Note, Person, Image, PUBLIC_COLLECTION } from "@fedify/vocab";
import { beforeAll, describe, expect, it } from "vitest";
import { actorToProfile, objectToPost } from "../../src/social/activitypub.ts";
import { converterContext, type ConverterContext } from "../support/converter-context.ts";

let env: ConverterContext;
beforeAll(async () => {
  env = await converterContext();
});

const author = new URL("https://masto.example/users/alice");

describe("remote posts and actors become statuses and accounts with only safe links", () => {
  it("a post's url is kept only when it is http(s) on the post's own host", async () => {
    const post = (url: URL | Link) =>
      new Note({
        id: new URL("https://masto.example/statuses/1"),
        attribution: author,
        url,
        content: "<p>hi</p>",
        to: PUBLIC_COLLECTION,
      });
    expect((await objectToPost(post(new URL("https://masto.example/@alice/1")), env.ctx)).url).toBe(
      "https://masto.example/@alice/1",
    );
    expect((await objectToPost(post(new URL("javascript:alert(1)")), env.ctx)).url).toBe(
      "https://masto.example/statuses/1",
    );
    expect((await objectToPost(post(new URL("https://elsewhere.example/1")), env.ctx)).url).toBe(
      "https://masto.example/statuses/1",
    );
    expect((await objectToPost(post(new Link({ href: new URL("data:text/html,x") })), env.ctx)).url).toBe(
      "https://masto.example/statuses/1",
    );
  });

  it("an Article becomes a linked title and its sanitised summary, built and then sanitised as a whole", async () => {
    const article = new Article({
      id: new URL("https://masto.example/articles/1"),
      attribution: author,
      url: new URL("javascript:alert(1)"),
      name: '"><script>x()</script>',
      summary: '<p>Gist<img src=x onerror="y()"></p>',
      to: PUBLIC_COLLECTION,
    });
    const post = await objectToPost(article, env.ctx);
    expect(post.content).not.toMatch(/javascript:|<script|onerror|<img/);
    expect(post.content).toContain('href="https://masto.example/articles/1"');
    expect(post.content).toContain("Gist");
  });

  it("an actor's links, avatar and inboxes are kept only when http(s); inboxes only on the actor's host", async () => {
    const profile = await actorToProfile(
      new Person({
        id: author,
        preferredUsername: "alice",
        url: new URL("javascript:alert(1)"),
        icon: new Image({ url: new URL("data:image/png;base64,AAAA") }),
        inbox: new URL("https://other.example/inbox"),
        summary: "<p>Hi<script>x()</script></p>",
      }),
      env.ctx,
    );
    expect(profile).toMatchObject({
      url: null,
      avatar: null,
      inbox: null,
      note: "<p>Hi</p>",
      username: "alice",
      host: "masto.example",
    });
  });
});
