import type { ViewItem } from "../confederation/view-present.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { Followed, Follower } from "./store.ts";

export const NEIGHBOR_NOTICES = ["followed", "unfollowed", "approved", "rejected", "reshared"] as const;
export type NeighborNotice = (typeof NEIGHBOR_NOTICES)[number];

export interface NeighborsState {
  following: Followed[];
  requests: Follower[];
  followers: Follower[];
  /** Live offers and needs of the pods this pod follows (its confederal view). */
  offers: ViewItem[];
  notice?: NeighborNotice;
  target?: string;
  errors?: FieldErrors;
}

const who = (row: { handle: string | null; actorIri: string }) => row.handle ?? row.actorIri;

/** A one-button form that posts one hidden value. */
function ActionButton(props: {
  ctx: PageContext;
  action: string;
  name: string;
  value: string;
  label: string;
  secondary?: boolean;
}) {
  return html`<form method="post" action=${props.action}>
    <${Csrf} ctx=${props.ctx} />
    <input type="hidden" name=${props.name} value=${props.value} />
    <button type="submit" class=${props.secondary ? "secondary" : undefined}>${props.label}</button>
  </form>`;
}

/** The pods this pod follows and that follow it: follow by handle, answer requests, unfollow, re-share. */
export function neighborsPage(ctx: PageContext, state: NeighborsState): Page {
  const { t } = ctx;
  return {
    title: t("content.neighbors.title"),
    status: state.errors ? 400 : 200,
    body: html`${state.notice && html`<${Notice} kind="ok">${t(`content.neighbors.${state.notice}`)}<//>`}
      ${state.errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      <section aria-labelledby="follow">
        <h2 id="follow">${t("content.neighbors.follow")}</h2>
        <form method="post" action="/app/neighbors/follow" class="stack">
          <${Csrf} ctx=${ctx} />
          <${Field}
            ctx=${ctx} name="target" label=${t("content.neighbors.handle")} hint=${t("content.neighbors.handleHint")}
            value=${state.target} errors=${state.errors} required autocomplete="off"
          />
          <button type="submit">${t("content.neighbors.followButton")}</button>
        </form>
      </section>
      <section aria-labelledby="requests">
        <h2 id="requests">${t("content.neighbors.requests", { count: state.requests.length })}</h2>
        ${state.requests.length === 0 && html`<p>${t("content.neighbors.noRequests")}</p>`}
        <ul class="cards">
          ${state.requests.map(
            (row) => html`<li>
              <p><strong>${who(row)}</strong></p>
              <p class="hint">${t("content.neighbors.asked", { at: ctx.time(row.createdAt) })}</p>
              <div class="actions">
                <${ActionButton}
                  ctx=${ctx} action="/app/neighbors/requests/approve" name="actor" value=${row.actorIri}
                  label=${t("content.neighbors.approve")}
                />
                <${ActionButton}
                  ctx=${ctx} action="/app/neighbors/requests/reject" name="actor" value=${row.actorIri}
                  label=${t("content.neighbors.reject")} secondary
                />
              </div>
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="following">
        <h2 id="following">${t("content.neighbors.following", { count: state.following.length })}</h2>
        ${state.following.length === 0 && html`<p>${t("content.neighbors.noFollowing")}</p>`}
        <ul class="cards">
          ${state.following.map(
            (row) => html`<li>
              <p><strong>${who(row)}</strong></p>
              <p class="hint">${t(`content.neighbors.state.${row.state}`)}</p>
              <${ActionButton}
                ctx=${ctx} action="/app/neighbors/unfollow" name="actor" value=${row.actorIri}
                label=${t("content.neighbors.unfollow")} secondary
              />
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="offers">
        <h2 id="offers">${t("content.neighbors.offers")}</h2>
        <p class="hint">${t("content.neighbors.offersHint")}</p>
        ${state.offers.length === 0 && html`<p>${t("content.neighbors.noOffers")}</p>`}
        <ul class="cards">
          ${state.offers.map(
            (item) => html`<li>
              <p><strong>${item.name}</strong></p>
              <p class="hint">
                ${[
                  t(`offers.kind.${item.kind as "offer" | "need"}`),
                  item.available !== null ? `${item.available} ${item.unit ?? ""}`.trim() : "",
                  item.area ?? "",
                  item.pod.name ?? item.pod.iri,
                ]
                  .filter(Boolean)
                  .join(" · ")}
              </p>
              <div class="actions">
                ${item.url && html`<a class="button secondary" href=${item.url}>${t("content.neighbors.open")}</a>`}
                <${ActionButton}
                  ctx=${ctx} action="/app/neighbors/reshare" name="iri" value=${item.iri}
                  label=${t("content.neighbors.reshare")}
                />
              </div>
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="followers">
        <h2 id="followers">${t("content.neighbors.followers", { count: state.followers.length })}</h2>
        ${state.followers.length === 0 && html`<p>${t("content.neighbors.noFollowers")}</p>`}
        <ul class="plain">
          ${state.followers.map((row) => html`<li>${who(row)}</li>`)}
        </ul>
      </section>`,
  };
}
