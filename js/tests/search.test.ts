// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Comment, Event } from "../src/protocol";
import { at, comment } from "./fake-model";
import { cleanup, click, idle, ids, item, mount, press, q, replies, snap } from "./helpers";

afterEach(cleanup);

const base = { actor: "Steve", at: at(500) };
const box = (el: HTMLElement) => q<HTMLInputElement>(el, 'input[data-role="search"]');
const filter = (el: HTMLElement) => q<HTMLSelectElement>(el, 'select[data-role="filter"]');
const countText = (el: HTMLElement) => {
  const c = q(el, '[data-role="search-count"]');
  return c.hidden ? null : c.textContent;
};
const shown = (el: HTMLElement) => ids(el).sort();
const context = (el: HTMLElement) => ids(el, ".tw-context").sort();
const marks = (el: HTMLElement, id: string) =>
  Array.from(item(el, id).querySelectorAll(':scope > .tw-card [data-role="body"] mark'), (m) => m.textContent);

/** Type into the search box and wait for the debounce and the build. */
async function search(el: HTMLElement, text: string): Promise<void> {
  const input = box(el);
  input.value = text;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  await new Promise((r) => setTimeout(r, 200));
  await idle(el);
}
function setFilter(el: HTMLElement, v: string): void {
  filter(el).value = v;
  filter(el).dispatchEvent(new Event("change", { bubbles: true }));
}

/**
 * a1 (Chris) "Social media is great" > a2 (Steve) > a3 (Anna) "but SOCIAL is fun"; a1 > a4;
 * b1 (Anna, liked by Chris, edited).
 */
function fixture(): Comment[] {
  return [
    comment("a1", null, { author: "Chris", body: "Social media is great, social!", created_at: at(0) }),
    comment("a2", "a1", { author: "Steve", body: "I disagree", created_at: at(1) }),
    comment("a3", "a2", { author: "Anna", body: "but **SOCIAL** is fun", created_at: at(2) }),
    comment("a4", "a1", { author: "Anna", body: "unrelated", created_at: at(3) }),
    comment("b1", null, {
      author: "Anna",
      body: "nothing here",
      created_at: at(4),
      liked_by: ["Chris"],
      likes: 1,
      edited_at: at(5),
    }),
  ];
}

describe("search box", () => {
  it("is in the toolbar with a label, a filter and a hidden count and clear button", () => {
    const { el } = mount({ _snapshot: snap(fixture()) });
    const toolbar = q(el, ".tw-toolbar");
    expect(toolbar.contains(box(el))).toBe(true);
    expect(box(el).getAttribute("aria-label")).toBe("Search comments");
    expect(Array.from(filter(el).options, (o) => o.textContent)).toEqual([
      "All",
      "Mine",
      "Post author",
      "Edited",
      "Liked by me",
    ]);
    expect(countText(el)).toBeNull();
    const clear = q<HTMLButtonElement>(el, 'button[data-action="clear-search"]');
    expect(clear.getAttribute("aria-label")).toBe("Clear search");
    expect(clear.hidden).toBe(true);
  });

  it("shows matches with their ancestors as context, hides the rest, marks the matches", async () => {
    const { el } = mount({ _snapshot: snap(fixture()) });
    await search(el, "social");
    expect(shown(el)).toEqual(["a1", "a2", "a3"]);
    expect(context(el)).toEqual(["a2"]);
    expect(countText(el)).toBe("2 matches");
    expect(marks(el, "a1")).toEqual(["Social", "social"]);
    expect(marks(el, "a3")).toEqual(["SOCIAL"]);
    expect(item(el, "a3").querySelector("strong mark")).not.toBeNull(); // inside the rendered markup
    expect(marks(el, "a2")).toEqual([]);
    expect(q<HTMLButtonElement>(el, 'button[data-action="clear-search"]').hidden).toBe(false);
    // authors match too
    await search(el, "STEVE");
    expect(shown(el)).toEqual(["a1", "a2"]);
    expect(context(el)).toEqual(["a1"]);
    expect(countText(el)).toBe("1 match");
    await search(el, "zzz");
    expect(shown(el)).toEqual([]);
    expect(countText(el)).toBe("0 matches");
  });

  it("highlights text nodes of the sanitised body only: markup cannot be injected", async () => {
    const body = "`<b>x</b>` and <b>bold</b> <img src=x onerror=alert(1)> b&gt;";
    const { el } = mount({ _snapshot: snap([comment("h1", null, { body })]) });
    const bodyEl = q(item(el, "h1"), '[data-role="body"]');
    const before = bodyEl.innerHTML;
    const tagsBefore = Array.from(bodyEl.querySelectorAll("*"), (e) => e.tagName).sort();
    await search(el, "b>");
    const after = q(item(el, "h1"), '[data-role="body"]');
    const found = Array.from(after.querySelectorAll("mark"));
    expect(found.length).toBeGreaterThanOrEqual(2); // in the code span and the escaped text
    for (const m of found) {
      expect(m.textContent).toBe("b>");
      expect(m.childElementCount).toBe(0);
    }
    // only <mark> elements were added; nothing else changed
    const tagsAfter = Array.from(after.querySelectorAll("*"), (e) => e.tagName)
      .filter((t) => t !== "MARK")
      .sort();
    expect(tagsAfter).toEqual(tagsBefore);
    expect(after.querySelector("[onerror]")).toBeNull();
    for (const m of found) m.replaceWith(document.createTextNode(m.textContent ?? ""));
    after.normalize();
    expect(after.innerHTML).toBe(before);
  });

  it("filters: mine, post author, edited, liked by me (and combined with a query)", async () => {
    const { el } = mount({ _snapshot: snap(fixture()) }); // user Chris, post author Steve
    setFilter(el, "mine");
    await idle(el);
    expect(shown(el)).toEqual(["a1"]);
    expect(countText(el)).toBe("1 match");
    setFilter(el, "op");
    await idle(el);
    expect(shown(el)).toEqual(["a1", "a2"]);
    expect(context(el)).toEqual(["a1"]);
    setFilter(el, "edited");
    await idle(el);
    expect(shown(el)).toEqual(["b1"]);
    setFilter(el, "liked");
    await idle(el);
    expect(shown(el)).toEqual(["b1"]);
    setFilter(el, "all");
    await idle(el);
    expect(countText(el)).toBeNull();
    expect(shown(el)).toEqual(["a1", "a2", "a3", "a4", "b1"]);
    setFilter(el, "op");
    await search(el, "social");
    expect(countText(el)).toBe("0 matches");
  });

  it("Esc in the search box and the clear button restore the exact previous view", async () => {
    const wide = [comment("p", null, { created_at: at(0) })];
    for (let i = 0; i < 30; i++) wide.push(comment(`r${i}`, "p", { created_at: at(1 + i) }));
    const { el } = mount({ _snapshot: snap([...fixture(), ...wide]) });
    await idle(el);
    click(q(item(el, "a1"), ':scope > .tw-card button[data-action="collapse"]'));
    const tree = q(el, '[data-role="tree"]');
    const before = tree.innerHTML;
    expect(replies(el, "p").length).toBe(20);

    await search(el, "of r2"); // "Body of r2", "Body of r20"…: r25 is behind "more" normally
    expect(shown(el)).toEqual(["p", "r2", "r20", "r21", "r22", "r23", "r24", "r25", "r26", "r27", "r28", "r29"].sort());
    await search(el, "social");
    expect(shown(el)).toEqual(["a1", "a2", "a3"]); // the collapsed a1 does not hide matches
    box(el).focus();
    const esc = press("Escape");
    expect(esc.defaultPrevented).toBe(true);
    expect(box(el).value).toBe("");
    expect(countText(el)).toBeNull();
    expect(q(el, '[data-role="tree"]')).toBe(tree); // the same nodes, not a rebuild
    expect(tree.innerHTML).toBe(before);
    expect(item(el, "a1").getAttribute("aria-expanded")).toBe("false");
    expect(replies(el, "p").length).toBe(20);

    await search(el, "social");
    setFilter(el, "mine");
    await idle(el);
    expect(shown(el)).toEqual(["a1"]);
    click(q(el, 'button[data-action="clear-search"]'));
    expect(box(el).value).toBe("");
    expect(filter(el).value).toBe("all");
    expect(tree.innerHTML).toBe(before);
    expect(document.activeElement).toBe(box(el));
  });

  it("remote events while searching: new matches appear, edits re-evaluate; the view catches up after", async () => {
    const { el, model } = mount({ _snapshot: snap(fixture()) });
    await search(el, "social");
    let seq = 0;
    const send = (event: Event) => model.deliver({ kind: "event", epoch: "t", seq: ++seq, rid: null, event });
    send({ type: "add", comment: comment("n1", "b1", { body: "more social stuff" }), ...base });
    expect(shown(el)).toEqual(["a1", "a2", "a3", "b1", "n1"]);
    expect(context(el)).toEqual(["a2", "b1"]);
    expect(marks(el, "n1")).toEqual(["social"]);
    expect(countText(el)).toBe("3 matches");
    send({ type: "add", comment: comment("n2", "a4", { body: "off topic" }), ...base });
    expect(shown(el)).toEqual(["a1", "a2", "a3", "b1", "n1"]);
    send({ type: "edit", id: "a4", body: "now SOCIAL too", edited_at: at(600), ...base });
    expect(shown(el)).toEqual(["a1", "a2", "a3", "a4", "b1", "n1"]);
    expect(marks(el, "a4")).toEqual(["SOCIAL"]);
    send({ type: "edit", id: "a3", body: "boring", edited_at: at(601), ...base });
    expect(shown(el)).toEqual(["a1", "a4", "b1", "n1"]);
    send({ type: "edit", id: "a1", body: "plain", edited_at: at(602), ...base });
    expect(context(el)).toEqual(["a1", "b1"]);
    expect(countText(el)).toBe("2 matches");
    click(q(el, 'button[data-action="clear-search"]'));
    expect(shown(el)).toEqual(["a1", "a2", "a3", "a4", "b1", "n1", "n2"]);
    expect(q(item(el, "a3"), '[data-role="body"]').textContent).toBe("boring");
    expect(el.querySelectorAll("mark").length).toBe(0);
    expect(el.querySelectorAll(".tw-context").length).toBe(0);
  });

  it("stays correct on a 2,000-comment thread (limits lifted, only matches and ancestors built)", async () => {
    const cs: Comment[] = [];
    let n = 0;
    const add = (id: string, parent: string | null) =>
      cs.push(comment(id, parent, { created_at: at(n++), body: n % 37 === 0 ? `a Needle here ${id}` : `hay ${id}` }));
    for (let t = 0; t < 40; t++) {
      add(`t${t}`, null);
      for (let w = 0; w < 25; w++) add(`t${t}w${w}`, `t${t}`); // wide: 25 replies (5 behind "more")
      for (let d = 0; d < 24; d++) add(`t${t}d${d}`, d === 0 ? `t${t}` : `t${t}d${d - 1}`); // deep chain
    }
    expect(cs.length).toBe(2000);
    const { el } = mount({ _snapshot: snap(cs) });
    await idle(el);
    await search(el, "needle");
    const byId = new Map(cs.map((c) => [c.id, c]));
    const want = new Set(cs.filter((c) => c.body.includes("Needle")).map((c) => c.id));
    const wantVisible = new Set<string>();
    for (const id of want) for (let p: string | null = id; p; p = byId.get(p)?.parent_id ?? null) wantVisible.add(p);
    expect(shown(el)).toEqual([...wantVisible].sort());
    expect(ids(el, ".tw-context").sort()).toEqual([...wantVisible].filter((id) => !want.has(id)).sort());
    expect(countText(el)).toBe(`${want.size} matches`);
    expect(el.querySelectorAll('button[data-action="more"], button[data-action="continue"]').length).toBe(0);
    for (const id of want)
      expect(item(el, id).querySelector(':scope > .tw-card [data-role="body"] mark')?.textContent).toBe("Needle");
    await search(el, "");
    expect(countText(el)).toBeNull();
    expect(el.querySelectorAll("[data-comment-id]").length).toBeLessThan(2000); // "more" / "continue" again
  }, 30_000); // a behaviour test on 2,000 comments in jsdom: slow on a busy 2-core machine, not timed
});
