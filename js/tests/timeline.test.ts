// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import widget from "../src/widget";
import type { Comment, ReplayReqMsg } from "../src/protocol";
import { PLAY_STEP_MS } from "../src/render/timeline";
import { at, comment, smallSnapshot, type FakeModel } from "./fake-model";
import { cleanup, cleanups, click, ids, item, mount, q, type } from "./helpers";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

/** The live thread is smallSnapshot (c1 > c2 > c3, c4); c3 was edited at minute 30. */
const MOMENTS = [at(0), at(5), at(10), at(20), at(30)];
const LIVE = smallSnapshot().comments as Comment[];
const c = (id: string, extra: Partial<Comment> = {}): Comment => ({
  ...(LIVE.find((x) => x.id === id) as Comment),
  ...extra,
});
/** What the kernel's replay answers at each moment (c3 shows its old body before the edit). */
const STATES: Comment[][] = [
  [c("c1")],
  [c("c1"), c("c2")],
  [c("c1"), c("c2"), c("c3", { body: "first words" })],
  [c("c1"), c("c2"), c("c3", { body: "first words" }), c("c4")],
  [c("c1"), c("c2"), c("c3", { edited_at: at(30) }), c("c4")],
];

const toggle = (el: HTMLElement) => q<HTMLButtonElement>(el, 'button[data-role="replay-toggle"]');
const bar = (el: HTMLElement) => q(el, '[data-role="replay-bar"]');
const ctl = (el: HTMLElement, action: string) => q<HTMLButtonElement>(bar(el), `button[data-action="${action}"]`);
const slider = (el: HTMLElement) => q<HTMLInputElement>(el, 'input[data-role="replay-slider"]');
const text = (el: HTMLElement, role: string) => q(el, `[data-role="${role}"]`).textContent;
const body = (el: HTMLElement, id: string) => q(item(el, id), '[data-role="body"]').textContent?.trim();
const shown = (el: HTMLElement) => ids(el).sort();

function replays(model: FakeModel): ReplayReqMsg[] {
  return model.sent.filter((m): m is ReplayReqMsg => m.kind === "replay");
}

/** The kernel answers the last timeline request. */
function answerTimeline(model: FakeModel, moments = MOMENTS): void {
  const rid = model.lastSent("timeline")?.rid as string;
  model.deliver({ kind: "timeline", rid, moments });
}

/** The kernel answers the last replay request, in `parts` parts (post in part 0). */
function answerReplay(model: FakeModel, parts = 1): void {
  const req = model.lastSent("replay") as ReplayReqMsg;
  const index = Math.min(req.index, MOMENTS.length - 1);
  const all = STATES[index];
  const size = Math.ceil(all.length / parts);
  for (let part = 0; part < parts; part++) {
    model.deliver({
      kind: "replay_state",
      rid: req.rid,
      index,
      at: MOMENTS[index],
      count: MOMENTS.length,
      part,
      parts,
      ...(part === 0 ? { post: smallSnapshot().post } : {}),
      comments: all.slice(part * size, (part + 1) * size),
    });
  }
}

/** Mount, open Replay and answer until the last moment shows. */
function replaying() {
  const m = mount();
  click(toggle(m.el));
  answerTimeline(m.model);
  answerReplay(m.model);
  return m;
}

describe("replay timeline", () => {
  it("has a Replay toggle in the toolbar; pressing it opens the bar and asks for the timeline", () => {
    const { el, model } = mount();
    const t = toggle(el);
    expect(q(el, ".tw-toolbar").contains(t)).toBe(true);
    expect(t.textContent).toBe("Replay");
    expect(t.getAttribute("aria-label")).toBe("Replay the discussion moment by moment");
    expect(t.getAttribute("aria-pressed")).toBe("false");
    expect(bar(el).hidden).toBe(true);
    click(t);
    expect(t.getAttribute("aria-pressed")).toBe("true");
    expect(bar(el).hidden).toBe(false);
    expect(model.lastSent("timeline")?.kind).toBe("timeline");
    expect(text(el, "replay-banner")).toBe("Loading the timeline…");
    expect(ctl(el, "replay-prev").getAttribute("aria-label")).toBe("Previous moment");
    expect(ctl(el, "replay-next").getAttribute("aria-label")).toBe("Next moment");
    expect(ctl(el, "replay-play").getAttribute("aria-label")).toBe("Play");
    expect(ctl(el, "replay-live").textContent).toBe("Back to live");
    expect(slider(el).getAttribute("aria-label")).toBe("Moment of the discussion");
  });

  it("says so when there is nothing to replay, and leaves the thread alone", () => {
    const { el, model } = mount();
    click(toggle(el));
    answerTimeline(model, []);
    expect(text(el, "replay-banner")).toBe("Nothing to replay yet.");
    expect(replays(model)).toEqual([]);
    expect(ctl(el, "replay-play").getAttribute("aria-disabled")).toBe("true");
    expect(shown(el)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(false);
  });

  it("starts at the last moment, read-only and marked, reassembling the answer's parts", () => {
    const { el, model } = mount();
    click(toggle(el));
    answerTimeline(model);
    expect(replays(model).map((r) => r.index)).toEqual([4]);
    answerReplay(model, 3);
    const root = q(el, ".tw-root");
    expect(root.classList.contains("tw-replaying")).toBe(true);
    expect(shown(el)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(text(el, "replay-banner")).toMatch(/^Replaying: as of .*2012/);
    expect(text(el, "replay-pos")).toBe("5 of 5");
    expect(q(el, '[data-role="replay-time"]').getAttribute("datetime")).toBe(MOMENTS[4]);
    expect(slider(el).max).toBe("4");
    expect(slider(el).value).toBe("4");
    expect(slider(el).getAttribute("aria-valuetext")).toMatch(/5 of 5$/);
    // read-only: no composers, no reply / like / edit controls
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(true);
    expect(el.querySelector('.tw-tree button[data-action="reply"]')).toBeNull();
    expect(el.querySelector('.tw-tree button[data-action="like"]')).toBeNull();
    expect(ctl(el, "replay-next").getAttribute("aria-disabled")).toBe("true");
  });

  it("steps back and forth; edits and deletions show as they were", () => {
    const { el, model } = replaying();
    click(ctl(el, "replay-prev"));
    expect(replays(model).at(-1)?.index).toBe(3);
    expect(text(el, "replay-pos")).toBe("4 of 5"); // at once, before the answer
    answerReplay(model);
    expect(body(el, "c3")).toBe("first words");
    expect(q(item(el, "c3"), '[data-role="edited"]')).toBeNull();
    click(ctl(el, "replay-prev"));
    answerReplay(model);
    click(ctl(el, "replay-prev"));
    answerReplay(model);
    click(ctl(el, "replay-prev"));
    answerReplay(model);
    expect(shown(el)).toEqual(["c1"]);
    expect(text(el, "replay-pos")).toBe("1 of 5");
    expect(ctl(el, "replay-prev").getAttribute("aria-disabled")).toBe("true");
    const asked = replays(model).length;
    click(ctl(el, "replay-prev")); // at the first moment: nothing to ask
    expect(replays(model).length).toBe(asked);
    click(ctl(el, "replay-next"));
    answerReplay(model);
    expect(shown(el)).toEqual(["c1", "c2"]);
    expect(q(el, ".tw-count").textContent).toBe("2 comments");
  });

  it("follows the slider, asking again only for the latest position once an answer is in", () => {
    const { el, model } = replaying();
    const s = slider(el);
    s.value = "1";
    s.dispatchEvent(new Event("input", { bubbles: true }));
    s.value = "0";
    s.dispatchEvent(new Event("input", { bubbles: true }));
    expect(replays(model).map((r) => r.index)).toEqual([4, 1]); // one request in flight
    expect(text(el, "replay-pos")).toBe("1 of 5");
    answerReplay(model); // the answer for 1 shows, then 0 is asked for
    expect(shown(el)).toEqual(["c1", "c2"]);
    expect(replays(model).map((r) => r.index)).toEqual([4, 1, 0]);
    answerReplay(model);
    expect(shown(el)).toEqual(["c1"]);
    // a late answer to an old request changes nothing
    const old = replays(model)[1];
    model.deliver({
      kind: "replay_state",
      rid: old.rid,
      index: 3,
      at: MOMENTS[3],
      count: 5,
      part: 0,
      parts: 1,
      post: smallSnapshot().post,
      comments: STATES[3],
    });
    expect(shown(el)).toEqual(["c1"]);
  });

  it("plays one moment every 700 ms from the start and stops at the end", () => {
    vi.useFakeTimers();
    const { el, model } = replaying();
    const play = ctl(el, "replay-play");
    click(play); // at the end: starts from the first moment
    expect(replays(model).at(-1)?.index).toBe(0);
    expect(play.getAttribute("aria-pressed")).toBe("true");
    expect(play.getAttribute("aria-label")).toBe("Pause");
    answerReplay(model);
    expect(shown(el)).toEqual(["c1"]);
    for (let i = 1; i <= 4; i++) {
      vi.advanceTimersByTime(PLAY_STEP_MS);
      expect(replays(model).at(-1)?.index).toBe(i);
      answerReplay(model);
    }
    expect(shown(el)).toEqual(["c1", "c2", "c3", "c4"]);
    const asked = replays(model).length;
    vi.advanceTimersByTime(PLAY_STEP_MS * 3);
    expect(replays(model).length).toBe(asked);
    expect(play.getAttribute("aria-pressed")).toBe("false");
    expect(play.getAttribute("aria-label")).toBe("Play");
  });

  it("pauses on Pause and on a step", () => {
    vi.useFakeTimers();
    const { el, model } = replaying();
    click(ctl(el, "replay-play"));
    answerReplay(model);
    vi.advanceTimersByTime(PLAY_STEP_MS);
    answerReplay(model);
    click(ctl(el, "replay-play")); // Pause
    const asked = replays(model).length;
    vi.advanceTimersByTime(PLAY_STEP_MS * 3);
    expect(replays(model).length).toBe(asked);
    expect(text(el, "replay-pos")).toBe("2 of 5");
    click(ctl(el, "replay-play"));
    click(ctl(el, "replay-next")); // a step stops playing
    answerReplay(model);
    vi.advanceTimersByTime(PLAY_STEP_MS * 2);
    expect(replays(model).at(-1)?.index).toBe(2);
  });

  it("keeps live events out of the replay; Back to live shows them, with the drafts", () => {
    const { el, model } = mount();
    type(q<HTMLTextAreaElement>(q(el, '[data-role="new-comment"]'), "textarea"), "my draft");
    click(toggle(el));
    answerTimeline(model);
    answerReplay(model);
    click(ctl(el, "replay-prev"));
    click(ctl(el, "replay-prev"));
    click(ctl(el, "replay-prev"));
    answerReplay(model);
    answerReplay(model);
    expect(shown(el)).toEqual(["c1", "c2"]);
    const ev = { actor: "Steve", at: at(40) };
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("c9", null, { author: "Steve", created_at: at(40) }), ...ev },
    });
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 2,
      rid: null,
      event: { type: "edit", id: "c1", body: "changed now", edited_at: at(41), ...ev },
    });
    expect(shown(el)).toEqual(["c1", "c2"]);
    expect(body(el, "c1")).toBe("Body of c1");

    click(ctl(el, "replay-live"));
    expect(toggle(el).getAttribute("aria-pressed")).toBe("false");
    expect(bar(el).hidden).toBe(true);
    expect(q(el, ".tw-root").classList.contains("tw-replaying")).toBe(false);
    expect(shown(el)).toEqual(["c1", "c2", "c3", "c4", "c9"]);
    expect(body(el, "c1")).toBe("changed now");
    expect(q<HTMLTextAreaElement>(q(el, '[data-role="new-comment"]'), "textarea").value).toBe("my draft");
    expect(el.querySelector('.tw-tree button[data-action="reply"]')).not.toBeNull();
    expect(document.activeElement).toBe(toggle(el));
    // answers that arrive after leaving are ignored
    const before = shown(el);
    answerReplay(model);
    expect(shown(el)).toEqual(before);
  });

  it("asks for the timeline again on every entry (new events add moments)", () => {
    const { el, model } = replaying();
    click(toggle(el)); // off
    expect(bar(el).hidden).toBe(true);
    click(toggle(el)); // on again
    const timelines = model.sent.filter((m) => m.kind === "timeline");
    expect(timelines.length).toBe(2);
    expect(timelines[0].rid).not.toBe(timelines[1].rid);
    answerTimeline(model, [...MOMENTS, at(50)]);
    expect(replays(model).at(-1)?.index).toBe(5);
  });

  it("replays in one view only: the other view of the same widget stays live", () => {
    const { el, model } = mount();
    const el2 = document.createElement("div");
    document.body.append(el2);
    cleanups.push(widget.render({ model, el: el2 }));
    click(toggle(el));
    answerTimeline(model);
    answerReplay(model);
    click(ctl(el, "replay-prev"));
    click(ctl(el, "replay-prev"));
    answerReplay(model);
    answerReplay(model);
    expect(shown(el)).toEqual(["c1", "c2", "c3"]);
    expect(shown(el2)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(toggle(el2).getAttribute("aria-pressed")).toBe("false");
    expect(bar(el2).hidden).toBe(true);
    expect(q(el2, '[data-role="new-comment"]').hidden).toBe(false);
    const ev = { actor: "Chris", at: at(40) };
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "edit", id: "c1", body: "changed now", edited_at: at(40), ...ev },
    });
    expect(body(el2, "c1")).toBe("changed now");
    expect(body(el, "c1")).toBe("Body of c1");
  });

  it("asks again when the live thread is replaced while replaying", () => {
    const { el, model } = replaying();
    model.kernelSet("_snapshot", { ...smallSnapshot("e2"), comments: [comment("z1", null)] });
    expect(model.sent.filter((m) => m.kind === "timeline").length).toBe(2);
    answerTimeline(model, [at(0)]);
    expect(replays(model).at(-1)?.index).toBe(0);
    expect(text(el, "replay-pos")).toBe("1 of 1");
  });

  it("offers a moderator no controls while replaying, and keeps the moderator's view of the past", () => {
    const { el, model } = mount({ _config: { max_body: 20000, role: "moderator", label_set: ["spam", "ok"] } });
    expect(el.querySelector('.tw-tree [data-role="labels"]')).not.toBeNull();
    expect(el.querySelector('.tw-tree button[data-action="moderate"]')).not.toBeNull();
    click(toggle(el));
    answerTimeline(model);
    const req = model.lastSent("replay") as ReplayReqMsg;
    const spam = c("c4", { status: "spam", moderation: { action: "spam", by: "Teacher", at: at(25), reason: "ads" } });
    model.deliver({
      kind: "replay_state",
      rid: req.rid,
      index: 4,
      at: MOMENTS[4],
      count: 5,
      part: 0,
      parts: 1,
      post: smallSnapshot().post,
      comments: [...STATES[3].slice(0, 3), spam],
    });
    expect(shown(el)).toEqual(["c1", "c2", "c3", "c4"]); // a moderator sees the spam comment, greyed
    expect(item(el, "c4").dataset.status).toBe("spam");
    for (const sel of [
      '[data-role="labels"]',
      'button[data-action="moderate"]',
      'button[data-action="report"]',
      'button[data-action="reply"]',
      "textarea",
    ]) {
      expect(el.querySelector(`.tw-tree ${sel}`), sel).toBeNull();
    }
    click(ctl(el, "replay-live"));
    expect(el.querySelector('.tw-tree [data-role="labels"]')).not.toBeNull();
  });

  it("is not offered on a saved snapshot page (no kernel)", () => {
    const { el } = mount({ _snapshot: { ...smallSnapshot(), saved_at: at(60) } });
    expect(toggle(el).hidden).toBe(true);
  });

  it("takes its texts from w.strings", () => {
    const { el, model } = mount({ strings: { replay: "Wiedergabe", replay_live: "Zurück" } });
    expect(toggle(el).textContent).toBe("Wiedergabe");
    model.kernelSet("strings", { replay: "Rejouer" });
    expect(toggle(el).textContent).toBe("Rejouer");
    expect(ctl(el, "replay-live").textContent).toBe("Back to live");
  });
});

describe("replay in the other layouts", () => {
  const levels = (el: HTMLElement) =>
    Array.from(el.querySelectorAll<HTMLElement>("[data-comment-id]"), (e) => e.getAttribute("aria-level"));

  it.each(["flat", "two-level"])("%s: each moment is drawn in the view's layout, marks included", (layout) => {
    const m = mount({ _config: { max_body: 20000, layout } });
    click(toggle(m.el));
    answerTimeline(m.model);
    answerReplay(m.model);
    click(ctl(m.el, "replay-prev"));
    answerReplay(m.model); // c3 shows its first words; c3 answers c2, which answers c1
    expect(q(m.el, ".tw-tree").dataset.layout).toBe(layout);
    expect(levels(m.el)).toEqual(layout === "flat" ? ["1", "1", "1", "1"] : ["1", "2", "2", "1"]);
    const mark = q(item(m.el, "c3"), layout === "flat" ? '[data-role="quote"]' : '[data-role="reply-to"]');
    expect(mark.textContent).toContain(c("c2").author);
    expect(body(m.el, "c3")).toBe("first words");
    click(ctl(m.el, "replay-live"));
    expect(q(m.el, ".tw-tree").dataset.layout).toBe(layout);
  });
});
