import type { Change } from "diff";
import type { ViewItem } from "../confederation/view-present.ts";
import { Csrf, Field, html, Notice, type FieldErrors, type Page, type PageContext } from "../webapp/html.ts";
import type { Entry, EntryKind, Revision } from "./model.ts";
import { KIND_LABEL } from "./pages.ts";

/** The entry fields as the form holds them. */
export const ENTRY_FIELDS = [
  "title",
  "summary",
  "body",
  "decidedBy",
  "alternatives",
  "reviewOn",
  "learned",
  "changed",
  "changeNote",
  "visibility",
] as const;
export type EntryValues = Partial<Record<(typeof ENTRY_FIELDS)[number], string>>;

const BODY_LABEL = {
  decision: "memory.field.why",
  workflow: "memory.field.steps",
  lesson: "memory.field.happened",
} as const;

function EntryCards({ ctx, rows }: { ctx: PageContext; rows: Entry[] }) {
  const { t } = ctx;
  if (rows.length === 0) return html`<p>${t("memory.none")}</p>`;
  return html`<ul class="cards">
    ${rows.map(
      (row) => html`<li>
        <p><a href=${`/app/memory/${row.id}`}><strong>${row.title}</strong></a></p>
        <p class="hint">
          ${[
            t(`memory.visibility.${row.visibility}`),
            row.status === "withdrawn" ? t("memory.withdrawn") : "",
            row.kind === "workflow" ? t("memory.revision", { number: row.revision }) : "",
            row.kind === "decision" && row.reviewOn ? t("memory.reviewOnShort", { day: row.reviewOn }) : "",
            row.supersededBy ? t("memory.superseded") : "",
            ctx.time(row.updatedAt),
          ]
            .filter(Boolean)
            .join(" · ")}
        </p>
      </li>`,
    )}
  </ul>`;
}

export function SearchForm({ ctx, q }: { ctx: PageContext; q: string }) {
  return html`<form method="get" action="/app/memory/search" role="search" class="stack">
    <div class="field">
      <label for="memory-q">${ctx.t("memory.search.label")}</label>
      <input id="memory-q" name="q" type="search" value=${q} maxlength="200" />
    </div>
    <button type="submit">${ctx.t("memory.search.button")}</button>
  </form>`;
}

/** Decisions whose review day has come, for coordinators: the dashboard and the memory page show them. */
export function ReviewsDue({ ctx, rows }: { ctx: PageContext; rows: Entry[] }) {
  if (rows.length === 0) return null;
  return html`<section aria-labelledby="reviews" class="notice">
    <h2 id="reviews">${ctx.t("memory.reviews.title")}</h2>
    <ul>
      ${rows.map(
        (row) =>
          html`<li>
            <a href=${`/app/memory/${row.id}`}>${row.title}</a> · ${ctx.t("memory.reviewOnShort", { day: row.reviewOn! })}
          </li>`,
      )}
    </ul>
  </section>`;
}

export function memoryListPage(
  ctx: PageContext,
  rows: Entry[],
  reviews: Entry[],
  neighbors: ViewItem[],
  notice?: "saved" | "withdrawn",
): Page {
  const { t } = ctx;
  const section = (kind: EntryKind, heading: string) => html`<section aria-labelledby=${`k-${kind}`}>
    <h2 id=${`k-${kind}`}>${heading}</h2>
    <p class="actions"><a class="button" href=${`/app/memory/new?kind=${kind}`}>${t(`memory.new.${kind}`)}</a></p>
    <${EntryCards} ctx=${ctx} rows=${rows.filter((r) => r.kind === kind)} />
  </section>`;
  return {
    title: t("memory.title"),
    body: html`${notice && html`<${Notice} kind="ok">${t(`memory.done.${notice}`)}<//>`}
      <p>${t("memory.intro")}</p>
      <${ReviewsDue} ctx=${ctx} rows=${reviews} />
      <${SearchForm} ctx=${ctx} q="" />
      <p><a href="/app/memory/guides">${t("memory.guides.link")}</a></p>
      ${section("decision", t("memory.decisions"))} ${section("workflow", t("memory.workflows"))}
      ${section("lesson", t("memory.lessons"))}
      <section aria-labelledby="neighbors">
        <h2 id="neighbors">${t("memory.neighbors")}</h2>
        ${neighbors.length === 0 && html`<p>${t("memory.none")}</p>`}
        <ul class="cards">
          ${neighbors.map(
            (item) => html`<li>
              <p><strong>${item.name}</strong></p>
              <p class="hint">${item.pod.name ?? item.pod.iri}</p>
              <p class="actions">
                <a class="button" href=${`/app/memory/new?adapt=${encodeURIComponent(item.iri)}`}
                  >${t("memory.view.adapt")}</a
                >
              </p>
            </li>`,
          )}
        </ul>
      </section>`,
  };
}

export interface EntryFormState {
  kind: EntryKind;
  values: EntryValues;
  errors?: FieldErrors;
  entry?: Entry;
  revisions?: Revision[];
  /** Other decisions this one can be superseded by. */
  decisions?: Entry[];
  /** The practice a promoted lesson became (its public path). */
  practicePath?: string;
  /** The neighbor's workflow being adapted: its name and IRI. */
  adapting?: { name: string; iri: string };
}

/** Write or change an entry; on an existing one, its visibility, revisions and the kind's own actions. */
export function entryFormPage(ctx: PageContext, state: EntryFormState): Page {
  const { t } = ctx;
  const { values, errors, entry, kind } = state;
  const field = (name: keyof EntryValues, label: Parameters<typeof t>[0], extra: Record<string, unknown> = {}) =>
    html`<${Field} ctx=${ctx} name=${name} label=${t(label)} value=${values[name]} errors=${errors} ...${extra} />`;
  const action = entry ? `/app/memory/${entry.id}` : "/app/memory";
  const visibility = values.visibility === "public" ? "public" : "internal";
  return {
    title: entry ? t("memory.editTitle", { title: entry.title }) : t(`memory.new.${kind}`),
    status: errors ? 400 : 200,
    body: html`${errors && html`<${Notice} kind="error">${t("error.form")}<//>`}
      ${state.adapting && html`<p>${t("memory.adapting", { title: state.adapting.name })}</p>`}
      <form method="post" action=${action} class="stack">
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="kind" value=${kind} />
        ${state.adapting && html`<input type="hidden" name="adaptedFrom" value=${state.adapting.iri} />`}
        ${field("title", kind === "decision" ? "memory.field.what" : "memory.field.title", { required: true })}
        ${field("summary", "memory.field.summary", { required: true, multiline: true, hint: t("memory.field.summaryHint") })}
        ${field("body", BODY_LABEL[kind], { multiline: true, hint: t("memory.field.markdown") })}
        ${kind === "decision" && field("decidedBy", "memory.field.decidedBy", { hint: t("memory.field.decidedByHint") })}
        ${kind === "decision" && field("alternatives", "memory.field.alternatives", { multiline: true })}
        ${kind === "decision" && field("reviewOn", "memory.field.reviewOn", { type: "date" })}
        ${kind === "lesson" && field("learned", "memory.field.learned", { multiline: true })}
        ${kind === "lesson" && field("changed", "memory.field.changed", { multiline: true })}
        ${kind === "workflow" && entry && field("changeNote", "memory.field.changeNote", { hint: t("memory.field.changeNoteHint") })}
        ${
          !entry &&
          html`<fieldset>
            <legend>${t("memory.visibility.legend")}</legend>
            ${(["internal", "public"] as const).map(
              (v) => html`<div class="check">
                <input type="radio" id=${`vis-${v}`} name="visibility" value=${v} checked=${visibility === v} />
                <label for=${`vis-${v}`}>${t(`memory.visibility.${v}Long`)}</label>
              </div>`,
            )}
          </fieldset>`
        }
        <p class="actions"><button type="submit">${t("memory.save")}</button></p>
      </form>
      ${entry && html`<${EntryActions} ctx=${ctx} state=${state} entry=${entry} />`}`,
  };
}

function EntryActions({ ctx, state, entry }: { ctx: PageContext; state: EntryFormState; entry: Entry }) {
  const { t } = ctx;
  const other = entry.visibility === "public" ? "internal" : "public";
  return html`<section aria-labelledby="visibility">
      <h2 id="visibility">${t("memory.visibility.legend")}</h2>
      <p>${t(`memory.visibility.${entry.visibility}Long`)}</p>
      ${entry.publicationId && html`<p><a href=${`/memory/${entry.publicationId}`}>${t("memory.publicPage")}</a></p>`}
      <form method="post" action=${`/app/memory/${entry.id}/visibility`}>
        <${Csrf} ctx=${ctx} />
        <input type="hidden" name="visibility" value=${other} />
        <button type="submit" class="secondary">${t(`memory.make.${other}`)}</button>
      </form>
    </section>
    ${
      entry.kind === "workflow" &&
      html`<section aria-labelledby="revisions">
        <h2 id="revisions">${t("memory.revisions")}</h2>
        <ul>
          ${(state.revisions ?? []).map(
            (r) => html`<li>
              ${t("memory.revision", { number: r.number })} · ${ctx.time(r.createdAt)}
              ${r.changeNote && html` · ${r.changeNote}`}
              ${
                r.number > 1 &&
                html` · <a href=${`/app/memory/${entry.id}/diff?from=${r.number - 1}&to=${r.number}`}
                    >${t("memory.diff.link", { from: r.number - 1, to: r.number })}</a
                  >`
              }
            </li>`,
          )}
        </ul>
      </section>`
    }
    ${
      entry.kind === "decision" &&
      (state.decisions ?? []).length > 0 &&
      html`<section aria-labelledby="supersede">
        <h2 id="supersede">${t("memory.supersede.title")}</h2>
        <form method="post" action=${`/app/memory/${entry.id}/supersede`} class="stack">
          <${Csrf} ctx=${ctx} />
          <div class="field">
            <label for="by">${t("memory.supersede.by")}</label>
            <select id="by" name="by">
              ${state.decisions!.map((d) => html`<option value=${d.id} selected=${entry.supersededBy === d.id}>${d.title}</option>`)}
            </select>
          </div>
          <button type="submit" class="secondary">${t("memory.supersede.button")}</button>
        </form>
      </section>`
    }
    ${
      entry.kind === "lesson" &&
      html`<section aria-labelledby="promote">
        <h2 id="promote">${t("memory.promote.title")}</h2>
        ${
          state.practicePath
            ? html`<p>${t("memory.promote.done")} <a href=${state.practicePath}>${t("memory.promote.open")}</a></p>`
            : entry.visibility !== "public"
              ? html`<p class="hint">${t("memory.promote.publicFirst")}</p>`
              : html`<p class="hint">${t("memory.promote.hint")}</p>
                <form method="post" action=${`/app/memory/${entry.id}/promote`}>
                  <${Csrf} ctx=${ctx} />
                  <button type="submit" class="secondary">${t("memory.promote.button")}</button>
                </form>`
        }
      </section>`
    }
    <section aria-labelledby="withdraw">
      <h2 id="withdraw">${t("memory.withdraw")}</h2>
      <p class="hint">${t("memory.withdrawHint")}</p>
      <form method="post" action=${`/app/memory/${entry.id}/withdraw`}>
        <${Csrf} ctx=${ctx} />
        <button type="submit" class="secondary">${t("memory.withdraw")}</button>
      </form>
    </section>`;
}

/** A withdrawn entry: what it was, no form. */
export function withdrawnEntryPage(ctx: PageContext, entry: Entry): Page {
  return {
    title: entry.title,
    body: html`<p>${ctx.t("memory.withdrawn")} · ${ctx.time(entry.updatedAt)}</p>
      <p>${entry.summary}</p>`,
  };
}

/** Two revisions of a workflow, line by line: added lines marked, removed lines struck. */
export function diffPage(ctx: PageContext, entry: Entry, from: number, to: number, changes: Change[]): Page {
  const { t } = ctx;
  return {
    title: t("memory.diff.title", { title: entry.title, from, to }),
    body: html`<p><a href=${`/app/memory/${entry.id}`}>${t("memory.back")}</a></p>
      <div class="memory-diff" role="region" aria-label=${t("memory.diff.label")} tabindex="0">
        ${changes.flatMap((change) =>
          change.value
            .replace(/\n$/, "")
            .split("\n")
            .map((line) =>
              change.added
                ? html`<ins><span class="visually-hidden">${t("memory.diff.added")} </span>+ ${line}</ins>`
                : change.removed
                  ? html`<del><span class="visually-hidden">${t("memory.diff.removed")} </span>- ${line}</del>`
                  : html`<span>${"  "}${line}</span>`,
            ),
        )}
      </div>`,
  };
}

export function searchPage(ctx: PageContext, q: string, rows: Entry[]): Page {
  const { t } = ctx;
  return {
    title: t("memory.search.title"),
    body: html`<${SearchForm} ctx=${ctx} q=${q} />
      ${
        q &&
        (rows.length
          ? html`<ul class="cards">
              ${rows.map(
                (row) => html`<li>
                  <p>
                    <span class="hint">${t(KIND_LABEL[row.kind])}</span>${" · "}
                    <a href=${`/app/memory/${row.id}`}>${row.title}</a>
                  </p>
                  <p>${row.summary}</p>
                </li>`,
              )}
            </ul>`
          : html`<p>${t("memory.search.none")}</p>`)
      }`,
  };
}

/** The dashboard's line for coordinators: decisions due for review, or nothing. */
export const reviewsBlock = (ctx: PageContext, due: Entry[]) =>
  due.length > 0
    ? html`<p><a href="/app/memory">${ctx.t("memory.reviews.dashboard", { count: due.length })}</a></p>`
    : undefined;
