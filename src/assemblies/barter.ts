import { viewOf } from "../confederation/view-query.ts";
import type { PodDeps } from "../federation/deps.ts";
import { followsOf } from "../follows/room.ts";
import type { OffersService } from "../offers/service.ts";
import { htmlToText } from "../web/sanitize.ts";
import { isLocale, translator } from "../webapp/i18n/index.ts";
import { assemblyAgenda, type PodReport, type SubmittedProposal } from "./agenda.ts";
import { assemblyCrisesOf } from "./crisis.ts";
import type { Assembly } from "./model.ts";
import { assemblyPledgesOf, type KnownOffer } from "./pledges.ts";
import type { AssembliesRoom } from "./room.ts";
import { assemblyTable } from "./table.ts";

export interface BarterSources {
  /** Each pod's latest monthly report (the sovereignty room's figures, wired in pod.ts). */
  reports: (pods: string[]) => Promise<PodReport[]>;
}

/**
 * The assembly's working parts beside its record: the self-drafting agenda, the barter table with its pledges,
 * and crisis threads. Each reads the contributions that concern it as they enter the record (room.useReader).
 */
export function assemblyBarter(
  deps: PodDeps,
  room: AssembliesRoom,
  offers: Pick<OffersService, "claim">,
  sources: BarterSources,
) {
  const { config } = deps;
  const main = config.languages.find(isLocale) ?? "en";
  const t = translator(main);
  const nameOf = (iri: string) => {
    if (iri === room.self()) return config.name || URL.parse(iri)?.host || iri;
    const follows = followsOf(deps);
    const known = follows.getFollowing(iri) ?? follows.getFollower(iri);
    return known?.handle ?? URL.parse(iri)?.host ?? iri;
  };
  /** The pods taking part: the convener and every invited pod that has not declined or left. */
  const takingPart = async (assembly: Assembly) =>
    new Set([
      assembly.convenerIri,
      ...(await room.participants(assembly.id))
        .filter((p) => p.answer !== "rejected" && p.answer !== "left")
        .map((p) => p.actorIri),
    ]);
  const view = viewOf(deps);
  const table = (pods: ReadonlySet<string>) => assemblyTable(view, pods);
  const offerOf = async (assembly: Assembly, offerIri: string): Promise<KnownOffer | undefined> =>
    (await table(await takingPart(assembly))).offers.find((row) => row.iri === offerIri);

  const pledges = assemblyPledgesOf({
    deps,
    room,
    offers,
    takingPart,
    nameOf,
    offerOf,
    words: (key, params) => t(key === "pledge" ? "barter.pledgeSentence" : "barter.confirmedSentence", params),
  });
  const crises = assemblyCrisesOf(deps, room, (key, params) =>
    t(key === "crisis" ? "crisis.sentence" : "crisis.closedSentence", params),
  );
  let proposals = async (assembly: Assembly): Promise<SubmittedProposal[]> =>
    (await room.record(assembly.id, "proposal")).map((item) => ({
      iri: item.iri,
      authorIri: item.authorIri,
      title: htmlToText(item.contentHtml).slice(0, 120),
    }));
  const agenda = assemblyAgenda(deps, room, {
    takingPart,
    table,
    reports: sources.reports,
    openCrises: crises.openIn,
    proposals: (assembly) => proposals(assembly),
    nameOf,
    words: (key, params) => t(`agendaDraft.${key}`, params),
  });

  room.useReader({
    read: async (assembly, note) => (await pledges.read(assembly, note)) && (await crises.read(assembly, note)),
    structure: async (row, note) => crises.structure(row, await pledges.structure(row, note)),
  });

  return {
    agenda,
    pledges,
    crises,
    takingPart,
    nameOf,
    table: async (assembly: Assembly) => table(await takingPart(assembly)),
    /** The proposals room (asm-b's proposals.ts) gives the agenda its submitted proposals. */
    useProposals(source: (assembly: Assembly) => Promise<SubmittedProposal[]>): void {
      proposals = source;
    },
    inbox: { onUpdate: agenda.onUpdate },
  };
}

export type AssemblyBarter = ReturnType<typeof assemblyBarter>;
