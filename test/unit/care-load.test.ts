import { describe, expect, it } from "vitest";
import { DEFAULT_LOAD_SETTINGS, type LoadInput, loadSignals } from "../../src/care/load.ts";

// Thursday 3 Dec 2026, 10:00 in Madrid: ISO week 2026-W49 (Mon 30 Nov .. Sun 6 Dec).
const now = new Date("2026-12-03T09:00:00Z");
const input = (extra: Partial<LoadInput>): LoadInput => ({
  seats: [],
  dropOuts: [],
  now,
  timeZone: "Europe/Madrid",
  settings: DEFAULT_LOAD_SETTINGS,
  ...extra,
});
const weeks = (roleId: string, ...numbers: number[]) =>
  numbers.map((n) => ({ roleId, period: `2026-W${String(n).padStart(2, "0")}` }));

describe("load signals", () => {
  it("a member with no seats has no signal and no suggestion", () => {
    expect(loadSignals(input({}))).toEqual({
      seatsRecent: 0,
      consecutive: 0,
      lateDropOuts: 0,
      withoutRest: 0,
      reasons: [],
    });
  });

  it("counts seats in the last 8 weeks (this one included) but not next week's or older ones", () => {
    // W41 is 9 weeks back (outside); W42..W49 inside; W50 has not started.
    const signals = loadSignals(input({ seats: weeks("driver", 41, 42, 45, 49, 50) }));
    expect(signals.seatsRecent).toBe(3);
    expect(signals.withoutRest).toBe(1);
    expect(signals.reasons).toEqual([]);
  });

  it("a run of weeks in different roles is no rest, but only a run in one role counts as consecutive", () => {
    const seats = [...weeks("driver", 46, 48), ...weeks("dispatcher", 47, 49)];
    const signals = loadSignals(input({ seats }));
    expect(signals.withoutRest).toBe(4);
    expect(signals.consecutive).toBe(1);
    expect(signals.reasons).toEqual(["noRest"]);
  });

  it("a run broken by a free week starts again; a week off now means rest", () => {
    expect(loadSignals(input({ seats: weeks("driver", 43, 44, 45, 47, 48, 49) })).withoutRest).toBe(3);
    expect(loadSignals(input({ seats: weeks("driver", 44, 45, 46, 47, 48) })).withoutRest).toBe(0);
  });

  it("a monthly seat fills every week it touches, across a year's end", () => {
    const now = new Date("2027-01-05T12:00:00Z"); // Tuesday of 2027-W01 (Mon 4 Jan)
    const seats = [
      { roleId: "treasurer", period: "2026-12" },
      { roleId: "treasurer", period: "2027-01" },
    ];
    const signals = loadSignals(input({ now, seats }));
    // W01 (Jan) and 2026-W53 (Dec 28 - Jan 3), W52..W49 (Dec), and W48 (Nov 23-29) is free.
    expect(signals.withoutRest).toBe(6);
    expect(signals.consecutive).toBe(2);
    expect(signals.seatsRecent).toBe(2);
    expect(signals.reasons).toEqual(["noRest"]);
  });

  it("many seats in the window, and the same role for 5 weeks, both suggest rest", () => {
    const seats = [...weeks("driver", 45, 46, 47, 48, 49), ...weeks("cook", 43, 44)];
    const signals = loadSignals(input({ seats }));
    expect(signals).toMatchObject({ seatsRecent: 7, consecutive: 5, withoutRest: 7 });
    expect(signals.reasons).toEqual(["busy", "noRest", "sameRole"]);
  });

  it("a seat given up less than 48 h before its period starts is late; 48 h or more before is not", () => {
    // W50 starts Monday 7 Dec 00:00 in Madrid = 6 Dec 23:00 UTC.
    const dropOuts = [
      { period: "2026-W50", at: "2026-12-04T23:00:00Z" }, // exactly 48 h: not late
      { period: "2026-W50", at: "2026-12-04T23:00:01Z" }, // just under 48 h: late
      { period: "2026-W49", at: "2026-12-01T08:00:00Z" }, // after its week began: late
      { period: "2026-W40", at: "2026-10-02T08:00:00Z" }, // late, but before the window (starts Mon 12 Oct)
    ];
    const signals = loadSignals(input({ dropOuts }));
    expect(signals.lateDropOuts).toBe(2);
    expect(signals.reasons).toEqual(["dropOuts"]);
  });

  it("reads periods in the pod's time zone: Sunday 23:30 in Madrid is still last week there", () => {
    const sunday = new Date("2026-12-06T22:30:00Z"); // 23:30 Sunday in Madrid, already Monday 7 Dec in UTC+2
    const seats = weeks("driver", 49);
    expect(loadSignals(input({ now: sunday, seats })).withoutRest).toBe(1);
    expect(loadSignals(input({ now: sunday, seats, timeZone: "Europe/Helsinki" })).withoutRest).toBe(0);
  });

  it("thresholds are the pod's", () => {
    const settings = { ...DEFAULT_LOAD_SETTINGS, windowWeeks: 2, busySeats: 2, restAfter: 2 };
    const signals = loadSignals(input({ seats: weeks("driver", 47, 48, 49), settings }));
    expect(signals).toMatchObject({ seatsRecent: 2, consecutive: 3, withoutRest: 3 });
    expect(signals.reasons).toEqual(["busy", "noRest", "sameRole"]);
  });
});
