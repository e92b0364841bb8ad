/** The app's menu: the header's "All pages" and its groups, English and Spanish (spread into ../en.ts and ../es.ts). */
export const menuEn = {
  "menu.nav": "All pages",
  "menu.title": "All pages",
  "menu.intro": "Everything in the pod's app, grouped. The header keeps the pages used most.",
  "menu.group.aid": "Aid",
  "menu.group.people": "People and roles",
  "menu.group.memory": "Memory and charter",
  "menu.group.pod": "The pod",
  "menu.group.you": "You",
};

export const menuEs: Record<keyof typeof menuEn, string> = {
  "menu.nav": "Todas las páginas",
  "menu.title": "Todas las páginas",
  "menu.intro": "Todo lo que hay en la aplicación del pod, por grupos. Arriba quedan las páginas más usadas.",
  "menu.group.aid": "Ayuda",
  "menu.group.people": "Personas y roles",
  "menu.group.memory": "Memoria y carta",
  "menu.group.pod": "El pod",
  "menu.group.you": "Tú",
};
