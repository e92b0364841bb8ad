import { describe, expect, it } from "vitest";
import { fromRule, occurrences, toRule } from "../../src/care/recurrence.ts";
import { nextTurn, turnsFor, type Volunteer } from "../../src/care/turn.ts";
import { Temporal } from "@js-temporal/polyfill";

const volunteers: Volunteer[] = [
  { id: "m-cai", name: "Cai", since: "2026-10-03T10:00:00Z" },
  { id: "m-ana", name: "Ana", since: "2026-10-01T10:00:00Z" },
  { id: "m-bea", name: "Bea", since: "2026-10-02T10:00:00Z" },
];

describe("whose turn it is", () => {
  it("nobody has volunteered", () => {
    expect(nextTurn([], new Map())).toEqual({ id: null, reason: { key: "nobody" } });
  });

  it("those who never had a turn go first, earliest volunteer first", () => {
    const last = new Map([["m-ana", "2026-11-10T18:00:00Z"]]);
    expect(nextTurn(volunteers, last)).toEqual({
      id: "m-bea",
      reason: { key: "first", name: "Bea", since: "2026-10-02T10:00:00Z" },
    });
  });

  it("then whoever had theirs longest ago, among how many", () => {
    const last = new Map([
      ["m-ana", "2026-11-10T18:00:00Z"],
      ["m-bea", "2026-11-03T18:00:00Z"],
      ["m-cai", "2026-11-17T18:00:00Z"],
    ]);
    expect(nextTurn(volunteers, last)).toEqual({
      id: "m-bea",
      reason: { key: "longest", name: "Bea", last: "2026-11-03T18:00:00Z", count: 3 },
    });
    // A mediator cannot be someone involved in the case.
    expect(nextTurn(volunteers, last, new Set(["m-bea"])).id).toBe("m-ana");
    expect(nextTurn(volunteers, last, new Set(["m-bea", "m-ana", "m-cai"])).id).toBeNull();
  });

  it("goes round in turn over several circles", () => {
    const at = ["2026-12-01", "2026-12-08", "2026-12-15", "2026-12-22"];
    expect(turnsFor(volunteers, new Map(), at).map((t) => t.id)).toEqual(["m-ana", "m-bea", "m-cai", "m-ana"]);
    expect(turnsFor(volunteers, new Map(), at)[3]!.reason).toEqual({
      key: "longest",
      name: "Ana",
      last: "2026-12-01",
      count: 3,
    });
  });
});

describe("circle recurrence", () => {
  it("a weekly 19:00 circle in Madrid stays at 19:00 local across the end of summer time", () => {
    const rule = toRule({
      frequency: "weekly",
      weekday: "TU",
      time: "19:00",
      from: Temporal.PlainDate.from("2026-10-13"),
    });
    expect(rule).toBe("DTSTART:20261013T190000\nRRULE:FREQ=WEEKLY;BYDAY=TU");
    const at = occurrences(rule, "Europe/Madrid", new Date("2026-10-01T00:00:00Z"), new Date("2026-11-04T00:00:00Z"));
    // Summer time (UTC+2) ends on Sunday 25 October: 19:00 is 17:00 UTC before, 18:00 UTC after.
    expect(at).toEqual([
      "2026-10-13T17:00:00Z",
      "2026-10-20T17:00:00Z",
      "2026-10-27T18:00:00Z",
      "2026-11-03T18:00:00Z",
    ]);
  });

  it("a monthly circle on the last Thursday, in New York across the spring change", () => {
    const rule = toRule({
      frequency: "monthly",
      weekday: "TH",
      week: "-1",
      time: "18:30",
      from: Temporal.PlainDate.from("2027-02-01"),
    });
    const at = occurrences(
      rule,
      "America/New_York",
      new Date("2027-01-01T00:00:00Z"),
      new Date("2027-05-01T00:00:00Z"),
    );
    expect(at).toEqual(["2027-02-25T23:30:00Z", "2027-03-25T22:30:00Z", "2027-04-29T22:30:00Z"]);
    expect(fromRule(rule)).toEqual({
      frequency: "monthly",
      weekday: "TH",
      week: "-1",
      time: "18:30",
      from: Temporal.PlainDate.from("2027-02-01"),
    });
  });

  it("counts an occurrence at the window's edges in local time", () => {
    const rule = "DTSTART:20261201T000000\nRRULE:FREQ=WEEKLY;BYDAY=TU";
    const at = occurrences(rule, "Europe/Madrid", new Date("2026-11-30T23:00:00Z"), new Date("2026-12-08T23:00:00Z"));
    expect(at).toEqual(["2026-11-30T23:00:00Z", "2026-12-07T23:00:00Z"]);
  });
});
