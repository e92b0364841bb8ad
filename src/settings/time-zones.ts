/**
 * Zones the runtime lists by names IANA has since replaced: ICU keeps CLDR's identifiers (Asia/Calcutta,
 * Europe/Kiev). Each pair names the same zone and both are accepted; the form offers the name people look for.
 */
const CURRENT_NAMES: Readonly<Record<string, string>> = {
  "Africa/Asmera": "Africa/Asmara",
  "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
  "America/Catamarca": "America/Argentina/Catamarca",
  "America/Coral_Harbour": "America/Atikokan",
  "America/Cordoba": "America/Argentina/Cordoba",
  "America/Godthab": "America/Nuuk",
  "America/Indianapolis": "America/Indiana/Indianapolis",
  "America/Jujuy": "America/Argentina/Jujuy",
  "America/Louisville": "America/Kentucky/Louisville",
  "America/Mendoza": "America/Argentina/Mendoza",
  "Asia/Calcutta": "Asia/Kolkata",
  "Asia/Katmandu": "Asia/Kathmandu",
  "Asia/Rangoon": "Asia/Yangon",
  "Asia/Saigon": "Asia/Ho_Chi_Minh",
  "Atlantic/Faeroe": "Atlantic/Faroe",
  "Europe/Kiev": "Europe/Kyiv",
  "Pacific/Enderbury": "Pacific/Kanton",
  "Pacific/Ponape": "Pacific/Pohnpei",
  "Pacific/Truk": "Pacific/Chuuk",
};

/** A zone by the name the form offers it under. */
export const offeredName = (zone: string): string => CURRENT_NAMES[zone] ?? zone;

let offered: readonly string[] | undefined;

/** The time zones the form offers, by current IANA names, sorted. */
export function offeredTimeZones(): readonly string[] {
  offered ??= Intl.supportedValuesOf("timeZone")
    .map(offeredName)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return offered;
}
