/** Messages of the app's signin pages, English and Spanish (spread into the catalogs in ../en.ts and ../es.ts). */
export const signinEn = {} as const;

export const signinEs: Record<keyof typeof signinEn, string> = {};
