/** Messages of rotation and care, English and Spanish (spread into the catalogs in ../en.ts and ../es.ts). */
export const rotationEn = {
  "rota.reason.leastRecent": "{member}: held {role} least recently (last in {period}).",
  "rota.reason.neverHeld": "{member}: has the skills for {role} and has not held it yet.",
  "rota.reason.shadowedBefore": "{member}: shadowed {role} before and now holds it.",
  "rota.reason.shadow": "{member} shadows {holder}: new to {role} (to learn: {skills}).",
  "rota.reason.unfilled": "No one can take this {role} seat:",
  "rota.cause.unavailable": "unavailable ({names})",
  "rota.cause.risk": "above their risk limit ({names})",
  "rota.cause.declines": "said no to this role ({names})",
  "rota.cause.busy": "already holding a seat ({names})",
  "rota.cause.tenure": "at the tenure limit ({names})",
  "rota.cause.newcomer": "new to the role, can only shadow ({names})",
  "rota.cause.nobody": "the pod has no members yet",
} as const;

export const rotationEs: Record<keyof typeof rotationEn, string> = {
  "rota.reason.leastRecent": "{member}: es quien hace más tiempo tuvo el rol {role} (la última vez en {period}).",
  "rota.reason.neverHeld": "{member}: tiene las habilidades para {role} y aún no lo ha tenido.",
  "rota.reason.shadowedBefore": "{member}: acompañó en {role} antes y ahora lo toma.",
  "rota.reason.shadow": "{member} acompaña a {holder}: es nueva en {role} (por aprender: {skills}).",
  "rota.reason.unfilled": "Nadie puede tomar este puesto de {role}:",
  "rota.cause.unavailable": "no disponibles ({names})",
  "rota.cause.risk": "por encima de su límite de riesgo ({names})",
  "rota.cause.declines": "dijeron que no a este rol ({names})",
  "rota.cause.busy": "ya tienen un puesto ({names})",
  "rota.cause.tenure": "en el límite de permanencia ({names})",
  "rota.cause.newcomer": "nuevas en el rol, solo pueden acompañar ({names})",
  "rota.cause.nobody": "el pod aún no tiene miembros",
};
