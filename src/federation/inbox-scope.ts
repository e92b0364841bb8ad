import { AsyncLocalStorage } from "node:async_hooks";
import type { Context } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import { preloadedContexts, type DocumentLoader } from "@fedify/vocab-runtime";

/** Remote documents one inbox activity may make the pod fetch, and how long its handling may fetch for. */
export const INBOX_FETCHES = 16;
export const INBOX_BUDGET_MS = 10_000;

/** What the signature guard established for the inbox request being handled. */
export interface InboxScope {
  actorIri: string;
  fetchesLeft: number;
  deadline: number;
}

const scope = new AsyncLocalStorage<InboxScope>();

export class FetchBudgetExceeded extends Error {
  override name = "FetchBudgetExceeded";
}

/** Runs Fedify's handling of one verified inbox request inside its scope (actor, fetch budget, deadline). */
export function withinInboxScope<T>(actorIri: string, run: () => Promise<T>): Promise<T> {
  return scope.run({ actorIri, fetchesLeft: INBOX_FETCHES, deadline: Date.now() + INBOX_BUDGET_MS }, run);
}

/** A loader that spends the current inbox request's budget: a bounded count of fetches, each within the deadline. */
export function budgeted(loader: DocumentLoader, budget: InboxScope): DocumentLoader {
  return (url, options) => {
    // Preloaded contexts are served from memory: they cost nothing and are not counted.
    if (Object.hasOwn(preloadedContexts, url)) return loader(url, options);
    const left = budget.deadline - Date.now();
    if (budget.fetchesLeft <= 0 || left <= 0) {
      return Promise.reject(new FetchBudgetExceeded(`inbox fetch budget spent (${url})`));
    }
    budget.fetchesLeft--;
    const deadline = AbortSignal.timeout(left);
    const signal = options?.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    return loader(url, { ...options, signal });
  };
}

/**
 * Points a context made for one inbox activity at the current request's budget (its loaders are plain
 * fields: ContextImpl). False outside a guarded request.
 */
export function spendInboxBudget(ctx: Context<null>): boolean {
  const current = scope.getStore();
  if (!current) return false;
  const loaders = ctx as { documentLoader: DocumentLoader; contextLoader: DocumentLoader };
  loaders.documentLoader = budgeted(ctx.documentLoader, current);
  loaders.contextLoader = budgeted(ctx.contextLoader, current);
  return true;
}

/**
 * Wraps an inbox listener: it runs only for the actor the signature guard verified (so no JSON-LD reading of
 * the body can make Fedify see another actor), and every fetch it causes spends the request's budget.
 * Outside a guarded request (which the adapter never lets happen) nothing runs.
 */
export function guardedListener<C extends Context<null>, A extends Activity>(
  handler: (ctx: C, activity: A) => unknown,
  onRefused: (reason: string, activity: A) => void,
): (ctx: C, activity: A) => Promise<void> {
  return async (ctx, activity) => {
    const current = scope.getStore();
    if (!current) return onRefused("no verified inbox request", activity);
    const actors = activity.actorIds.map((iri) => iri.href);
    if (actors.length !== 1 || actors[0] !== current.actorIri) {
      return onRefused("the activity's actor is not the signer", activity);
    }
    // The inbox context is made for this one activity.
    spendInboxBudget(ctx);
    await handler(ctx, activity);
  };
}
