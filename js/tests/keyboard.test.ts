// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { FIRST_SCREEN_THREADS } from "../src/render/view";
import type { Comment } from "../src/protocol";
import { at, comment } from "./fake-model";
import { cleanup, click, focused, ids, idle, item, mount, press, q, snap, tabStops, type } from "./helpers";

afterEach(cleanup);

const base = { actor: "Steve", at: at(50) };

/** c1 (Chris) > c2 (Steve) > c3; c4 — the small fixture; focus c1 to start. */
function start(attrs: Record<string, unknown> = {}) {
  const m = mount(attrs);
  item(m.el, "c1").focus();
  return m;
}

describe("keyboard: WAI-ARIA tree", () => {
  it("has tree roles and exactly one tab stop, which follows focus", () => {
    const { el } = mount();
    expect(q(el, '[data-role="tree"]').getAttribute("role")).toBe("tree");
    for (const li of Array.from(el.querySelectorAll("[data-comment-id]"))) {
      expect(li.getAttribute("role")).toBe("treeitem");
      expect(li.getAttribute("tabindex")).toMatch(/^(0|-1)$/);
    }
    expect(tabStops(el)).toEqual(["c1"]);
    item(el, "c3").focus();
    expect(tabStops(el)).toEqual(["c3"]);
    // clicking a button inside a comment makes that comment the tab stop
    q(item(el, "c4"), 'button[data-action="reply"]').focus();
    expect(tabStops(el)).toEqual(["c4"]);
  });

  it("ArrowDown / ArrowUp and j / k walk the visible comments in document order", () => {
    const { el } = start();
    const walk: (string | undefined)[] = [focused()];
    for (let i = 0; i < 4; i++) {
      press("ArrowDown");
      walk.push(focused());
    }
    expect(walk).toEqual(["c1", "c2", "c3", "c4", "c4"]); // stays on the last
    press("ArrowUp");
    expect(focused()).toBe("c3");
    press("k");
    expect(focused()).toBe("c2");
    press("j");
    expect(focused()).toBe("c3");
    press("k");
    press("k");
    press("k");
    expect(focused()).toBe("c1");
    expect(tabStops(el)).toEqual(["c1"]);
  });

  it("ArrowDown skips a collapsed subtree; ArrowUp lands on the collapsed comment", () => {
    const { el } = start();
    press("ArrowLeft"); // c1 expanded -> collapse
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("false");
    expect(focused()).toBe("c1");
    press("ArrowDown");
    expect(focused()).toBe("c4");
    press("ArrowUp");
    expect(focused()).toBe("c1");
  });

  it("ArrowRight expands, then moves to the first reply; ArrowLeft collapses, then moves to the parent", () => {
    const { el } = start();
    press("ArrowRight");
    expect(focused()).toBe("c2");
    press("ArrowLeft"); // c2 has a reply: collapse
    expect(item(el, "c2").getAttribute("aria-expanded")).toBe("false");
    expect(focused()).toBe("c2");
    press("ArrowLeft"); // collapsed: go to parent
    expect(focused()).toBe("c1");
    item(el, "c2").focus();
    press("ArrowRight"); // collapsed: expand, stay
    expect(item(el, "c2").getAttribute("aria-expanded")).toBe("true");
    expect(focused()).toBe("c2");
    press("ArrowRight");
    expect(focused()).toBe("c3");
    press("ArrowRight"); // a leaf: nothing
    expect(focused()).toBe("c3");
    press("ArrowLeft"); // a leaf: parent
    expect(focused()).toBe("c2");
    item(el, "c1").focus();
    press("ArrowLeft");
    press("ArrowLeft"); // top-level, collapsed: nowhere to go
    expect(focused()).toBe("c1");
  });

  it("Home / End go to the first and the last visible comment", () => {
    const { el, model } = start();
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("c5", "c4", { created_at: at(30) }), ...base },
    });
    press("End");
    expect(focused()).toBe("c5"); // the last reply of the last thread
    press("Home");
    expect(focused()).toBe("c1");
    item(el, "c4").focus();
    press("ArrowLeft"); // collapse c4
    press("Home");
    press("End");
    expect(focused()).toBe("c4");
  });

  it("Enter and Space toggle collapse and keep focus on the comment", () => {
    const { el } = start();
    const e = press("Enter");
    expect(e.defaultPrevented).toBe(true);
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("false");
    expect(q(item(el, "c1"), ":scope > .tw-group").hidden).toBe(true);
    expect(focused()).toBe("c1");
    press(" ");
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("true");
    expect(focused()).toBe("c1");
    // a leaf has nothing to toggle
    item(el, "c3").focus();
    press("Enter");
    expect(item(el, "c3").hasAttribute("aria-expanded")).toBe(false);
  });

  it("r opens the reply composer; keys typed there are not intercepted; Ctrl+Enter sends, Esc closes", () => {
    const { el, model } = start();
    press("ArrowDown"); // c2
    press("r");
    const ta = q<HTMLTextAreaElement>(item(el, "c2"), ':scope > .tw-slot textarea[data-role="composer"]');
    expect(ta).not.toBeNull();
    expect(document.activeElement).toBe(ta);
    for (const k of ["j", "k", "r", "l", "ArrowDown", "Home", "End", " ", "Enter"]) {
      const e = press(k, {}, ta);
      expect(e.defaultPrevented).toBe(false);
      expect(document.activeElement).toBe(ta);
    }
    expect(model.lastSent("op")).toBeUndefined();
    type(ta, "keyboard reply");
    press("Enter", { ctrlKey: true }, ta);
    expect(model.lastSent("op")?.op).toMatchObject({ type: "add", parent_id: "c2", body: "keyboard reply" });
    // r again, then Esc cancels and returns focus to the reply button
    item(el, "c4").focus();
    press("r");
    const ta2 = q<HTMLTextAreaElement>(item(el, "c4"), "textarea");
    press("Escape", {}, ta2);
    expect(q(item(el, "c4"), "textarea")).toBeNull();
    expect(focused()).toBe("button[reply]@c4");
  });

  it("l likes and unlikes the focused comment", () => {
    const { el, model } = start();
    item(el, "c4").focus();
    press("l");
    expect(model.lastSent("op")?.op).toEqual({ type: "like", id: "c4" });
    expect(q(item(el, "c4"), 'button[data-action="like"]').getAttribute("aria-pressed")).toBe("true");
    expect(focused()).toBe("c4");
    press("l");
    expect(model.lastSent("op")?.op).toEqual({ type: "unlike", id: "c4" });
  });

  it("read_only: r and l do nothing, navigation still works", () => {
    const { el, model } = start({ read_only: true });
    press("r");
    press("l");
    expect(model.lastSent("op")).toBeUndefined();
    expect(el.querySelector("textarea")).toBeNull();
    press("ArrowDown");
    expect(focused()).toBe("c2");
  });

  it("keys on buttons inside a comment are left alone; modified keys too", () => {
    const { el } = start();
    const like = q(item(el, "c1"), ':scope > .tw-card button[data-action="like"]');
    like.focus();
    for (const k of ["ArrowDown", "Enter", " ", "j", "l", "Home"]) expect(press(k).defaultPrevented).toBe(false);
    expect(document.activeElement).toBe(like);
    item(el, "c1").focus();
    expect(press("ArrowDown", { ctrlKey: true }).defaultPrevented).toBe(false);
    expect(press("l", { metaKey: true }).defaultPrevented).toBe(false);
    expect(focused()).toBe("c1");
  });

  it("keeps exactly one tab stop through remote deletes, collapses and sorts; focus moves to the parent", () => {
    const { el, model } = start();
    item(el, "c3").focus();
    model.deliver({ kind: "event", epoch: "e1", seq: 1, rid: null, event: { type: "delete", id: "c3", ...base } });
    expect(item(el, "c3")).toBeNull();
    // c2 (Steve) is a leaf now and still visible; c3's removal moved focus to its parent
    expect(focused()).toBe("c2");
    expect(tabStops(el)).toEqual(["c2"]);
    // collapsing c1 from the mouse while c2 holds the tab stop moves it to c1
    click(q(item(el, "c1"), ':scope > .tw-card button[data-action="collapse"]'));
    expect(tabStops(el)).toEqual(["c1"]);
    const sel = q<HTMLSelectElement>(el, 'select[data-role="sort"]');
    sel.value = "top";
    sel.dispatchEvent(new Event("change"));
    expect(tabStops(el)).toEqual(["c1"]);
    // a full reset (new epoch) keeps one tab stop too
    model.kernelSet("_snapshot", { ...snap([comment("z1", null), comment("z2", null)], "e2") });
    expect(tabStops(el)).toEqual(["z1"]);
  });

  it("aria-posinset / aria-setsize on the focused comment stay right after adds, deletes and sorts", () => {
    const { el, model } = start();
    item(el, "c4").focus();
    const pos = () => [item(el, "c4").getAttribute("aria-posinset"), item(el, "c4").getAttribute("aria-setsize")];
    expect(pos()).toEqual(["2", "2"]);
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("c5", null, { created_at: at(15) }), ...base },
    });
    expect(pos()).toEqual(["3", "3"]);
    model.deliver({ kind: "event", epoch: "e1", seq: 2, rid: null, event: { type: "delete", id: "c5", ...base } });
    expect(pos()).toEqual(["2", "2"]);
    model.set("sort", "top"); // c4 has 5 likes, c1 2
    expect(focused()).toBe("c4");
    expect(pos()).toEqual(["1", "2"]);
    item(el, "c1").focus(); // only the focused item carries them
    expect(item(el, "c4").hasAttribute("aria-posinset")).toBe(false);
    expect(item(el, "c1").getAttribute("aria-posinset")).toBe("2");
  });

  it("navigates onto comments the progressive build has not reached (built on demand)", async () => {
    const comments: Comment[] = [];
    for (let i = 0; i < 300; i++) {
      comments.push(comment(`t${i}`, null, { created_at: at(i) }));
      comments.push(comment(`t${i}r`, `t${i}`, { created_at: at(i + 0.5) }));
    }
    const { el } = mount({ _snapshot: snap(comments) });
    expect(q(el, ".tw-root").dataset.state).toBe("building");
    const built = el.querySelectorAll("[data-comment-id]").length;
    expect(built).toBeLessThan(600);
    item(el, "t0").focus();
    press("End");
    expect(focused()).toBe("t299r");
    press("ArrowUp");
    expect(focused()).toBe("t299");
    press("ArrowUp");
    expect(focused()).toBe("t298r");
    press("Home");
    expect(focused()).toBe("t0");
    // walk past the first screen into threads not built yet, one key at a time
    const walked: (string | undefined)[] = [];
    for (let i = 0; i < FIRST_SCREEN_THREADS * 2 + 4; i++) {
      press("ArrowDown");
      walked.push(focused());
    }
    const expected: string[] = [];
    for (let i = 0; expected.length < walked.length; i++) expected.push(`t${i}r`, `t${i + 1}`);
    expect(walked).toEqual(expected.slice(0, walked.length));
    expect(tabStops(el).length).toBe(1);
    // the build then fills in around the on-demand nodes: every comment once, in sorted order
    await idle(el);
    expect(ids(el, '[data-role="tree"] > [data-comment-id]')).toEqual(Array.from({ length: 300 }, (_, i) => `t${i}`));
    expect(el.querySelectorAll("[data-comment-id]").length).toBe(600);
    expect(tabStops(el).length).toBe(1);
  });
});
