import { describe, expect, it, vi } from "vitest";
import type { Model } from "../src/generated/model";
import { isSaved, savedSnapshot } from "../src/saved";
import { ThreadStore } from "../src/state";

const post = {
  id: "post",
  title: "T",
  author: "S",
  body: "b",
  html: "<p>b</p>",
  created_at: "2024-01-01T00:00:00Z",
  url: null,
  image: null,
  locked: null,
  extra: {},
};
const comment = (id: string, body: string) => ({
  id,
  parent_id: null,
  author: "A",
  body,
  html: `<p>${body}</p>`,
  created_at: "2024-01-01T00:00:00Z",
  edited_at: null,
  status: "visible" as const,
  likes: 0,
  liked_by: [],
});

function model(attrs: Record<string, unknown>) {
  return { get: (name: string) => attrs[name] };
}

describe("saved notebook state", () => {
  const snap = { epoch: "e1:saved", seq: 2, complete: true, post, comments: [comment("a", "one")] };

  it("folds the slots over the snapshot: changed comments replaced, new ones added, the post", () => {
    const edited = { ...comment("a", "one, edited"), edited_at: "2024-01-02T00:00:00Z" };
    const m = model({
      _snapshot: snap,
      _tn: 3,
      _t0: { comment: comment("b", "two") },
      _t1: { comment: edited },
      _t2: { post: { ...post, title: "New" } },
    });
    const folded = savedSnapshot(m);
    expect(folded?.comments?.map((c) => c.body)).toEqual(["one, edited", "two"]);
    expect(folded?.post.title).toBe("New");
    expect(snap.comments[0].body).toBe("one"); // the trait value itself is not mutated
  });

  it("ignores slots left over from before the last snapshot, and live snapshots", () => {
    expect(
      savedSnapshot(model({ _snapshot: snap, _tn: 0, _t0: { comment: comment("z", "old") } }))?.comments,
    ).toHaveLength(1);
    const live = { ...snap, epoch: "e1" };
    expect(savedSnapshot(model({ _snapshot: live, _tn: 1, _t0: { comment: comment("z", "x") } }))).toBe(live);
    expect(isSaved(snap)).toBe(true);
    expect(isSaved(live)).toBe(false);
  });

  it("a live view does not replace its thread with a refreshed saved snapshot; it checks in", () => {
    const sent: unknown[] = [];
    const store = new ThreadStore({ send: (m) => sent.push(m), user: "A" });
    store.load({ epoch: "live", seq: 2, complete: true, post, comments: [comment("a", "full text")] });
    store.onSnapshotTrait({ ...snap, comments: [] });
    expect(store.display("a")?.body).toBe("full text");
    expect(sent).toHaveLength(0); // it holds that seq already (a burst refreshes it often)
    vi.useFakeTimers();
    store.onSnapshotTrait({ ...snap, seq: 3, comments: [] }); // ahead: the events are on their way
    vi.advanceTimersByTime(400); // ... they did not come
    vi.useRealTimers();
    expect(store.display("a")?.body).toBe("full text");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: "sync", epoch: "live", seq: 2 });
  });
});

describe("a saved notebook's view", () => {
  it("has no controls until a live kernel answers, then has them", async () => {
    const { mount, cleanup, item, q } = await import("./helpers");
    const { smallSnapshot } = await import("./fake-model");
    const saved = { ...smallSnapshot(), epoch: "e1:saved" };
    const { el, model, client } = mount({ _snapshot: saved });
    const first = saved.comments?.[0]?.id ?? "";
    expect(q(item(el, first), 'button[data-action="reply"]')).toBeNull();
    model.deliver({
      kind: "snapshot",
      to: client,
      rid: null,
      epoch: "live",
      seq: saved.seq,
      part: 0,
      parts: 1,
      post: saved.post,
      comments: saved.comments ?? [],
      confirmed: [],
    });
    expect(q(item(el, first), 'button[data-action="reply"]')).not.toBeNull();
    cleanup();
  });
});

describe("a notebook saved with one slot per comment", () => {
  it("shows the slots' comments, a deleted one without its text, and reads a replaced thread whole", async () => {
    const { mount, cleanup, item } = await import("./helpers");
    const { smallSnapshot, withHtml } = await import("./fake-model");
    const whole = smallSnapshot();
    const slots: Record<string, unknown> = { _tn: whole.comments?.length ?? 0 };
    (whole.comments ?? []).forEach((c, n) => (slots[`_t${n}`] = withHtml({ comment: c })));
    const gone = whole.comments?.[1];
    slots._t1 = { comment: { ...gone, body: "", html: "", status: "deleted" } };
    const { el, model } = mount({ _snapshot: { ...whole, epoch: "e1:saved", comments: [] }, ...slots });
    expect(item(el, "c1")?.textContent).toContain(whole.comments?.[0]?.body ?? "?");
    expect(item(el, "c4")).not.toBeNull();
    expect(item(el, "c2")?.textContent).not.toContain(gone?.body ?? "?");
    // `w.thread = ...`: the new comments come in slots set with the new `_snapshot`
    model.attrs._t0 = withHtml({ comment: { ...whole.comments?.[3], id: "n1", parent_id: null } });
    model.attrs._tn = 1;
    model.set("_snapshot", withHtml({ ...whole, epoch: "e2:saved", comments: [] }) as Model["_snapshot"]);
    await Promise.resolve();
    expect(item(el, "n1")).not.toBeNull();
    expect(item(el, "c1")).toBeNull();
    cleanup();
  });
});
