import { describe, expect, it, vi } from "vitest";
import { PendingOps, ROOT, ThreadStore, applyEvent, emptyMirror, mirrorFrom } from "../src/state";
import type { Change, RejectNotice } from "../src/state";
import type { Event, OutgoingMsg } from "../src/protocol";
import { POST, at, comment, smallSnapshot } from "./fake-model";

function makeStore(user = "Chris") {
  const sent: OutgoingMsg[] = [];
  const store = new ThreadStore({ send: (m) => sent.push(m), client: "k3f9", user, now: () => new Date(at(100)) });
  const changes: Change[] = [];
  const rejects: RejectNotice[] = [];
  store.subscribe((c) => changes.push(c));
  store.onReject((r) => rejects.push(r));
  store.load(smallSnapshot());
  changes.length = 0;
  return { store, sent, changes, rejects };
}

const base = { actor: "Steve", at: at(50) };
const ev = (seq: number, event: Event, rid: string | null = null, epoch = "e1") =>
  ({ kind: "event", epoch, seq, rid, event }) as const;

describe("applyEvent", () => {
  it("applies each event type", () => {
    const m = mirrorFrom(smallSnapshot().comments ?? []);
    expect(applyEvent(m, { type: "add", comment: comment("c5", "c3"), ...base })).toEqual(["c5", "c3", "c2", "c1"]);
    expect(m.children.get("c3")).toEqual(["c5"]);
    expect(applyEvent(m, { type: "edit", id: "c4", body: "new", edited_at: at(51), ...base })).toEqual(["c4"]);
    expect(m.comments.get("c4")).toMatchObject({ body: "new", edited_at: at(51) });
    expect(applyEvent(m, { type: "like", id: "c4", user: "Steve", likes: 6, ...base })).toEqual(["c4"]);
    expect(m.comments.get("c4")).toMatchObject({ likes: 6, liked_by: ["Steve"] });
    applyEvent(m, { type: "unlike", id: "c4", user: "Steve", likes: 5, ...base });
    expect(m.comments.get("c4")).toMatchObject({ likes: 5, liked_by: [] });
    expect(applyEvent(m, { type: "delete", id: "c2", ...base })).toEqual(["c2", "c1"]);
    expect(m.comments.get("c2")).toMatchObject({ status: "deleted", body: "" });
    // events on unknown comments change nothing
    expect(applyEvent(m, { type: "edit", id: "nope", body: "x", edited_at: at(1), ...base })).toEqual([]);
  });
});

describe("PendingOps", () => {
  it("draws own unacknowledged operations over the confirmed mirror without writing into it", () => {
    const base = { mirror: mirrorFrom(smallSnapshot().comments ?? []), user: "Chris" };
    const ops = new PendingOps(base);
    ops.add({ rid: "r1", op: { type: "add", id: "n1", parent_id: "c3", body: "mine" }, at: at(60) });
    ops.add({ rid: "r2", op: { type: "like", id: "c4" }, at: at(61) });
    expect(ops.size).toBe(2);
    expect(ops.display("n1")).toMatchObject({ author: "Chris", body: "mine", parent_id: "c3" });
    expect(ops.childIds("c3")).toEqual([...(base.mirror.children.get("c3") ?? []), "n1"]);
    expect(ops.parentOf("n1")).toBe("c3");
    expect(ops.isUnconfirmed("n1")).toBe(true);
    expect(ops.isPending("c4")).toBe(true);
    const likes = base.mirror.comments.get("c4")?.likes ?? 0;
    expect(ops.display("c4")?.likes).toBe(likes + 1);
    expect(base.mirror.comments.get("c4")?.likes).toBe(likes); // never written into the mirror
    expect(base.mirror.comments.has("n1")).toBe(false);
    expect(ops.visibleDelta()).toBe(1);
    expect(ops.idsOf({ type: "add", id: "n1", parent_id: "c3", body: "mine" })).toEqual(["n1", "c3", "c2", "c1"]);
    // acknowledged: gone, and the view is the mirror again
    expect(ops.take("r2")?.op.type).toBe("like");
    expect(ops.take("r2")).toBeUndefined();
    expect(ops.display("c4")?.likes).toBe(likes);
    // a new mirror holding the comment settles the pending add
    base.mirror = emptyMirror();
    expect(ops.childIds("c3")).toEqual(["n1"]);
    base.mirror = mirrorFrom([...(smallSnapshot().comments ?? []), comment("n1", "c3")]);
    ops.dropSettledAdds();
    expect(ops.size).toBe(0);
  });
});

describe("ThreadStore", () => {
  it("loads a snapshot with a children index", () => {
    const { store } = makeStore();
    expect(store.epoch).toBe("e1");
    expect(store.post?.title).toBe(POST.title);
    expect(store.childIds(ROOT)).toEqual(["c1", "c4"]);
    expect(store.childIds("c1")).toEqual(["c2"]);
    expect(store.depth("c3")).toBe(3);
    expect(store.visibleCount()).toBe(4);
  });

  it("applies events in seq order and notifies the touched ids", () => {
    const { store, changes } = makeStore();
    store.handleMessage(ev(1, { type: "edit", id: "c3", body: "changed", edited_at: at(60), ...base }));
    expect(store.seq).toBe(1);
    expect(store.display("c3")?.body).toBe("changed");
    expect(changes).toEqual([{ ids: ["c3"], reset: false }]);
  });

  it("ignores duplicates and syncs on a gap that stays", () => {
    vi.useFakeTimers();
    try {
      const { store, sent } = makeStore();
      const e1 = ev(1, { type: "like", id: "c3", user: "Steve", likes: 1, ...base });
      store.handleMessage(e1);
      store.handleMessage(e1);
      expect(store.display("c3")?.likes).toBe(1);
      expect(sent).toEqual([]);
      store.handleMessage(ev(5, { type: "like", id: "c4", user: "Steve", likes: 6, ...base }));
      expect(store.seq).toBe(1);
      expect(store.display("c4")?.likes).toBe(5);
      expect(sent).toEqual([]); // it may come out of order: a moment for the ones before it
      vi.advanceTimersByTime(400);
      expect(sent).toEqual([{ kind: "sync", client: "k3f9", epoch: "e1", seq: 1, rid: "k3f9-1" }]);
      // a second gap while the sync is in flight does not send another
      store.handleMessage(ev(6, { type: "like", id: "c4", user: "Anna", likes: 7, ...base }));
      vi.advanceTimersByTime(400);
      expect(sent.length).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("applies events that arrive out of order in seq order, without a sync", () => {
    vi.useFakeTimers();
    try {
      const { store, sent } = makeStore();
      store.handleMessage(ev(2, { type: "like", id: "c4", user: "Anna", likes: 6, ...base }));
      store.handleMessage(ev(3, { type: "unlike", id: "c4", user: "Anna", likes: 5, ...base }));
      expect(store.seq).toBe(0);
      store.handleMessage(ev(1, { type: "like", id: "c3", user: "Steve", likes: 1, ...base }));
      expect(store.seq).toBe(3);
      expect(store.display("c4")?.likes).toBe(5);
      vi.advanceTimersByTime(1000);
      expect(sent).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("applies catchup parts addressed to it, ignores others", () => {
    const { store, sent } = makeStore();
    vi.useFakeTimers();
    store.handleMessage(ev(3, { type: "delete", id: "c4", ...base })); // gap
    vi.advanceTimersByTime(400);
    vi.useRealTimers();
    expect(sent.length).toBe(1);
    store.handleMessage({
      kind: "catchup",
      to: "other",
      epoch: "e1",
      done: true,
      events: [{ seq: 1, rid: null, event: { type: "delete", id: "c1", ...base } }],
    });
    expect(store.seq).toBe(0);
    store.handleMessage({
      kind: "catchup",
      to: "k3f9",
      epoch: "e1",
      done: false,
      events: [{ seq: 1, rid: null, event: { type: "add", comment: comment("c5", null), ...base } }],
    });
    expect(store.isSyncing).toBe(true);
    store.handleMessage({
      kind: "catchup",
      to: "k3f9",
      epoch: "e1",
      done: true,
      events: [
        { seq: 2, rid: null, event: { type: "edit", id: "c5", body: "e", edited_at: at(70), ...base } },
        { seq: 3, rid: null, event: { type: "delete", id: "c4", ...base } },
      ],
    });
    expect(store.seq).toBe(3);
    expect(store.isSyncing).toBe(false);
    expect(store.display("c5")?.body).toBe("e");
    expect(store.isShown("c4")).toBe(false);
  });

  it("replaces the mirror after the last snapshot part", () => {
    const { store, changes } = makeStore();
    const newPost = { ...POST, title: "Replaced" };
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      epoch: "e2",
      seq: 40,
      part: 0,
      parts: 3,
      post: newPost,
      comments: [comment("n1", null)],
    });
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      epoch: "e2",
      seq: 40,
      part: 1,
      parts: 3,
      comments: [comment("n2", "n1")],
    });
    expect(store.epoch).toBe("e1");
    expect(store.mirror.comments.has("c1")).toBe(true);
    expect(changes).toEqual([]);
    store.handleMessage({
      kind: "snapshot",
      to: "other",
      epoch: "e2",
      seq: 40,
      part: 2,
      parts: 3,
      comments: [comment("zz", null)],
    });
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      epoch: "e2",
      seq: 40,
      part: 2,
      parts: 3,
      comments: [comment("n3", null)],
    });
    expect(store.epoch).toBe("e2");
    expect(store.seq).toBe(40);
    expect(store.post?.title).toBe("Replaced");
    expect([...store.mirror.comments.keys()]).toEqual(["n1", "n2", "n3"]);
    expect(changes).toEqual([{ ids: [], reset: true }]);
  });

  it("ends current after snapshot parts sent in the background: events meanwhile follow the last part", () => {
    const { store, sent } = makeStore();
    store.requestSync(true);
    const rid = (sent.at(-1) as { rid: string }).rid;
    // the kernel takes the thread at seq 40 and sends the parts; events 41, 42 are broadcast meanwhile
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      rid,
      epoch: "e2",
      seq: 40,
      part: 0,
      parts: 2,
      post: POST,
      comments: [comment("n1", null)],
    });
    store.handleMessage(ev(41, { type: "add", comment: comment("n9", "n1"), ...base }, null, "e2"));
    store.handleMessage(ev(42, { type: "like", id: "n1", user: "Steve", likes: 1, ...base }, null, "e2"));
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      rid,
      epoch: "e2",
      seq: 40,
      part: 1,
      parts: 2,
      comments: [comment("n2", "n1")],
    });
    expect(store.seq).toBe(40);
    // then, in order under the kernel's lock, what happened while the parts were on their way
    store.handleMessage({
      kind: "catchup",
      to: "k3f9",
      rid,
      epoch: "e2",
      done: false,
      events: [
        { seq: 41, rid: null, event: { type: "add", comment: comment("n9", "n1"), ...base } },
        { seq: 42, rid: null, event: { type: "like", id: "n1", user: "Steve", likes: 1, ...base } },
      ],
    });
    expect(store.seq).toBe(42);
    expect(store.mirror.comments.get("n1")?.likes).toBe(1);
    expect(store.mirror.comments.has("n9")).toBe(true);
    expect(store.isSyncing).toBe(false);
    expect(sent.filter((m) => m.kind === "sync")).toHaveLength(1);
  });

  it("resets on a _snapshot with a new epoch and syncs", () => {
    const { store, sent, changes } = makeStore();
    store.onSnapshotTrait(smallSnapshot("e1", 0)); // same epoch: ignored
    expect(changes).toEqual([]);
    store.onSnapshotTrait({ epoch: "e9", seq: 3, complete: true, post: POST, comments: [comment("z1", null)] });
    expect(store.epoch).toBe("e9");
    expect(store.seq).toBe(3);
    expect(store.childIds(ROOT)).toEqual(["z1"]);
    expect(changes).toEqual([{ ids: [], reset: true }]);
    expect(sent.at(-1)).toMatchObject({ kind: "sync", client: "k3f9", epoch: "e9", seq: 3 });
  });

  it("an incomplete snapshot syncs without an epoch and ignores events until parts arrive", () => {
    const { store, sent } = makeStore();
    store.onSnapshotTrait({ epoch: "big", seq: 7, complete: false, post: POST });
    expect(store.complete).toBe(false);
    expect(sent.at(-1)).toMatchObject({ kind: "sync", client: "k3f9", epoch: "", seq: 7 });
    store.handleMessage(ev(8, { type: "add", comment: comment("x", null), ...base }, null, "big"));
    expect(store.mirror.comments.size).toBe(0);
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      epoch: "big",
      seq: 8,
      part: 0,
      parts: 1,
      post: POST,
      comments: [comment("x", null)],
    });
    expect(store.complete).toBe(true);
    expect(store.visibleCount()).toBe(1);
  });

  it("an event from an unknown epoch asks for a sync", () => {
    const { store, sent } = makeStore();
    store.handleMessage(ev(1, { type: "delete", id: "c1", ...base }, null, "other-epoch"));
    expect(store.seq).toBe(0);
    expect(sent).toEqual([{ kind: "sync", client: "k3f9", epoch: "e1", seq: 0, rid: "k3f9-1" }]);
  });

  it("draws pending ops over the mirror and confirms them on ack", () => {
    const { store, sent, changes } = makeStore("Chris");
    const rid = store.submit({ type: "add", id: "k3f9-a1", parent_id: "c3", body: "hi" });
    expect(sent.at(-1)).toEqual({ kind: "op", rid, op: { type: "add", id: "k3f9-a1", parent_id: "c3", body: "hi" } });
    expect(store.mirror.comments.has("k3f9-a1")).toBe(false); // never mixed into the mirror
    expect(store.childIds("c3")).toEqual(["k3f9-a1"]);
    expect(store.display("k3f9-a1")).toMatchObject({ author: "Chris", body: "hi", parent_id: "c3" });
    expect(store.isPending("k3f9-a1")).toBe(true);
    expect(store.isUnconfirmed("k3f9-a1")).toBe(true);
    expect(store.depth("k3f9-a1")).toBe(4);
    expect(store.visibleCount()).toBe(5);
    expect(changes.at(-1)?.ids).toEqual(["k3f9-a1", "c3", "c2", "c1"]);

    const likeRid = store.submit({ type: "like", id: "c4" });
    expect(store.display("c4")).toMatchObject({ likes: 6, liked_by: ["Chris"] });
    expect(store.mirror.comments.get("c4")?.likes).toBe(5);

    store.handleMessage(
      ev(
        1,
        {
          type: "add",
          comment: { ...comment("k3f9-a1", "c3"), author: "Chris", body: "hi" },
          actor: "Chris",
          at: at(101),
        },
        rid,
      ),
    );
    expect(store.pending.has(rid)).toBe(false);
    expect(store.isPending("k3f9-a1")).toBe(false);
    expect(store.childIds("c3")).toEqual(["k3f9-a1"]);
    store.handleMessage(
      ev(2, { type: "like", id: "c4", user: "Chris", likes: 6, actor: "Chris", at: at(101) }, likeRid),
    );
    expect(store.pending.size).toBe(0);
    expect(store.display("c4")).toMatchObject({ likes: 6, liked_by: ["Chris"] });
  });

  it("rolls back a rejected op and reports it", () => {
    const { store, rejects, changes } = makeStore("Chris");
    const rid = store.submit({ type: "edit", id: "c1", body: "EDITED" });
    expect(store.display("c1")?.body).toBe("EDITED");
    const delRid = store.submit({ type: "delete", id: "c4" });
    expect(store.isShown("c4")).toBe(false);
    expect(store.visibleCount()).toBe(3);
    store.handleMessage({ kind: "reject", rid: "someone-else-1", reason: "nope" });
    expect(rejects).toEqual([]);
    store.handleMessage({ kind: "reject", rid, reason: "You can only edit your own comments.", field: "id" });
    expect(store.display("c1")?.body).toBe("Body of c1");
    expect(rejects).toEqual([
      {
        rid,
        reason: "You can only edit your own comments.",
        field: "id",
        op: { type: "edit", id: "c1", body: "EDITED" },
      },
    ]);
    expect(changes.at(-1)?.ids).toContain("c1");
    store.handleMessage({ kind: "reject", rid: delRid, reason: "no" });
    expect(store.isShown("c4")).toBe(true);
    expect(store.visibleCount()).toBe(4);
  });

  it("keeps pending ops across a snapshot, dropping adds the snapshot already has", () => {
    const { store } = makeStore();
    const r1 = store.submit({ type: "add", id: "k3f9-a1", parent_id: null, body: "x" });
    const r2 = store.submit({ type: "like", id: "c1" });
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      epoch: "e1",
      seq: 9,
      part: 0,
      parts: 1,
      post: POST,
      comments: [...(smallSnapshot().comments ?? []), comment("k3f9-a1", null)],
    });
    expect(store.pending.has(r1)).toBe(false);
    expect(store.pending.has(r2)).toBe(true);
  });

  it("shows deleted comments with visible replies as placeholders and hides deleted leaves", () => {
    const { store } = makeStore();
    store.handleMessage(ev(1, { type: "delete", id: "c2", ...base }));
    expect(store.isShown("c2")).toBe(true); // has c3
    expect(store.display("c2")?.status).toBe("deleted");
    expect(store.visibleCount()).toBe(3);
    store.handleMessage(ev(2, { type: "delete", id: "c3", ...base }));
    expect(store.isShown("c3")).toBe(false);
    expect(store.isShown("c2")).toBe(false); // no shown replies left
    expect(store.isShown("c1")).toBe(true);
    expect(store.sortedChildren("c1", "oldest")).toEqual([]);
    expect(store.visibleCount()).toBe(2);
    expect(store.replyCount("c1")).toBe(0);
  });

  it("sorts children by oldest, newest and top", () => {
    const { store } = makeStore();
    store.handleMessage(
      ev(1, { type: "add", comment: comment("c5", null, { created_at: at(30), likes: 5 }), ...base }),
    );
    expect(store.sortedChildren(ROOT, "oldest")).toEqual(["c1", "c4", "c5"]);
    expect(store.sortedChildren(ROOT, "newest")).toEqual(["c5", "c4", "c1"]);
    // top: likes desc, then oldest
    expect(store.sortedChildren(ROOT, "top")).toEqual(["c4", "c5", "c1"]);
    expect(store.replyCount("c1")).toBe(2);
  });

  it("the answer to a sync settles requests whose reject was lost (catchup)", () => {
    const { store, sent, rejects } = makeStore();
    const rAcked = store.submit({ type: "like", id: "c4" });
    const rLost = store.submit({ type: "edit", id: "c1", body: "lost" });
    store.requestSync(true);
    const sync = sent.at(-1) as { rid: string };
    const rAfter = store.submit({ type: "like", id: "c3" }); // sent after the sync: not settled by it
    store.handleMessage({
      kind: "catchup",
      to: "k3f9",
      rid: sync.rid,
      epoch: "e1",
      done: true,
      events: [
        { seq: 1, rid: rAcked, event: { type: "like", id: "c4", user: "Chris", likes: 6, actor: "Chris", at: at(60) } },
      ],
    });
    expect(store.pending.has(rAcked)).toBe(false);
    expect(store.pending.has(rLost)).toBe(false);
    expect(store.pending.has(rAfter)).toBe(true);
    expect(store.display("c1")?.body).toBe("Body of c1");
    expect(rejects.map((r) => [r.rid, r.reason])).toEqual([[rLost, "No answer from the kernel; please try again."]]);
  });

  it("the answer to a sync settles requests by the snapshot's confirmed list", () => {
    const { store, sent, rejects } = makeStore();
    const rDone = store.submit({ type: "edit", id: "c1", body: "kept" });
    const rLost = store.submit({ type: "like", id: "c4" });
    store.requestSync(true);
    const sync = sent.at(-1) as { rid: string };
    const comments = (smallSnapshot().comments ?? []).map((c) =>
      c.id === "c1" ? { ...c, body: "kept", edited_at: at(70) } : c,
    );
    store.handleMessage({
      kind: "snapshot",
      to: "k3f9",
      rid: sync.rid,
      epoch: "e1",
      seq: 12,
      part: 0,
      parts: 1,
      post: POST,
      confirmed: [rDone],
      comments,
    });
    expect(store.pending.size).toBe(0);
    expect(store.display("c1")?.body).toBe("kept");
    expect(rejects.map((r) => r.rid)).toEqual([rLost]);
    expect(store.display("c4")?.likes).toBe(5);
  });

  it("asks for a sync when a request stays unanswered", () => {
    vi.useFakeTimers();
    try {
      const sent: OutgoingMsg[] = [];
      const store = new ThreadStore({ send: (m) => sent.push(m), client: "k3f9", user: "Chris", staleAfterMs: 5000 });
      store.attach(); // a view shows it
      store.load(smallSnapshot());
      store.submit({ type: "like", id: "c4" });
      expect(sent.map((m) => m.kind)).toEqual(["op"]);
      vi.advanceTimersByTime(6000);
      expect(sent.map((m) => m.kind)).toEqual(["op", "sync"]);
      store.dispose();
    } finally {
      vi.useRealTimers();
    }
  });

  it("asks again for a sync whose answer is lost (the first one included), and stops with the last view", () => {
    vi.useFakeTimers();
    try {
      const sent: OutgoingMsg[] = [];
      const store = new ThreadStore({
        send: (m) => sent.push(m),
        client: "k3f9",
        user: "Chris",
        staleAfterMs: 5000,
        syncRetryMs: 3000,
      });
      store.load({ ...smallSnapshot(), complete: false });
      store.requestSync(true); // the first sync: its answer never comes
      const detach = store.attach();
      vi.advanceTimersByTime(3100);
      expect(sent.map((m) => m.kind)).toEqual(["sync", "sync"]);
      vi.advanceTimersByTime(3100); // each retry waits twice as long
      expect(sent.map((m) => m.kind)).toEqual(["sync", "sync"]);
      vi.advanceTimersByTime(3100);
      expect(sent.map((m) => m.kind)).toEqual(["sync", "sync", "sync"]);
      store.submit({ type: "like", id: "c4" });
      detach(); // the view is removed: no timer, no request any more
      vi.advanceTimersByTime(60_000);
      expect(sent.map((m) => m.kind)).toEqual(["sync", "sync", "sync", "op"]);
      store.attach(); // a view again: the unanswered sync is asked again in time
      vi.advanceTimersByTime(12_100); // (the waiting like asks too)
      const syncs = sent.filter((m) => m.kind === "sync").length;
      expect(syncs).toBeGreaterThanOrEqual(4);
      store.dispose();
      vi.advanceTimersByTime(60_000);
      expect(sent.filter((m) => m.kind === "sync").length).toBe(syncs);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a closed comm: nothing thrown, the op refused with its text, then every pending one when the kernel is gone", async () => {
    const sent: OutgoingMsg[] = [];
    let closed = false;
    const store = new ThreadStore({
      send: (m) => {
        if (closed) throw new Error("Cannot send");
        sent.push(m);
      },
      client: "k3f9",
      user: "Chris",
      staleAfterMs: 0,
    });
    store.attach();
    store.load(smallSnapshot());
    const rejects: { rid: string; reason: string }[] = [];
    store.onReject((r) => rejects.push({ rid: r.rid, reason: r.reason }));
    const inFlight = store.submit({ type: "edit", id: "c1", body: "in flight" });
    expect(store.pending.size).toBe(1);
    store.setLink("lost");
    const whileLost = store.submit({ type: "like", id: "c4" });
    expect(sent.map((m) => m.kind)).toEqual(["op"]); // not sent while lost
    await Promise.resolve();
    expect(rejects.map((r) => r.rid)).toEqual([whileLost]);
    expect(store.pending.has(inFlight)).toBe(true); // may still be answered
    store.setLink("live");
    expect(sent.map((m) => m.kind)).toEqual(["op", "sync"]); // back: catch up
    closed = true;
    expect(() => store.submit({ type: "like", id: "c4" })).not.toThrow();
    store.setLink("gone");
    await Promise.resolve();
    expect(store.pending.size).toBe(0);
    expect(rejects.map((r) => r.rid)).toContain(inFlight);
    store.dispose();
  });
});
