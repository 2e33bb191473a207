// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Comment } from "../src/protocol";
import { excerpt, layoutName } from "../src/render/layout";
import { at, comment } from "./fake-model";
import { cleanup, click, focused, idle, ids, item, mount, press, q, snap } from "./helpers";

afterEach(cleanup);

/**
 * a1 (Chris, t0) > a2 (Steve, t1) > a3 (Anna, t5); a1 > a4 (Anna, t3); b1 (Anna, t2), liked.
 * Oldest first: a1 a2 b1 a4 a3 in time.
 */
function fixture(): Comment[] {
  return [
    comment("a1", null, { author: "Chris", body: "Social **media** is [great](https://x.org)", created_at: at(0) }),
    comment("a2", "a1", { author: "Steve", body: "I disagree", created_at: at(1) }),
    comment("a3", "a2", { author: "Anna", body: "<img src=x onerror=alert(1)>why?", created_at: at(5) }),
    comment("a4", "a1", { author: "Anna", body: "unrelated", created_at: at(3) }),
    comment("b1", null, { author: "Anna", body: "top two", created_at: at(2), liked_by: ["Chris"], likes: 1 }),
  ];
}

function show(layout: string, attrs: Record<string, unknown> = {}) {
  return mount({ _snapshot: snap(fixture()), _config: { max_body: 20000, layout }, ...attrs });
}
const levels = (el: HTMLElement) =>
  Array.from(el.querySelectorAll<HTMLElement>("[data-comment-id]"), (e) => e.getAttribute("aria-level"));
const markOf = (el: HTMLElement, id: string) =>
  item(el, id).querySelector<HTMLElement>(
    ':scope > .tw-card [data-role="reply-to"], :scope > .tw-card [data-role="quote"]',
  );

describe("layouts (render/layout.ts)", () => {
  it("tree: the thread as it is, no marks", () => {
    const { el } = show("tree");
    expect(ids(el)).toEqual(["a1", "a2", "a3", "a4", "b1"]);
    expect(levels(el)).toEqual(["1", "2", "3", "2", "1"]);
    expect(el.querySelector('[data-role="quote"], [data-role="reply-to"]')).toBeNull();
  });

  it("two-level: replies under their top-level comment, oldest first, 'in reply to' on a reply to a reply", () => {
    const { el } = show("two-level", { sort: "newest" });
    // the top level in the sort (newest first), the replies oldest first whatever the sort
    expect(ids(el)).toEqual(["b1", "a1", "a2", "a4", "a3"]);
    expect(levels(el)).toEqual(["1", "1", "2", "2", "2"]);
    expect(ids(item(el, "a1"), ":scope > .tw-group > [data-comment-id]")).toEqual(["a2", "a4", "a3"]);
    expect(markOf(el, "a3")?.textContent).toBe("in reply to @Steve");
    expect(markOf(el, "a2")).toBeNull(); // answers its top-level comment: no mark
    expect(markOf(el, "a4")).toBeNull();
    expect(q(el, ".tw-tree").dataset.layout).toBe("two-level");
  });

  it("two-level: 'why this order' ranks a reply among its display siblings, oldest first", () => {
    const { el } = show("two-level", { sort: "newest" });
    click(q(el, 'button[data-role="why-toggle"]'));
    const rank = (id: string) =>
      item(el, id).querySelector(':scope > .tw-card [data-role="why-rank"]')?.textContent ?? "";
    // a3 answers a2 in the thread, but is shown third of a1's three replies, oldest first
    expect(rank("a2")).toMatch(/\b1\b.*\b3\b/);
    expect(rank("a3")).toMatch(/\b3\b.*\b3\b/);
    expect(rank("b1")).toMatch(/\b1\b.*\b2\b/); // the top level in the sort, newest first
  });

  it("flat: one stream in the sort, each reply with a short plain-text quote of its parent", () => {
    const { el } = show("flat");
    expect(ids(el)).toEqual(["a1", "a2", "b1", "a4", "a3"]);
    expect(levels(el)).toEqual(["1", "1", "1", "1", "1"]);
    expect(el.querySelector('[aria-expanded], button[data-action="collapse"]')).toBeNull(); // nothing to collapse
    const quote = markOf(el, "a2") as HTMLElement;
    expect(quote.tagName).toBe("BLOCKQUOTE");
    expect(quote.textContent).toBe("Chris wrote: Social media is great");
    expect(markOf(el, "a3")?.textContent).toBe("Steve wrote: I disagree");
    expect(markOf(el, "a1")).toBeNull();
    expect(markOf(el, "b1")).toBeNull();
  });

  it("flat: the sort orders the whole stream", () => {
    const { el, model } = show("flat");
    model.set("sort", "newest");
    expect(ids(el)).toEqual(["a3", "a4", "b1", "a2", "a1"]);
    model.set("sort", "top");
    expect(ids(el)[0]).toBe("b1"); // the one liked comment first
  });

  it("a quote is text: a parent's markup never becomes elements", () => {
    const { el } = mount({
      _snapshot: snap([
        comment("p", null, { body: '<img src=x onerror="alert(1)"><script>alert(2)</script>hi' }),
        comment("r", "p", { created_at: at(1) }),
      ]),
      _config: { max_body: 20000, layout: "flat" },
    });
    const quote = markOf(el, "r") as HTMLElement;
    expect(quote.querySelector("img, script")).toBeNull();
    expect(quote.textContent).toContain("hi");
    expect(excerpt("x".repeat(500)).length).toBe(140);
    expect(excerpt("> quoted\n# Title\n- item `code`")).toBe("quoted Title item code");
  });

  it("the layout follows _config: a new layout redraws the view", () => {
    const { el, model } = show("tree");
    model.kernelSet("_config", { max_body: 20000, layout: "flat" });
    expect(levels(el)).toEqual(["1", "1", "1", "1", "1"]);
    model.kernelSet("_config", { max_body: 20000, layout: "nonsense" });
    expect(levels(el)).toEqual(["1", "2", "3", "2", "1"]); // anything unknown is the tree
    expect(layoutName("two-level")).toBe("two-level");
  });

  it("two-level: a new deep reply takes its place under its top-level comment, counted", () => {
    const { el, model } = show("two-level");
    model.deliver({
      kind: "event",
      epoch: "t",
      seq: 1,
      rid: null,
      event: {
        type: "add",
        comment: comment("a5", "a3", { author: "Bo", created_at: at(4) }),
        actor: "Bo",
        at: at(4),
      },
    });
    expect(ids(item(el, "a1"), ":scope > .tw-group > [data-comment-id]")).toEqual(["a2", "a4", "a5", "a3"]);
    expect(item(el, "a5").getAttribute("aria-level")).toBe("2");
    expect(markOf(el, "a5")?.textContent).toBe("in reply to @Anna");
  });

  it("two-level: keyboard and collapse work on the two levels", async () => {
    const { el } = show("two-level");
    await idle(el);
    item(el, "a1").focus();
    press("ArrowDown");
    expect(focused()).toBe("a2");
    press("ArrowDown");
    press("ArrowDown");
    expect(focused()).toBe("a3");
    press("ArrowLeft"); // to its display parent
    expect(focused()).toBe("a1");
    press("ArrowLeft"); // collapse the top-level comment's replies
    expect(item(el, "a1").getAttribute("aria-expanded")).toBe("false");
    press("ArrowDown");
    expect(focused()).toBe("b1");
    press("End");
    expect(focused()).toBe("b1");
  });

  it("the mark's link goes to the parent (revealing it)", async () => {
    const { el } = show("flat");
    await idle(el);
    click(q(markOf(el, "a3") as HTMLElement, 'button[data-action="goto"]'));
    expect(focused()).toBe("a2");
    const tree = show("two-level").el;
    await idle(tree);
    click(q(markOf(tree, "a3") as HTMLElement, 'button[data-action="goto"]'));
    expect(focused()).toBe("a2");
  });

  it("search: a match is shown with its parents as the layout shows them", async () => {
    const { el } = show("two-level");
    const input = q<HTMLInputElement>(el, 'input[data-role="search"]');
    input.value = "why";
    input.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((r) => setTimeout(r, 200));
    await idle(el);
    expect(ids(el)).toEqual(["a1", "a3"]); // not a2: two-level shows a3 under a1
    expect(item(el, "a3").getAttribute("aria-level")).toBe("2");
  });
});

describe("marks follow their parent", () => {
  it("an edited or hidden parent: the quote below it is redrawn (no moderated text stays)", () => {
    const { el, model } = show("flat");
    const ev = (seq: number, event: Record<string, unknown>) =>
      model.deliver({
        kind: "event",
        epoch: "t",
        seq,
        rid: null,
        event: { actor: "Chris", at: at(9), ...event },
      } as never);
    ev(1, { type: "edit", id: "a1", body: "changed words", edited_at: at(9) });
    expect(markOf(el, "a2")?.textContent).toBe("Chris wrote: changed words");
    ev(2, { type: "delete", id: "a2" });
    expect(markOf(el, "a3")?.textContent).toBe("[deleted] wrote:");
  });
});

describe("a preset's CSS (_config.style)", () => {
  it("comes before w.css and is scoped to its own widget's views", () => {
    const cfg = (style: string) => ({ max_body: 20000, style });
    const a = mount({ _model_key: "k1", _config: cfg(".tw-root .tw-body { color: red; }"), css: ".tw-root{}" });
    const b = mount({ _model_key: "k2", _config: cfg(".tw-root-x, .tw-root { color: blue; }"), css: "" });
    const styleOf = (el: HTMLElement) => q(el, 'style[data-role="custom-css"]').textContent;
    expect(q(a.el, ".tw-root").dataset.twKey).toBe("k1");
    expect(styleOf(a.el)).toBe('.tw-root[data-tw-key="k1"] .tw-body { color: red; }\n.tw-root{}');
    expect(styleOf(b.el)).toBe('.tw-root-x, .tw-root[data-tw-key="k2"] { color: blue; }\n');
    a.model.kernelSet("_config", cfg(""));
    expect(styleOf(a.el)).toBe(".tw-root{}");
  });
});
