import { describe, expect, it } from "vitest";
import { explain } from "../../src/rotation/explain.ts";
import { generateRota, type MemberSpec, type RoleSpec, type RotaInput } from "../../src/rotation/generator.ts";
import { translator } from "../../src/webapp/i18n/index.ts";

const en = translator("en");
const es = translator("es");

const driver: RoleSpec = {
  id: "driver",
  name: "Driver",
  seats: 1,
  skills: ["driving"],
  risk: "medium",
  tenureLimit: 2,
};
const member = (id: string, name: string, extra: Partial<MemberSpec> = {}): MemberSpec => ({
  id,
  name,
  skills: ["driving"],
  maxRisk: "high",
  unavailable: [],
  declines: [],
  ...extra,
});

/** The rota as "period role: line" rows, the way a coordinator reads it. */
const rows = (input: RotaInput, t = en) =>
  generateRota(input).map((seat) => `${seat.period} ${seat.roleId}: ${explain(seat.reason, t)}`);

describe("the rota generator", () => {
  it("gives each seat to whoever held the role least recently; never held comes first", () => {
    const input: RotaInput = {
      roles: [driver],
      members: [member("a", "Ana"), member("b", "Beto"), member("c", "Carla")],
      periods: ["W3", "W4", "W5"],
      history: [
        { period: "W1", roleId: "driver", memberId: "a", shadow: false },
        { period: "W2", roleId: "driver", memberId: "b", shadow: false },
      ],
    };
    expect(rows(input)).toEqual([
      "W3 driver: Carla: has the skills for Driver and has not held it yet.",
      "W4 driver: Ana: held Driver least recently (last in W1).",
      "W5 driver: Beto: held Driver least recently (last in W2).",
    ]);
  });

  it("everyone at the tenure limit: the seat stays open and says why, and the holder may come back after a rest", () => {
    const input: RotaInput = {
      roles: [driver],
      members: [member("a", "Ana")],
      periods: ["W3", "W4"],
      history: [
        { period: "W1", roleId: "driver", memberId: "a", shadow: false },
        { period: "W2", roleId: "driver", memberId: "a", shadow: false },
      ],
    };
    expect(rows(input)).toEqual([
      "W3 driver: No one can take this Driver seat: at the tenure limit (Ana).",
      "W4 driver: Ana: held Driver least recently (last in W2).",
    ]);
  });

  it("not enough eligible people: the second seat is open, each member's reason named", () => {
    const input: RotaInput = {
      roles: [{ ...driver, seats: 2, risk: "high" }],
      members: [
        member("a", "Ana"),
        member("b", "Beto", { unavailable: ["W1"] }),
        member("c", "Carla", { declines: ["driver"] }),
        member("d", "Dani", { maxRisk: "low" }),
      ],
      periods: ["W1"],
      history: [],
    };
    expect(rows(input)).toEqual([
      "W1 driver: Ana: has the skills for Driver and has not held it yet.",
      "W1 driver: No one can take this Driver seat: unavailable (Beto); above their risk limit (Dani); " +
        "said no to this role (Carla); already holding a seat (Ana).",
    ]);
  });

  it("conflicting boundaries across roles: one seat per person a period, the other role goes to the next", () => {
    const cook: RoleSpec = { id: "cook", name: "Cook", seats: 1, skills: [], risk: "low", tenureLimit: 4 };
    const input: RotaInput = {
      roles: [driver, cook],
      members: [member("a", "Ana"), member("b", "Beto", { skills: [], declines: ["driver"] })],
      periods: ["W1"],
      history: [],
    };
    expect(rows(input)).toEqual([
      "W1 driver: Ana: has the skills for Driver and has not held it yet.",
      "W1 cook: Beto: has the skills for Cook and has not held it yet.",
    ]);
  });

  it("a newcomer with no skills shadows an experienced holder, then may hold the role alone", () => {
    const input: RotaInput = {
      roles: [{ ...driver, skills: ["driving", "first aid"], tenureLimit: 1 }],
      members: [member("a", "Ana", { skills: ["driving", "first aid"] }), member("n", "Noa", { skills: [] })],
      periods: ["W1", "W2"],
      history: [],
    };
    const rota = generateRota(input);
    expect(rota.map((seat) => [seat.period, seat.memberId, seat.shadow, seat.beside])).toEqual([
      ["W1", "a", false, null],
      ["W1", "n", true, "a"],
      ["W2", "n", false, null],
    ]);
    expect(rows(input)).toEqual([
      "W1 driver: Ana: has the skills for Driver and has not held it yet.",
      "W1 driver: Noa shadows Ana: new to Driver (to learn: driving, first aid).",
      "W2 driver: Noa: shadowed Driver before and now holds it.",
    ]);
  });

  it("explains in Spanish too", () => {
    const input: RotaInput = { roles: [driver], members: [], periods: ["W1"], history: [] };
    expect(rows(input, es)).toEqual([
      "W1 driver: Nadie puede tomar este puesto de Driver: el pod aún no tiene miembros.",
    ]);
  });

  it("the same input gives the same rota whatever the order members are listed in", () => {
    const members = [member("c", "Carla"), member("a", "Ana"), member("b", "Beto")];
    const input = { roles: [{ ...driver, seats: 2 }], members, periods: ["W1", "W2", "W3"], history: [] };
    expect(generateRota(input)).toEqual(generateRota({ ...input, members: [...members].reverse() }));
  });
});
