/**
 * The golden protocol fixtures (tests/data/protocol, checked against the pydantic models by
 * tests/test_protocol_wire.py) through the page: ThreadStore sends exactly the client fixtures
 * and folds the kernel's to the thread the kernel's snapshot holds; the widget draws them.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { ClientMessage, ConfigValue, ServerMessage, SnapshotValue } from "../src/generated/protocol";
import type { IncomingMsg, Op, OutgoingMsg, ReplyMsg, Snapshot } from "../src/protocol";
import { LOST_REASON, isIncomingMsg } from "../src/protocol";
import { ThreadStore } from "../src/state";
import type { RejectNotice } from "../src/state";
import { savedSnapshot } from "../src/saved";
import widget from "../src/widget";
import { FakeModel } from "./fake-model";
import { byId } from "./sim-kernel";

const RAW = import.meta.glob("../../tests/data/protocol/*.json", { query: "?raw", import: "default", eager: true });
const FIX: Record<string, unknown> = Object.fromEntries(
  Object.entries(RAW).map(([path, text]) => [
    (path.split("/").pop() as string).replace(/\.json$/, ""),
    JSON.parse(text) as unknown,
  ]),
);
const fixture = <T>(name: string): T => {
  if (!(name in FIX)) throw new Error(`no fixture ${name}`);
  return structuredClone(FIX[name]) as T;
};
const server = (name: string) => fixture<ServerMessage>(`server.${name}`) as IncomingMsg;
const client = (name: string) => fixture<ClientMessage>(`client.${name}`);
const events = Object.keys(FIX)
  .filter((n) => n.startsWith("server.event-"))
  .map((n) => fixture<ServerMessage & { kind: "event" }>(n))
  .filter((m) => m.epoch === fixture<SnapshotValue>("trait.snapshot").epoch)
  .sort((a, b) => a.seq - b.seq);

function store() {
  const sent: OutgoingMsg[] = [];
  const s = new ThreadStore({ send: (m) => sent.push(m), client: "k3f9", user: "Chris", staleAfterMs: 0 });
  const notices: RejectNotice[] = [];
  const replies: ReplyMsg[] = [];
  const focused: string[] = [];
  s.onReject((n) => notices.push(n));
  s.onReply((m) => replies.push(m));
  s.onFocus((id) => focused.push(id));
  s.load(fixture<Snapshot>("trait.snapshot"));
  return { s, sent, notices, replies, focused };
}
const opOf = (name: string): Op => (client(name) as { op: Op }).op;

describe("golden protocol fixtures", () => {
  it("are all read as incoming messages by the page", () => {
    const names = Object.keys(FIX).filter((n) => n.startsWith("server."));
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(isIncomingMsg(FIX[n]), n).toBe(true);
  });

  it("tell one story: the page sends the client fixtures and ends with the kernel's snapshot", () => {
    const { s, sent, notices } = store();
    expect(s.mirror.comments.get("c3")?.flags.map((f) => f.user)).toEqual(["Ann"]);
    expect(s.mirror.comments.get("c1")?.pinned).toBe(false); // left out on the wire, filled in
    s.requestSync();
    expect(sent.pop()).toEqual(client("sync"));
    s.handleMessage(server("catchup-empty"));
    expect(s.isSyncing).toBe(false);

    expect(s.nextCommentId()).toBe(opOf("op-add").id);
    s.submit(opOf("op-add"));
    expect(sent.pop()).toEqual(client("op-add"));
    expect(s.isUnconfirmed("k3f9-a2")).toBe(true);
    s.handleMessage(events[0]);
    expect(s.pending.size).toBe(0);
    expect(s.display("k3f9-a2")?.html).toContain("<em>am</em>");

    s.submit(opOf("op-edit"));
    expect(sent.pop()).toEqual(client("op-edit"));
    expect(s.display("k3f9-a2")?.body).toBe("Guilty — I *was* on one."); // drawn at once
    s.handleMessage(events[1]);
    expect(s.display("k3f9-a2")?.html).toBe("<p>Guilty — I <em>was</em> on one.</p>");

    s.submit(opOf("op-edit-refused"));
    expect(sent.pop()).toEqual(client("op-edit-refused"));
    expect(s.display("c1")?.body).toBe("not mine");
    s.handleMessage(server("reject"));
    expect(notices.map((n) => [n.reason, n.field])).toEqual([
      ["Only the author can change this comment (Jennifer); you are Chris.", "id"],
    ]);
    expect(s.display("c1")?.body).toBe("I agree with you on this post!");
    s.handleMessage(server("reject-unreadable")); // nobody's request: nothing happens
    expect(notices.length).toBe(1);

    for (const e of events.slice(2)) s.handleMessage(e);
    s.handleMessage(server("catchup")); // duplicates of events 2-4: ignored
    const part0 = fixture<{ seq: number; post: unknown; comments: never[] }>("server.snapshot-part0");
    const part1 = fixture<{ comments: never[] }>("server.snapshot-part1");
    expect(s.seq).toBe(part0.seq);
    expect(byId(s.mirror.comments.values())).toEqual(byId([...part0.comments, ...part1.comments]));
    expect(s.post).toEqual(part0.post);
    expect(s.post?.locked?.reason).toBe("Class is over");
    expect(s.post?.extra).toEqual({ score: 0.2, topic: "social media" });
    expect(s.mirror.comments.get("c3")?.extra).toEqual({ spam_score: 0.97 }); // null removed the key
    expect(s.mirror.comments.get("c2")?.status).toBe("deleted");
  });

  it("a batch of events (`events`, a burst from Python) is each event in turn, one change emitted", () => {
    const one = store();
    const batch = store();
    for (const e of events.slice(0, 2)) {
      one.s.handleMessage(e);
      batch.s.handleMessage(e);
    }
    expect(events[2].seq).toBe(3);
    for (const e of events.slice(2, 4)) one.s.handleMessage(e);
    const changes: number[] = [];
    batch.s.subscribe(() => changes.push(1));
    batch.s.handleMessage(server("events"));
    expect(changes.length).toBe(1);
    expect(batch.s.seq).toBe(one.s.seq);
    expect(byId(batch.s.mirror.comments.values())).toEqual(byId(one.s.mirror.comments.values()));
  });

  it("a snapshot in two parts replaces the mirror and settles the requests it confirms", () => {
    const { s, sent, notices } = store();
    s.requestSync(); // k3f9-1
    s.nextCommentId(); // k3f9-a2
    s.submit(opOf("op-add")); // k3f9-3, its event lost
    s.submit(opOf("op-edit")); // k3f9-4, its event lost
    s.submit(opOf("op-edit-refused")); // k3f9-5, its reject lost
    s.handleMessage(server("catchup-empty"));
    s.requestSync(true); // k3f9-6 (its catch-up is lost too)
    s.epoch = "stale";
    s.requestSync(true); // k3f9-7, answered by the snapshot parts
    expect(sent.pop()).toMatchObject({ kind: "sync", rid: "k3f9-7", epoch: "stale" });
    s.handleMessage(server("snapshot-part1")); // a part before part 0 is a stray: ignored
    s.handleMessage(server("snapshot-part0"));
    expect(s.seq).toBe(0);
    s.handleMessage(server("snapshot-part1"));
    expect(s.seq).toBe(13);
    expect(s.epoch).toBe("9f1c2e7a");
    expect(s.pending.size).toBe(0);
    expect(notices.map((n) => [n.rid, n.reason])).toEqual([["k3f9-5", LOST_REASON]]);
    expect(s.display("k3f9-a2")?.body).toBe("Guilty — I *was* on one.");
  });

  it("answers to requests reach the reply listeners; focus reaches the focus listeners", () => {
    const { s, sent, replies, focused } = store();
    s.requestSync();
    s.nextCommentId();
    for (let i = 0; i < 5; i++) s.requestSync(true); // counters up to k3f9-7 as in the story
    s.request({ kind: "action", name: "translate", id: "c1" });
    expect(sent.pop()).toEqual(client("action"));
    s.request({ kind: "timeline" });
    expect(sent.pop()).toEqual(client("timeline"));
    s.request({ kind: "replay", index: 1 });
    expect(sent.pop()).toEqual(client("replay"));
    for (const n of ["action_result", "action_result-refused", "timeline", "replay_state"]) s.handleMessage(server(n));
    expect(replies.map((m) => [m.kind, m.rid])).toEqual([
      ["action_result", "k3f9-q8"],
      ["action_result", "k3f9-q8"],
      ["timeline", "k3f9-q9"],
      ["replay_state", "k3f9-q10"],
    ]);
    s.handleMessage(server("focus"));
    expect(focused).toEqual(["k3f9-a2"]);
  });

  it("the other client fixtures are what a page sends", () => {
    const s = new ThreadStore({ send: () => undefined, client: "x7q2", staleAfterMs: 0 });
    const sent: OutgoingMsg[] = [];
    const fresh = new ThreadStore({ send: (m) => sent.push(m), client: "x7q2", staleAfterMs: 0 });
    fresh.load({ ...fixture<Snapshot>("trait.snapshot-incomplete"), epoch: "x" });
    fresh.requestSync();
    const { rid: _rid, ...initial } = sent[0] as OutgoingMsg & { rid?: string };
    expect(initial).toEqual(client("sync-initial")); // an incomplete snapshot names no epoch
    expect(s.complete).toBe(true);
    const m = new ThreadStore({ send: (msg) => sent.push(msg), client: "m1", staleAfterMs: 0 });
    m.requestSync();
    for (const n of ["op-lock-thread", "op-vote-retract", "op-moderate"]) {
      sent.length = 0;
      m.submit(opOf(n));
      expect(sent[0]).toEqual(client(n));
    }
  });
});

describe("golden trait fixtures", () => {
  it("a first-screen snapshot is drawn at once, then the page asks for the whole thread", () => {
    const sent: OutgoingMsg[] = [];
    const s = new ThreadStore({ send: (m) => sent.push(m), client: "k3f9", staleAfterMs: 0 });
    s.onSnapshotTrait(fixture<Snapshot>("trait.snapshot-first-screen"));
    expect(s.complete).toBe(false);
    expect([...s.mirror.comments.keys()]).toEqual(["c1", "c2"]);
    expect(sent).toEqual([{ kind: "sync", client: "k3f9", epoch: "", seq: 0, rid: "k3f9-1" }]);
  });

  it("saved-state slots fold over a saved snapshot", () => {
    const snap = { ...fixture<Snapshot>("trait.snapshot"), epoch: "9f1c2e7a:saved" };
    const attrs: Record<string, unknown> = {
      _snapshot: snap,
      _tn: 2,
      _t0: fixture("trait.saved-slot-comment"),
      _t1: { post: { ...fixture<{ post: object }>("trait.saved-slot-post").post, title: "Renamed" } },
    };
    const folded = savedSnapshot({ get: (name: string) => attrs[name] });
    expect(folded?.post.title).toBe("Renamed");
    expect(folded?.comments?.map((c) => c.id)).toEqual(["c1", "c2", "c3"]);
  });
});

describe("the widget draws the golden fixtures", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    while (cleanups.length) (cleanups.pop() as () => void)();
    document.body.replaceChildren();
  });

  it("renders the snapshot trait, the config trait and every event", async () => {
    const config = fixture<ConfigValue>("trait.config");
    const model = new FakeModel({
      _snapshot: fixture<SnapshotValue>("trait.snapshot"),
      _config: config,
      user: "Ms. R",
    });
    cleanups.push(widget.initialize({ model }));
    const el = document.createElement("div");
    document.body.append(el);
    const dispose = widget.render({ model, el });
    if (dispose) cleanups.push(dispose);
    const idle = async () => {
      for (let i = 0; i < 2000 && el.querySelector<HTMLElement>(".tw-root")?.dataset.state !== "idle"; i++)
        await new Promise((r) => setTimeout(r, 0));
    };
    await idle();
    const item = (id: string) => el.querySelector<HTMLElement>(`[data-comment-id="${id}"]`);
    expect(item("c2")?.querySelector("[data-role=body]")?.innerHTML).not.toContain("<script");
    for (const e of events) model.deliver(e);
    await idle();
    expect(item("k3f9-a2")?.querySelector("[data-role=body]")?.innerHTML).toBe(
      "<p>Guilty — I <em>was</em> on one.</p>",
    );
    expect(item("c2")).toBeNull(); // deleted, and no reply left: gone from the tree
    expect(item("c3")?.dataset.status).toBe("spam"); // a moderator sees it, greyed
    expect(el.querySelector("[data-role=post-title]")?.textContent).toBe("On a social media power trip?");
  });
});
