import type { AssemblyBarter } from "./assemblies/barter.ts";
import type { AssembliesRoom } from "./assemblies/room.ts";
import type { AssemblyOutcomes } from "./assemblies/outcomes.ts";
import type { ChartersService } from "./charters/service.ts";
import type { ConfederationService } from "./confederation/service.ts";
import type { FollowActions } from "./follows/federation.ts";
import type { MemoryRoom } from "./memory/room.ts";
import type { MembersService } from "./members/service.ts";
import type { ModerationService } from "./moderation/service.ts";
import type { OffersService } from "./offers/service.ts";
import type { PracticesService } from "./practices/service.ts";
import type { RequestsService } from "./requests/service.ts";
import type { RotationRoom } from "./rotation/room.ts";
import type { SettingsService } from "./settings/service.ts";
import type { SocialService } from "./social/service.ts";
import type { SovereigntyService } from "./sovereignty/service.ts";

/**
 * The rooms' services: what routes, the CLI and federation dispatchers call. Its own module (not pod.ts,
 * which builds the federation) so the federation can name them without an import cycle.
 */
export interface PodServices {
  follows: FollowActions;
  offers: OffersService;
  charters: ChartersService;
  practices: PracticesService;
  memory: MemoryRoom;
  confederation: ConfederationService;
  social: SocialService;
  members: MembersService;
  moderation: ModerationService;
  settings: SettingsService;
  requests: RequestsService;
  rotation: RotationRoom;
  sovereignty: SovereigntyService;
  assemblies: AssembliesRoom;
  assemblyOutcomes: AssemblyOutcomes;
  assemblyBarter: AssemblyBarter;
}
