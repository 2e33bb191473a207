// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import widget from "../src/widget";
import { storeOf, type ThreadModel } from "../src/model";
import { CHUNK_THREADS } from "../src/render/view";
import type { Comment, Snapshot } from "../src/protocol";
import { FakeModel, POST, at, comment, smallSnapshot } from "./fake-model";

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) (cleanups.pop() as () => void)();
  document.body.replaceChildren();
  vi.useRealTimers();
});

function mount(attrs: Record<string, unknown> = {}) {
  const model = new FakeModel({ _snapshot: smallSnapshot(), ...attrs });
  const disposeModel = widget.initialize({ model });
  const view = () => {
    const el = document.createElement("div");
    document.body.append(el);
    const dispose = widget.render({ model, el });
    cleanups.push(dispose);
    return el;
  };
  cleanups.push(disposeModel);
  const el = view();
  return { model, el, view };
}

const q = <T extends Element = HTMLElement>(root: ParentNode, sel: string) => root.querySelector<T>(sel) as T;
const item = (root: ParentNode, id: string) => q(root, `[data-comment-id="${id}"]`);
const base = { actor: "Steve", at: at(50) };

function click(el: Element): void {
  el.dispatchEvent(new MouseEvent("click", { bubbles: true }));
}
function type(ta: HTMLTextAreaElement, text: string): void {
  ta.value = text;
  ta.dispatchEvent(new Event("input", { bubbles: true }));
}
function key(el: Element, k: string, opts: KeyboardEventInit = {}): void {
  el.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true, ...opts }));
}
async function settle(el: HTMLElement, total: number): Promise<void> {
  // querySelectorAll is slow in jsdom: look only every 25 ticks.
  for (let i = 0; i < 20000; i++) {
    if (i % 25 === 0 && el.querySelectorAll("[data-comment-id]").length >= total) return;
    await new Promise((r) => setTimeout(r, 0));
  }
}

describe("widget", () => {
  it("asks for a sync on start and renders the snapshot", () => {
    const { model, el } = mount();
    expect(model.sent[0]).toMatchObject({ kind: "sync", epoch: "e1", seq: 0 });
    const client = (model.sent[0] as { client: string }).client;
    expect(client).toMatch(/^[A-Za-z0-9_.:-]+$/);

    expect(q(el, ".tw-root")).not.toBeNull();
    expect(q(el, '[data-role="post-title"]').textContent).toBe(POST.title);
    expect(q(el, '[data-role="post"]').textContent).toContain("pic courtesy of Staff A La Carte");
    expect(q(el, '[data-role="post"] strong')?.textContent).toBe("Markdown");
    expect(q(el, '[data-role="count"]').textContent).toBe("4 comments");
    expect(q<HTMLSelectElement>(el, 'select[data-role="sort"]').value).toBe("oldest");
    expect(q(el, '[data-role="new-comment"] textarea[data-role="composer"]')).not.toBeNull();

    const tree = q(el, '[data-role="tree"]');
    expect(tree.getAttribute("role")).toBe("tree");
    const top = Array.from(tree.children).map((li) => (li as HTMLElement).dataset.commentId);
    expect(top).toEqual(["c1", "c4"]);
    const c3 = item(el, "c3");
    expect(c3.getAttribute("role")).toBe("treeitem");
    expect(c3.getAttribute("aria-level")).toBe("3");
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("true");
    expect(c3.parentElement?.getAttribute("role")).toBe("group");
    expect(c3.dataset.status).toBe("visible");
    expect(q(c3, '[data-role="body"]').textContent?.trim()).toBe("Body of c3");
    // author badge only on the post author's comment
    expect(q(item(el, "c2"), '[data-role="author-badge"]')).not.toBeNull();
    expect(q(c3, '[data-role="author-badge"]')).toBeNull();
    // like state for the current user (Chris): c1 liked by Steve only
    const like = q(item(el, "c1"), ':scope > .tw-card button[data-action="like"]');
    expect(like.getAttribute("aria-pressed")).toBe("false");
    expect(q(like, '[data-role="likes"]').textContent).toBe("2");
    // edit/delete only on own comments (c1 is Chris's)
    expect(q(item(el, "c1"), ':scope > .tw-card button[data-action="edit"]')).not.toBeNull();
    expect(q(c3, ':scope > .tw-card button[data-action="edit"]')).toBeNull();
    // every button has an aria-label
    for (const b of Array.from(el.querySelectorAll("button"))) expect(b.getAttribute("aria-label")).toBeTruthy();
    // time: relative text, absolute title, datetime
    const time = q(c3, "time");
    expect(time.getAttribute("datetime")).toBe(at(10));
    expect(time.title).not.toBe("");
    expect(time.textContent).toMatch(/ago/);
  });

  it("updates only the affected node on a remote event", () => {
    const { model, el } = mount();
    const client = (model.sent[0] as { client: string }).client;
    model.deliver({ kind: "catchup", to: client, epoch: "e1", done: true, events: [] });
    const before = new Map(["c1", "c2", "c3", "c4"].map((id) => [id, item(el, id)]));
    const cards = new Map(["c1", "c2", "c4"].map((id) => [id, q(item(el, id), ":scope > .tw-card > .tw-main")]));
    const c3Body = q(item(el, "c3"), '[data-role="body"]');
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "edit", id: "c3", body: "*new* text", edited_at: at(60), ...base },
    });
    for (const [id, li] of before) expect(item(el, id)).toBe(li);
    for (const [id, main] of cards) expect(q(item(el, id), ":scope > .tw-card > .tw-main")).toBe(main);
    const body = q(item(el, "c3"), '[data-role="body"]');
    expect(body).not.toBe(c3Body);
    expect(body.querySelector("em")?.textContent).toBe("new");
    expect(q(item(el, "c3"), '[data-role="edited"]')).not.toBeNull();

    // a remote add is inserted in sorted position without rebuilding siblings
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 2,
      rid: null,
      event: { type: "add", comment: comment("c5", null, { created_at: at(15) }), ...base },
    });
    const top = Array.from(q(el, '[data-role="tree"]').children).map((li) => (li as HTMLElement).dataset.commentId);
    expect(top).toEqual(["c1", "c5", "c4"]);
    expect(item(el, "c4")).toBe(before.get("c4"));
    expect(q(el, '[data-role="count"]').textContent).toBe("5 comments");

    // a gap that stays asks for a sync
    const n = model.sent.length;
    vi.useFakeTimers();
    model.deliver({ kind: "event", epoch: "e1", seq: 9, rid: null, event: { type: "delete", id: "c4", ...base } });
    vi.advanceTimersByTime(400);
    vi.useRealTimers();
    expect(model.sent.length).toBe(n + 1);
    expect(model.sent.at(-1)).toMatchObject({ kind: "sync", seq: 2 });
    expect(item(el, "c4")).not.toBeNull();
  });

  it("reply flow: pending comment, then a reject keeps the draft and shows the reason", () => {
    const { model, el } = mount();
    const c4 = item(el, "c4");
    click(q(c4, 'button[data-action="reply"]'));
    const ta = q<HTMLTextAreaElement>(c4, 'textarea[data-role="composer"]');
    expect(ta).not.toBeNull();
    type(ta, "My **reply**");
    key(ta, "Enter", { ctrlKey: true });

    const op = model.lastSent("op");
    expect(op).toBeDefined();
    const opMsg = op as NonNullable<typeof op>;
    expect(opMsg.op).toEqual({ type: "add", id: opMsg.op.id, parent_id: "c4", body: "My **reply**" });
    expect(opMsg.rid).toMatch(/^[A-Za-z0-9_.:-]+-\d+$/);
    expect(opMsg.op.id).toMatch(/^[A-Za-z0-9_.:-]{1,64}$/);
    const pending = item(el, opMsg.op.id!);
    expect(pending).not.toBeNull();
    expect(pending.dataset.pending).toBe("true");
    expect(pending.parentElement?.parentElement).toBe(c4);
    // the kernel has not rendered it yet: the source as plain text, never as HTML
    expect(q(pending, '[data-role="body"]').textContent).toBe("My **reply**");
    expect(q(c4, 'textarea[data-role="composer"]')).toBeNull();

    model.deliver({ kind: "reject", rid: opMsg.rid, reason: "Comments are closed.", field: null });
    expect(item(el, opMsg.op.id!)).toBeNull();
    const ta2 = q<HTMLTextAreaElement>(c4, 'textarea[data-role="composer"]');
    expect(ta2.value).toBe("My **reply**");
    expect(q(c4, '[data-role="error"]').textContent).toBe("Comments are closed.");

    // resend; the ack confirms it
    key(ta2, "Enter", { metaKey: true });
    const op2 = model.lastSent("op") as NonNullable<typeof op>;
    expect(op2.rid).not.toBe(opMsg.rid);
    const confirmed: Comment = {
      ...comment(op2.op.id!, "c4"),
      author: "Chris",
      body: "My **reply**",
      created_at: at(200),
    };
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: op2.rid,
      event: { type: "add", comment: confirmed, actor: "Chris", at: at(200) },
    });
    const li = item(el, op2.op.id!);
    expect(li.dataset.pending).toBeUndefined();
    expect(q(el, '[data-role="count"]').textContent).toBe("5 comments");
  });

  it("a reject lost in transit is settled by the answer to the next sync", () => {
    const { model, el } = mount();
    const first = model.sent[0] as { client: string; rid: string };
    model.deliver({ kind: "catchup", to: first.client, rid: first.rid, epoch: "e1", done: true, events: [] });
    const box = q(el, '[data-role="new-comment"]');
    type(q<HTMLTextAreaElement>(box, "textarea"), "lost in transit");
    click(q(box, 'button[data-action="submit"]'));
    const op = model.lastSent("op") as NonNullable<ReturnType<typeof model.lastSent<"op">>>;
    expect(item(el, op.op.id!)).not.toBeNull();
    // a gap makes the view sync; the answer does not confirm the request, so it was refused
    vi.useFakeTimers();
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 2,
      rid: null,
      event: { type: "like", id: "c4", user: "Steve", likes: 6, ...base },
    });
    vi.advanceTimersByTime(400);
    vi.useRealTimers();
    const sync = model.lastSent("sync") as { rid: string };
    expect(sync).toMatchObject({ kind: "sync", seq: 0 });
    model.deliver({
      kind: "catchup",
      to: first.client,
      rid: sync.rid,
      epoch: "e1",
      done: true,
      events: [
        { seq: 1, rid: null, event: { type: "like", id: "c4", user: "Anna", likes: 6, ...base } },
        { seq: 2, rid: null, event: { type: "like", id: "c4", user: "Steve", likes: 7, ...base } },
      ],
    });
    expect(item(el, op.op.id!)).toBeNull();
    expect(q<HTMLTextAreaElement>(box, "textarea").value).toBe("lost in transit");
    expect(q(box, '[data-role="error"]').textContent).toBe("No answer from the kernel; please try again.");
    expect(q(item(el, "c4"), '[data-role="likes"]').textContent).toBe("7");
  });

  it("refuses empty and too-long bodies locally", () => {
    const { model, el } = mount({ _config: { max_body: 10 } });
    const box = q(el, '[data-role="new-comment"]');
    const ta = q<HTMLTextAreaElement>(box, "textarea");
    type(ta, "   ");
    click(q(box, 'button[data-action="submit"]'));
    expect(q(box, '[data-role="error"]').textContent).not.toBe("");
    type(ta, "x".repeat(11));
    key(ta, "Enter", { ctrlKey: true });
    expect(q(box, '[data-role="error"]').textContent).toMatch(/Too long/);
    expect(model.lastSent("op")).toBeUndefined();
    expect(q(box, ".tw-counter").textContent).toBe("11 / 10");
  });

  it("Esc cancels a reply; drafts survive re-renders of the comment", () => {
    const { model, el } = mount();
    click(q(item(el, "c3"), 'button[data-action="reply"]'));
    const ta = q<HTMLTextAreaElement>(item(el, "c3"), "textarea");
    type(ta, "draft in progress");
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "like", id: "c3", user: "Steve", likes: 1, ...base },
    });
    expect(q<HTMLTextAreaElement>(item(el, "c3"), "textarea").value).toBe("draft in progress");
    expect(q(item(el, "c3"), '[data-role="likes"]').textContent).toBe("1");
    // a full reset (new epoch) keeps it too
    model.kernelSet("_snapshot", { ...smallSnapshot("e2", 0) });
    expect(q<HTMLTextAreaElement>(item(el, "c3"), "textarea").value).toBe("draft in progress");
    key(q(item(el, "c3"), "textarea"), "Escape");
    expect(q(item(el, "c3"), "textarea")).toBeNull();
  });

  it("likes, edits and deletes own comments as pending ops", () => {
    const { model, el } = mount();
    click(q(item(el, "c4"), 'button[data-action="like"]'));
    expect(model.lastSent("op")?.op).toEqual({ type: "like", id: "c4" });
    expect(item(el, "c4").dataset.pending).toBe("true");
    const like = q(item(el, "c4"), 'button[data-action="like"]');
    expect(like.getAttribute("aria-pressed")).toBe("true");
    expect(q(like, '[data-role="likes"]').textContent).toBe("6");

    click(q(item(el, "c1"), ':scope > .tw-card button[data-action="edit"]'));
    const ta = q<HTMLTextAreaElement>(item(el, "c1"), ":scope > .tw-slot textarea");
    expect(ta.value).toBe("Body of c1");
    type(ta, "Edited body");
    click(q(item(el, "c1"), ':scope > .tw-slot button[data-action="submit"]'));
    expect(model.lastSent("op")?.op).toEqual({ type: "edit", id: "c1", body: "Edited body" });
    expect(q(item(el, "c1"), ':scope > .tw-card [data-role="body"]').textContent?.trim()).toBe("Edited body");

    // delete asks for confirmation (second click)
    const del = () => q(item(el, "c1"), ':scope > .tw-card button[data-action="delete"]');
    click(del());
    expect(model.lastSent("op")?.op.type).toBe("edit");
    click(del());
    expect(model.lastSent("op")?.op).toEqual({ type: "delete", id: "c1" });
    // c1 has replies: placeholder, no actions except collapse
    const c1 = item(el, "c1");
    expect(c1.dataset.status).toBe("deleted");
    expect(q(c1, ':scope > .tw-card [data-role="body"]').textContent).toBe("[deleted]");
    expect(q(c1, ':scope > .tw-card button:not([data-action="collapse"])')).toBeNull();
    expect(q(el, '[data-role="count"]').textContent).toBe("3 comments");
  });

  it("hides deleted leaves and keeps deleted comments with replies as placeholders", () => {
    const { model, el } = mount();
    model.deliver({ kind: "event", epoch: "e1", seq: 1, rid: null, event: { type: "delete", id: "c2", ...base } });
    expect(item(el, "c2").dataset.status).toBe("deleted");
    expect(q(item(el, "c2"), ':scope > .tw-card [data-role="body"]').textContent).toBe("[deleted]");
    expect(item(el, "c3")).not.toBeNull();
    model.deliver({ kind: "event", epoch: "e1", seq: 2, rid: null, event: { type: "delete", id: "c3", ...base } });
    expect(item(el, "c3")).toBeNull();
    expect(item(el, "c2")).toBeNull(); // no visible replies left
    expect(item(el, "c1").hasAttribute("aria-expanded")).toBe(false);
    expect(q(el, '[data-role="count"]').textContent).toBe("2 comments");
    // a new reply under the deleted c2 brings its placeholder back
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 3,
      rid: null,
      event: { type: "add", comment: comment("c8", "c2"), ...base },
    });
    expect(item(el, "c2").dataset.status).toBe("deleted");
    expect(item(el, "c8").parentElement?.parentElement).toBe(item(el, "c2"));
  });

  it("collapses a subtree and shows the hidden reply count", () => {
    const { el } = mount();
    const c1 = item(el, "c1");
    click(q(c1, ':scope > .tw-card button[data-action="collapse"]'));
    expect(c1.getAttribute("aria-expanded")).toBe("false");
    const toggle = q(c1, ':scope > .tw-card button[data-action="collapse"]');
    expect(toggle.textContent).toContain("2 replies hidden");
    expect(q(c1, ":scope > .tw-group").hidden).toBe(true);
    click(toggle);
    expect(c1.getAttribute("aria-expanded")).toBe("true");
    expect(q(c1, ":scope > .tw-group").hidden).toBe(false);
  });

  it("read_only hides every editing control", () => {
    const { el, model } = mount({ read_only: true });
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(true);
    expect(
      el.querySelector(
        'textarea, button[data-action="reply"], button[data-action="edit"], button[data-action="delete"], button[data-action="like"]',
      ),
    ).toBeNull();
    expect(q(item(el, "c1"), '[data-role="likes"]').textContent).toBe("2");
    // switching it off at runtime brings them back
    model.kernelSet("read_only", false);
    expect(el.querySelector('button[data-action="reply"]')).not.toBeNull();
    expect(q(el, '[data-role="new-comment"] textarea')).not.toBeNull();
  });

  it("a saved snapshot (embed_state) says so; a live widget shows no note", () => {
    const live = mount();
    expect(q(live.el, '[data-role="snapshot-note"]').hidden).toBe(true);
    const saved = mount({ read_only: true, _snapshot: { ...smallSnapshot(), saved_at: "2026-11-26T10:00:00+00:00" } });
    const note = q(saved.el, '[data-role="snapshot-note"]');
    expect(note.hidden).toBe(false);
    expect(note.textContent).toContain("Snapshot saved");
    expect(note.textContent).toContain("read-only");
  });

  it("two views of one model share the mirror and stay in sync", () => {
    const { model, el, view } = mount();
    const el2 = view();
    expect(model.sent.filter((m) => m.kind === "sync").length).toBe(1);
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("c9", "c3"), ...base },
    });
    expect(item(el, "c9")).not.toBeNull();
    expect(item(el2, "c9")).not.toBeNull();
    // an own op from view 1 is pending in both views; only view 1 shows the reject
    const box = q(el, '[data-role="new-comment"]');
    type(q<HTMLTextAreaElement>(box, "textarea"), "from view one");
    click(q(box, 'button[data-action="submit"]'));
    const op = model.lastSent("op") as NonNullable<ReturnType<typeof model.lastSent<"op">>>;
    expect(item(el2, op.op.id!).dataset.pending).toBe("true");
    model.deliver({ kind: "reject", rid: op.rid, reason: "Too fast." });
    expect(item(el, op.op.id!)).toBeNull();
    expect(item(el2, op.op.id!)).toBeNull();
    expect(q<HTMLTextAreaElement>(box, "textarea").value).toBe("from view one");
    expect(q(box, '[data-role="error"]').textContent).toBe("Too fast.");
    expect(q(el2, '[data-role="new-comment"] [data-role="error"]').textContent).toBe("");
    // sort change from one view: written to the model, both views reorder
    const sel = q<HTMLSelectElement>(el, 'select[data-role="sort"]');
    sel.value = "top";
    sel.dispatchEvent(new Event("change"));
    expect(model.get("sort")).toBe("top");
    expect(model.saves).toBe(1);
    const order = (root: HTMLElement) =>
      Array.from(q(root, '[data-role="tree"]').children).map((li) => (li as HTMLElement).dataset.commentId);
    expect(order(el)).toEqual(["c4", "c1"]);
    expect(order(el2)).toEqual(["c4", "c1"]);
    expect(q<HTMLSelectElement>(el2, 'select[data-role="sort"]').value).toBe("top");
  });

  it("one store per model across anywidget's per-call proxies; no sync before a view", () => {
    // anywidget hands initialize and every render a fresh proxy of the one model (modelProxy)
    const model = new FakeModel({ _snapshot: smallSnapshot(), _model_key: "k1" });
    const manager = {};
    const proxy = (): ThreadModel =>
      ({
        get: model.get.bind(model),
        set: model.set.bind(model),
        save_changes: model.save_changes.bind(model),
        send: model.send.bind(model),
        on: model.on.bind(model),
        off: model.off.bind(model),
        widget_manager: manager,
      }) as ThreadModel;
    cleanups.push(widget.initialize({ model: proxy() }));
    // built in one cell, not shown yet: nothing asked of the kernel
    expect(model.sent.filter((m) => m.kind === "sync")).toHaveLength(0);
    const els = [0, 1, 2].map(() => {
      const el = document.createElement("div");
      document.body.append(el);
      cleanups.push(widget.render({ model: proxy(), el }));
      return el;
    });
    // three views, one store, one sync (sent when the first view showed)
    expect(model.sent.filter((m) => m.kind === "sync")).toHaveLength(1);
    expect(storeOf(proxy())).toBe(storeOf(proxy()));
    for (const el of els) expect(item(el, "c1")).not.toBeNull();
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("c9", "c3"), ...base },
    });
    for (const el of els) expect(item(el, "c9")).not.toBeNull();
    // another model in the same manager has its own store
    const other = Object.assign(new FakeModel({ _snapshot: smallSnapshot(), _model_key: "k2" }), {
      widget_manager: manager,
    });
    cleanups.push(widget.initialize({ model: other }));
    expect(storeOf(other)).not.toBe(storeOf(proxy()));
  });

  it("a model whose views are all gone asks nothing until a view shows it again", () => {
    const model = new FakeModel({ _snapshot: smallSnapshot(), _model_key: "k3" });
    cleanups.push(widget.initialize({ model }));
    const el = document.createElement("div");
    const un = widget.render({ model, el });
    expect(model.sent.filter((m) => m.kind === "sync")).toHaveLength(1);
    un();
    (storeOf(model) as NonNullable<ReturnType<typeof storeOf>>).requestSync(true);
    expect(model.sent.filter((m) => m.kind === "sync")).toHaveLength(1);
    cleanups.push(widget.render({ model, el: document.createElement("div") }));
    expect(model.sent.filter((m) => m.kind === "sync")).toHaveLength(2);
  });

  it("cleans up listeners when views and the model go away", () => {
    const model = new FakeModel({ _snapshot: smallSnapshot() });
    const before = model.listenerCount();
    const dispose = widget.initialize({ model });
    const el = document.createElement("div");
    const un = widget.render({ model, el });
    expect(el.querySelector(".tw-root")).not.toBeNull();
    un();
    expect(el.querySelector(".tw-root")).toBeNull();
    dispose();
    expect(model.listenerCount()).toBe(before);
    expect(storeOf(model)).toBeUndefined();
  });

  it("catches up from a sync reply and replaces the thread on a snapshot", () => {
    const { model, el } = mount();
    const client = (model.sent[0] as { client: string }).client;
    model.deliver({
      kind: "catchup",
      to: client,
      epoch: "e1",
      done: true,
      events: [{ seq: 1, rid: null, event: { type: "delete", id: "c4", ...base } }],
    });
    expect(item(el, "c4")).toBeNull();
    model.deliver({
      kind: "snapshot",
      to: client,
      epoch: "e7",
      seq: 3,
      part: 0,
      parts: 2,
      post: { ...POST, title: "New post" },
      comments: [comment("s1", null)],
    });
    expect(item(el, "c1")).not.toBeNull();
    model.deliver({
      kind: "snapshot",
      to: client,
      epoch: "e7",
      seq: 3,
      part: 1,
      parts: 2,
      comments: [comment("s2", "s1")],
    });
    expect(item(el, "c1")).toBeNull();
    expect(item(el, "s2")).not.toBeNull();
    expect(q(el, '[data-role="post-title"]').textContent).toBe("New post");
  });

  it("renders a 2,000-comment thread progressively, within small tasks", async () => {
    const comments: Comment[] = [];
    for (let i = 0; i < 400; i++) {
      comments.push(comment(`t${i}`, null, { created_at: at(i) }));
      for (let j = 0; j < 4; j++)
        comments.push(comment(`t${i}r${j}`, j === 0 ? `t${i}` : `t${i}r${j - 1}`, { created_at: at(i + j / 10) }));
    }
    // a long reply chain: data depth unlimited, indentation capped
    const snap: Snapshot = { epoch: "big", seq: 0, complete: true, post: POST, comments };
    const t0 = performance.now();
    const { el } = mount({ _snapshot: snap });
    const firstTask = performance.now() - t0;
    const first = el.querySelectorAll("[data-comment-id]").length;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(2000);
    expect(q(el, '[data-role="count"]').textContent).toBe("2,000 comments");
    // watch every later task the view schedules: how long it ran, how many threads it added
    const tree = q(el, '[data-role="tree"]');
    const realSetTimeout = globalThis.setTimeout;
    const chunks: { ms: number; threads: number }[] = [];
    const spy = vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) =>
      realSetTimeout(() => {
        const n0 = tree.childElementCount;
        const s = performance.now();
        fn();
        chunks.push({ ms: performance.now() - s, threads: tree.childElementCount - n0 });
      }, ms)) as unknown as typeof setTimeout);
    const t1 = performance.now();
    await settle(el, 2000);
    spy.mockRestore();
    // never everything at once: at most CHUNK_THREADS top-level threads per task, so many tasks
    expect(Math.max(...chunks.map((c) => c.threads))).toBeLessThanOrEqual(CHUNK_THREADS);
    expect(chunks.filter((c) => c.threads > 0).length).toBeGreaterThanOrEqual(Math.ceil((400 - first) / CHUNK_THREADS));
    // wall-clock numbers are informative only (jsdom on a shared machine is slow and noisy)
    const longest = Math.max(...chunks.map((c) => c.ms));
    console.log(
      `progressive: first task ${firstTask.toFixed(0)} ms, rest ${(performance.now() - t1).toFixed(0)} ms in ${chunks.length} tasks, longest ${longest.toFixed(1)} ms`,
    );
    expect(el.querySelectorAll("[data-comment-id]").length).toBe(2000);
    const top = Array.from(q(el, '[data-role="tree"]').children).map((li) => (li as HTMLElement).dataset.commentId);
    expect(top.slice(0, 3)).toEqual(["t0", "t1", "t2"]);
    expect(top.length).toBe(400);
    expect(item(el, "t399r3").getAttribute("aria-level")).toBe("5");
  }, 60_000);

  it("re-sorts a big tree progressively and keeps collapsed subtrees collapsed", async () => {
    const comments: Comment[] = [];
    for (let i = 0; i < 800; i++) {
      comments.push(comment(`t${i}`, null, { created_at: at(i), likes: i % 7 }));
      comments.push(comment(`t${i}r`, `t${i}`, { created_at: at(i + 0.5) }));
    }
    const model = new FakeModel({ _snapshot: { epoch: "s", seq: 0, complete: true, post: POST, comments } });
    const el = document.createElement("div");
    document.body.append(el);
    widget.initialize({ model });
    widget.render({ model, el });
    await settle(el, 1600);
    (item(el, "t0").querySelector('button[data-action="collapse"]') as HTMLButtonElement).click();
    expect(item(el, "t0").getAttribute("aria-expanded")).toBe("false");
    model.set("sort", "top");
    await settle(el, 1600 - 1);
    const top = Array.from(q(el, '[data-role="tree"]').children).map((li) => (li as HTMLElement).dataset.commentId);
    expect(top.slice(0, 3)).toEqual(["t6", "t13", "t20"]); // 6 likes first, oldest first among equals
    expect(top.length).toBe(800);
    expect(item(el, "t0").getAttribute("aria-expanded")).toBe("false"); // per-view state survived
    expect(el.querySelector('[data-comment-id="t0r"]')).toBeNull();
  }, 60_000);

  it("caps visual indentation at depth 6 but keeps the data depth", async () => {
    const comments: Comment[] = [comment("d1", null)];
    for (let i = 2; i <= 10; i++) comments.push(comment(`d${i}`, `d${i - 1}`));
    const { el } = mount({ _snapshot: { epoch: "deep", seq: 0, complete: true, post: POST, comments } });
    await settle(el, 10);
    expect(item(el, "d10").getAttribute("aria-level")).toBe("10");
    expect(item(el, "d10").classList.contains("tw-deep")).toBe(true);
    expect(item(el, "d6").classList.contains("tw-deep")).toBe(false);
    expect(q(item(el, "d6"), ":scope > .tw-group").classList.contains("tw-flat")).toBe(true);
    expect(q(item(el, "d5"), ":scope > .tw-group").classList.contains("tw-flat")).toBe(false);
  });
});
