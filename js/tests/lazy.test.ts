// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { CONTINUE_DEPTH, MORE_BATCH } from "../src/render/view";
import type { Comment } from "../src/protocol";
import { at, comment } from "./fake-model";
import { cleanup, click, focused, idle, ids, item, mount, press, q, replies, snap, tabStops, type } from "./helpers";

afterEach(cleanup);

const base = { actor: "Steve", at: at(500) };
const more = (el: HTMLElement, id: string) =>
  item(el, id).querySelector<HTMLButtonElement>(':scope > .tw-tail > button[data-action="more"]');
const cont = (el: HTMLElement, id: string) =>
  item(el, id).querySelector<HTMLButtonElement>(':scope > .tw-tail > button[data-action="continue"]');

/** p with `n` replies r0..r{n-1} (oldest first; r_i has i % 7 likes), then a second thread q. */
function wide(n: number): Comment[] {
  const out = [comment("p", null, { created_at: at(0) })];
  for (let i = 0; i < n; i++) out.push(comment(`r${i}`, "p", { created_at: at(1 + i), likes: i % 7 }));
  out.push(comment("q", null, { created_at: at(300) }));
  return out;
}

/** one chain d1 > d2 > … > d{n}, then a second thread q. */
function chain(n: number): Comment[] {
  const out = [comment("d1", null, { created_at: at(0) })];
  for (let i = 2; i <= n; i++) out.push(comment(`d${i}`, `d${i - 1}`, { created_at: at(i) }));
  out.push(comment("q", null, { created_at: at(300) }));
  return out;
}

const r = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `r${from + i}`);

describe("show N more replies", () => {
  it("shows the first 20 replies and builds the next batch on each click", async () => {
    const { el } = mount({ _snapshot: snap(wide(45)) });
    await idle(el);
    expect(MORE_BATCH).toBe(20);
    expect(replies(el, "p")).toEqual(r(0, 20));
    expect(more(el, "p")?.textContent).toBe("Show 25 more replies");
    expect(more(el, "p")?.getAttribute("aria-label")).toBe("Show 25 more replies");
    expect(q(el, '[data-role="count"]').textContent).toBe("47 comments"); // the count is the thread's
    click(more(el, "p") as HTMLButtonElement);
    expect(replies(el, "p")).toEqual(r(0, 40));
    expect(focused()).toBe("r20"); // focus moves to the first new reply
    expect(more(el, "p")?.textContent).toBe("Show 5 more replies");
    click(more(el, "p") as HTMLButtonElement);
    expect(replies(el, "p")).toEqual(r(0, 45));
    expect(more(el, "p")).toBeNull();
    expect(q(item(el, "p"), ":scope > .tw-tail").hidden).toBe(true);
  });

  it("leaves ordinary comments (20 replies or fewer) alone", async () => {
    const { el } = mount({ _snapshot: snap(wide(20)) });
    await idle(el);
    expect(replies(el, "p")).toEqual(r(0, 20));
    expect(el.querySelector('button[data-action="more"]')).toBeNull();
  });

  it("a remote reply behind the button is counted, not lost, and shows when expanded", async () => {
    const { el, model } = mount({ _snapshot: snap(wide(25)) });
    await idle(el);
    expect(more(el, "p")?.textContent).toBe("Show 5 more replies");
    const c = { ...comment("late", "p", { created_at: at(200) }) };
    model.deliver({ kind: "event", epoch: "t", seq: 1, rid: null, event: { type: "add", comment: c, ...base } });
    expect(item(el, "late")).toBeNull();
    expect(more(el, "p")?.textContent).toBe("Show 6 more replies");
    expect(q(el, '[data-role="count"]').textContent).toBe("28 comments");
    // a reply to a hidden reply: counted too once its parent shows
    model.deliver({
      kind: "event",
      epoch: "t",
      seq: 2,
      rid: null,
      event: { type: "add", comment: comment("late2", "r22", { created_at: at(201) }), ...base },
    });
    expect(item(el, "late2")).toBeNull();
    // a remote delete of a hidden reply lowers the count
    model.deliver({ kind: "event", epoch: "t", seq: 3, rid: null, event: { type: "delete", id: "r24", ...base } });
    expect(more(el, "p")?.textContent).toBe("Show 5 more replies");
    // a remote delete of a shown reply leaves the hidden count as it is
    model.deliver({ kind: "event", epoch: "t", seq: 4, rid: null, event: { type: "delete", id: "r3", ...base } });
    expect(item(el, "r3")).toBeNull();
    expect(replies(el, "p").length).toBe(19);
    expect(more(el, "p")?.textContent).toBe("Show 5 more replies");
    // a reply that sorts among the shown ones appears at once (nothing shown disappears)
    model.deliver({
      kind: "event",
      epoch: "t",
      seq: 5,
      rid: null,
      event: { type: "add", comment: comment("early", "p", { created_at: at(1.5) }), ...base },
    });
    expect(replies(el, "p").slice(0, 3)).toEqual(["r0", "early", "r1"]);
    expect(replies(el, "p").length).toBe(20);
    expect(more(el, "p")?.textContent).toBe("Show 5 more replies");
    click(more(el, "p") as HTMLButtonElement);
    expect(replies(el, "p")).toEqual(["r0", "early", "r1", "r2", ...r(4, 24), "late"]);
    expect(item(el, "late2").parentElement?.parentElement).toBe(item(el, "r22"));
    expect(more(el, "p")).toBeNull();
  });

  it("an own reply is never hidden behind the button", async () => {
    const { el, model } = mount({ _snapshot: snap(wide(25)) });
    await idle(el);
    item(el, "p").focus();
    press("r");
    const ta = q<HTMLTextAreaElement>(item(el, "p"), ":scope > .tw-slot textarea");
    type(ta, "mine");
    press("Enter", { ctrlKey: true }, ta);
    const op = model.lastSent("op") as NonNullable<ReturnType<typeof model.lastSent<"op">>>;
    expect(item(el, op.op.id!)?.dataset.pending).toBe("true");
    expect(replies(el, "p").at(-1)).toBe(op.op.id);
    expect(more(el, "p")?.textContent).toBe("Show 5 more replies");
  });

  it("sorting with the button present shows the first replies of the new order", async () => {
    const { el, model } = mount({ _snapshot: snap(wide(45)) });
    await idle(el);
    model.set("sort", "top");
    await idle(el);
    const shown = replies(el, "p");
    expect(shown.length).toBe(20);
    // r_i has i % 7 likes: the six with 6 likes, then those with 5, … (oldest first among equals)
    const all = r(0, 45).sort(
      (a, b) => (Number(b.slice(1)) % 7) - (Number(a.slice(1)) % 7) || Number(a.slice(1)) - Number(b.slice(1)),
    );
    expect(shown).toEqual(all.slice(0, 20));
    expect(more(el, "p")?.textContent).toBe("Show 25 more replies");
    click(more(el, "p") as HTMLButtonElement);
    expect(replies(el, "p")).toEqual(all.slice(0, 40));
    // back to oldest: the first 40 of that order (what this view revealed is kept)
    model.set("sort", "oldest");
    await idle(el);
    expect(replies(el, "p")).toEqual(r(0, 40));
    expect(more(el, "p")?.textContent).toBe("Show 5 more replies");
    expect(tabStops(el).length).toBe(1);
  });

  it("keyboard reaches the button: Down onto it, Down past it, Up back, Enter is the button's", async () => {
    const { el } = mount({ _snapshot: snap(wide(25)) });
    await idle(el);
    item(el, "r19").focus();
    press("ArrowDown");
    expect(focused()).toBe("button[more]@p");
    press("j");
    expect(focused()).toBe("q");
    press("ArrowUp");
    expect(focused()).toBe("button[more]@p");
    press("k");
    expect(focused()).toBe("r19");
    press("ArrowDown");
    expect(press("Enter").defaultPrevented).toBe(false); // native button activation
    expect(press(" ").defaultPrevented).toBe(false);
    press("ArrowLeft");
    expect(focused()).toBe("p");
    press("End");
    expect(focused()).toBe("q");
    // End into a thread that ends with a "more" button lands on the button
    item(el, "q").focus();
    press("ArrowUp");
    expect(focused()).toBe("button[more]@p");
    (document.activeElement as HTMLButtonElement).click();
    expect(focused()).toBe("r20");
  });
});

describe("continue this thread", () => {
  it(`cuts a chain ${CONTINUE_DEPTH} levels below the top and builds the rest in place`, async () => {
    const { el } = mount({ _snapshot: snap(chain(30)) });
    await idle(el);
    expect(CONTINUE_DEPTH).toBe(12);
    expect(item(el, "d13")).not.toBeNull();
    expect(item(el, "d14")).toBeNull();
    const b = cont(el, "d13") as HTMLButtonElement;
    expect(b.textContent).toBe("Continue this thread →");
    expect(b.getAttribute("aria-label")).toBe("Continue this thread: 17 more replies");
    expect(item(el, "d13").getAttribute("aria-expanded")).toBe("true");
    expect(q(el, '[data-role="count"]').textContent).toBe("31 comments");
    click(b);
    expect(cont(el, "d13")).toBeNull();
    expect(item(el, "d14").getAttribute("aria-level")).toBe("14");
    expect(focused()).toBe("d14");
    await idle(el);
    // the count starts again below the continued comment
    expect(item(el, "d26")).not.toBeNull();
    expect(item(el, "d27")).toBeNull();
    expect(cont(el, "d26")?.getAttribute("aria-label")).toBe("Continue this thread: 4 more replies");
    click(cont(el, "d26") as HTMLButtonElement);
    await idle(el);
    expect(item(el, "d30")).not.toBeNull();
    expect(el.querySelector('button[data-action="continue"]')).toBeNull();
  });

  it("leaves chains of 13 levels alone (the seed and synthetic threads)", async () => {
    const { el } = mount({ _snapshot: snap(chain(13)) });
    await idle(el);
    expect(item(el, "d13")).not.toBeNull();
    expect(el.querySelector('button[data-action="continue"]')).toBeNull();
  });

  it("a remote reply below the cut updates the count and shows after continuing", async () => {
    const { el, model } = mount({ _snapshot: snap(chain(16)) });
    await idle(el);
    expect(cont(el, "d13")?.getAttribute("aria-label")).toBe("Continue this thread: 3 more replies");
    model.deliver({
      kind: "event",
      epoch: "t",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("new", "d15"), ...base },
    });
    expect(item(el, "new")).toBeNull();
    expect(cont(el, "d13")?.getAttribute("aria-label")).toBe("Continue this thread: 4 more replies");
    click(cont(el, "d13") as HTMLButtonElement);
    await idle(el);
    expect(item(el, "new").parentElement?.parentElement).toBe(item(el, "d15"));
  });

  it("a comment that becomes a cut point gets the button, not its replies", async () => {
    const { el, model } = mount({ _snapshot: snap(chain(13)) });
    await idle(el);
    model.deliver({
      kind: "event",
      epoch: "t",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("d14", "d13"), ...base },
    });
    expect(item(el, "d14")).toBeNull();
    expect(cont(el, "d13")?.getAttribute("aria-label")).toBe("Continue this thread: 1 more reply");
    expect(item(el, "d13").getAttribute("aria-expanded")).toBe("true");
  });

  it("keyboard: Right and Down reach the button, Left collapses the cut point, End lands on it", async () => {
    const { el } = mount({ _snapshot: snap(chain(20)) });
    await idle(el);
    item(el, "d13").focus();
    press("ArrowRight");
    expect(focused()).toBe("button[continue]@d13");
    press("ArrowDown");
    expect(focused()).toBe("q");
    press("ArrowUp");
    expect(focused()).toBe("button[continue]@d13");
    press("ArrowUp");
    expect(focused()).toBe("d13");
    press("ArrowDown");
    expect(focused()).toBe("button[continue]@d13");
    press("ArrowLeft");
    expect(focused()).toBe("d13");
    press("ArrowLeft"); // collapse hides the button
    expect(item(el, "d13").getAttribute("aria-expanded")).toBe("false");
    expect(cont(el, "d13")).toBeNull();
    press("Enter");
    expect(cont(el, "d13")).not.toBeNull();
    item(el, "q").focus();
    press("ArrowLeft"); // q is a leaf at the top: nothing
    press("Home");
    expect(focused()).toBe("d1");
    press("ArrowUp");
    expect(focused()).toBe("d1");
  });

  it("idle state is published on the root", async () => {
    const { el } = mount({ _snapshot: snap(chain(30)) });
    expect(q(el, ".tw-root").dataset.state).toMatch(/^(building|idle)$/);
    await idle(el);
    expect(q(el, ".tw-root").dataset.state).toBe("idle");
    expect(ids(el).length).toBe(14); // d1..d13 and q
  });
});
