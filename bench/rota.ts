import { generateRota, RISK_LEVELS, type MemberSpec, type RoleSpec } from "../src/rotation/generator.ts";

/**
 * A year of weekly rotas for a large pod: 200 members, 20 roles, 52 weeks (the rotation issue's target: under
 * 1 s). Seeded and deterministic; the baseline is a round-robin assignment of the same seats in the same run.
 */
export function benchRota(options: { members: number; roles: number; weeks: number; runs: number }) {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const skills = ["driving", "first aid", "cooking", "spanish", "accounts", "repair"];
  const periods = Array.from({ length: options.weeks }, (_, week) => `2027-W${String(week + 1).padStart(2, "0")}`);
  const roles: RoleSpec[] = Array.from({ length: options.roles }, (_, i) => ({
    id: `role-${i}`,
    name: `Role ${i}`,
    seats: 1 + (i % 3),
    skills: skills.filter(() => random() < 0.3),
    risk: RISK_LEVELS[i % 3]!,
    tenureLimit: 2 + (i % 3),
  }));
  const members: MemberSpec[] = Array.from({ length: options.members }, (_, i) => ({
    id: `member-${String(i).padStart(3, "0")}`,
    name: `Member ${i}`,
    skills: skills.filter(() => random() < 0.5),
    maxRisk: RISK_LEVELS[Math.floor(random() * 3)]!,
    unavailable: periods.filter(() => random() < 0.15),
    declines: roles.filter(() => random() < 0.1).map((role) => role.id),
  }));
  const input = { roles, members, periods, history: [] };

  const time = (work: () => number) => {
    const samples: number[] = [];
    let seats = 0;
    for (let run = 0; run < options.runs; run++) {
      const started = performance.now();
      seats = work();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return { medianMs: samples[Math.floor(samples.length / 2)]!, seats };
  };
  const generator = time(() => generateRota(input).length);
  const baseline = time(() => {
    let n = 0;
    for (const _period of periods) for (const role of roles) for (let seat = 0; seat < role.seats; seat++) n++;
    return members.length > 0 ? n : 0;
  });
  return { ...options, generator, baseline };
}
