// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import widget from "../src/widget";
import { CONTINUE_DEPTH, FOCUS_FLASH_MS, MORE_BATCH } from "../src/render/view";
import type { Comment } from "../src/protocol";
import { isIncomingMsg } from "../src/protocol";
import { FakeModel, at, comment, smallSnapshot } from "./fake-model";
import { cleanup, cleanups, click, idle, item, mount, q, snap, tabStops } from "./helpers";

const base = { actor: "Steve", at: at(500) };
let scrolled: { id: string | undefined; arg: unknown }[] = [];

beforeEach(() => {
  scrolled = [];
  // jsdom has no scrollIntoView
  (Element.prototype as unknown as { scrollIntoView: (a?: unknown) => void }).scrollIntoView = function (
    this: Element,
    arg?: unknown,
  ) {
    scrolled.push({ id: this.closest<HTMLElement>("[data-comment-id]")?.dataset.commentId, arg });
  };
});
afterEach(() => {
  vi.useRealTimers();
  cleanup();
  delete (Element.prototype as unknown as { scrollIntoView?: unknown }).scrollIntoView;
});

const focus = (model: FakeModel, id: string) => model.deliver({ kind: "focus", id });
const focusedClass = (el: HTMLElement) =>
  Array.from(el.querySelectorAll<HTMLElement>(".tw-focused"), (e) => e.dataset.commentId);
/** No ancestor of `el` inside the tree is hidden (collapsed groups are `hidden`). */
function reachable(el: HTMLElement): boolean {
  for (let e: HTMLElement | null = el; e && !e.classList.contains("tw-root"); e = e.parentElement)
    if (e.hidden) return false;
  return true;
}

/** `n` top-level threads t0..t{n-1}, each with one reply t{i}-r. */
function many(n: number): Comment[] {
  const out: Comment[] = [];
  for (let i = 0; i < n; i++) {
    out.push(comment(`t${i}`, null, { created_at: at(i) }));
    out.push(comment(`t${i}-r`, `t${i}`, { created_at: at(i + 0.5) }));
  }
  return out;
}

describe("focus message", () => {
  it("is accepted by isIncomingMsg only with a string id", () => {
    expect(isIncomingMsg({ kind: "focus", id: "c1" })).toBe(true);
    expect(isIncomingMsg({ kind: "focus" })).toBe(false);
    expect(isIncomingMsg({ kind: "nonsense", id: "c1" })).toBe(false);
  });

  it("scrolls to a built comment, makes it the tab stop and highlights it for a while", () => {
    const { el, model } = mount();
    vi.useFakeTimers();
    focus(model, "c3");
    expect(focusedClass(el)).toEqual(["c3"]);
    expect(tabStops(el)).toEqual(["c3"]);
    expect(scrolled.at(-1)).toEqual({ id: "c3", arg: { block: "center" } });
    // focus is not stolen from wherever the user is typing
    expect(document.activeElement).toBe(document.body);
    vi.advanceTimersByTime(FOCUS_FLASH_MS - 100);
    expect(focusedClass(el)).toEqual(["c3"]);
    focus(model, "c4"); // a second focus moves the highlight
    expect(focusedClass(el)).toEqual(["c4"]);
    vi.advanceTimersByTime(FOCUS_FLASH_MS + 10);
    expect(focusedClass(el)).toEqual([]);
  });

  it("builds a comment the progressive build has not reached yet", async () => {
    const { el, model } = mount({ _snapshot: snap(many(400)) });
    expect(q(el, ".tw-root").dataset.state).toBe("building");
    expect(item(el, "t399-r")).toBeNull();
    focus(model, "t399-r");
    expect(item(el, "t399-r")).not.toBeNull();
    expect(focusedClass(el)).toEqual(["t399-r"]);
    expect(tabStops(el)).toEqual(["t399-r"]);
    await idle(el);
    // built once, in its sorted place
    expect(el.querySelectorAll('[data-comment-id="t399"]').length).toBe(1);
    expect((q(el, '[data-role="tree"]').lastElementChild as HTMLElement).dataset.commentId).toBe("t399");
    expect(el.querySelectorAll("[data-comment-id]").length).toBe(800);
  });

  it("opens collapsed ancestors", () => {
    const { el, model } = mount();
    click(q(item(el, "c1"), ':scope > .tw-card button[data-action="collapse"]'));
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("false");
    click(q(item(el, "c2"), ':scope > .tw-card button[data-action="collapse"]'));
    focus(model, "c3");
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("true");
    expect(item(el, "c2").getAttribute("aria-expanded")).toBe("true");
    expect(reachable(item(el, "c3"))).toBe(true);
    expect(focusedClass(el)).toEqual(["c3"]);
  });

  it("reveals a reply behind 'Show N more replies' and below 'Continue this thread'", async () => {
    const wide = [comment("p", null, { created_at: at(0) })];
    for (let i = 0; i < 45; i++) wide.push(comment(`r${i}`, "p", { created_at: at(1 + i) }));
    const deep: Comment[] = [comment("d1", null, { created_at: at(100) })];
    for (let i = 2; i <= CONTINUE_DEPTH + 5; i++) deep.push(comment(`d${i}`, `d${i - 1}`, { created_at: at(100 + i) }));
    const { el, model } = mount({ _snapshot: snap([...wide, ...deep]) });
    await idle(el);
    expect(item(el, "r40")).toBeNull();
    focus(model, "r40");
    expect(reachable(item(el, "r40"))).toBe(true);
    expect(focusedClass(el)).toEqual(["r40"]);
    // the replies before it are shown too, the rest stay behind the button
    expect(item(el, "r39")).not.toBeNull();
    expect(q(item(el, "p"), ':scope > .tw-tail button[data-action="more"]').textContent).toBe("Show 4 more replies");
    expect(MORE_BATCH).toBe(20);

    const last = `d${CONTINUE_DEPTH + 5}`;
    expect(item(el, last)).toBeNull();
    focus(model, last);
    expect(reachable(item(el, last))).toBe(true);
    expect(focusedClass(el)).toEqual([last]);
  });

  it("remembers an unknown id and focuses the comment when it arrives (event or catchup)", () => {
    const { el, model, client } = mount({ _snapshot: smallSnapshot("e1") });
    focus(model, "late");
    expect(focusedClass(el)).toEqual([]);
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("other", null), ...base },
    });
    expect(focusedClass(el)).toEqual([]);
    model.deliver({
      kind: "catchup",
      to: client,
      epoch: "e1",
      done: true,
      events: [{ seq: 2, rid: null, event: { type: "add", comment: comment("late", "c2"), ...base } }],
    });
    expect(focusedClass(el)).toEqual(["late"]);
    expect(tabStops(el)).toEqual(["late"]);
  });

  it("focuses in every view of the model", () => {
    const { el, model } = mount();
    const el2 = document.createElement("div");
    document.body.append(el2);
    cleanups.push(widget.render({ model, el: el2 }));
    click(q(item(el2, "c1"), ':scope > .tw-card button[data-action="collapse"]'));
    focus(model, "c3");
    expect(focusedClass(el)).toEqual(["c3"]);
    expect(focusedClass(el2)).toEqual(["c3"]);
    expect(reachable(item(el2, "c3"))).toBe(true);
  });
});
