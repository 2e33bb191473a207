// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ActionMsg, ActionSpec, Comment, Config, OpMsg } from "../src/protocol";
import { renderFields } from "../src/render/fields";
import { changedActionIds } from "../src/render/actions";
import { voteOp } from "../src/render/votes";
import { Fmt } from "../src/strings";
import { FakeModel, at, comment, smallSnapshot } from "./fake-model";
import widget from "../src/widget";
import { storeOf } from "../src/model";
import type { ThreadStore } from "../src/state";
import { cleanup, cleanups, click, item, mount, q, snap } from "./helpers";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const cfg = (extra: Partial<Config>): Config => ({ max_body: 20000, ...extra });
const all = <T extends Element = HTMLElement>(root: ParentNode, sel: string) =>
  Array.from(root.querySelectorAll<T>(sel));
const lastOp = (model: FakeModel) => model.lastSent("op") as OpMsg;
/** The kernel broadcasts an event (the next seq of the model's thread). */
function event(model: FakeModel, ev: unknown, rid: string | null = null): void {
  const store = storeOf(model) as ThreadStore;
  model.deliver({ kind: "event", epoch: store.epoch, seq: store.seq + 1, rid, event: ev } as never);
}
/** A comment's own card (not its replies' cards). */
const card = (root: ParentNode, id: string) => q(item(root, id), ":scope > .tw-card");
/** The vote control of a choice on a comment's card. */
const choice = (root: ParentNode, id: string, key: string) =>
  all(card(root, id), "[data-choice]").find((e) => e.dataset.choice === key) as HTMLElement;

// ---- fields ---------------------------------------------------------------------------------

describe("fields (w.fields over extra)", () => {
  const FIELDS: Config["fields"] = [
    { key: "topic", kind: "text", label: "Topic" },
    { key: "sentiment", kind: "badge", label: "Sentiment" },
    { key: "score", kind: "number", label: "Score" },
    { key: "toxicity", kind: "bar", label: "Toxicity" },
  ];

  it("shows text, a chip, a locale number and a 0..1 meter, in the order of w.fields", () => {
    const el = renderFields(
      { toxicity: 0.25, score: 12345.5, sentiment: "positive", topic: "rules", other: 1 },
      FIELDS,
      new Fmt({}, "de"),
    ) as HTMLElement;
    expect(all(el, "[data-field]").map((e) => e.dataset.field)).toEqual(["topic", "sentiment", "score", "toxicity"]);
    expect(q(el, '[data-field="topic"]').textContent).toBe("Topicrules");
    expect(q(el, '[data-field="topic"] .tw-field-value').textContent).toBe("rules");
    const chip = q(el, '[data-field="sentiment"]');
    expect(chip.classList).toContain("tw-field-badge");
    expect(chip.textContent).toBe("Sentiment: positive"); // the label is for screen readers only
    expect(q(chip, ".tw-sr").textContent).toBe("Sentiment: ");
    expect(q(el, '[data-field="score"] .tw-field-value').textContent).toBe("12.345,5");
    const meter = q(el, '[data-field="toxicity"] [role="meter"]');
    expect(meter.getAttribute("aria-valuenow")).toBe("0.25");
    expect(meter.getAttribute("aria-valuemin")).toBe("0");
    expect(meter.getAttribute("aria-valuemax")).toBe("1");
    expect(meter.getAttribute("aria-label")).toBe("Toxicity");
    expect(meter.getAttribute("aria-valuetext")).toMatch(/25\s?%/);
    expect(q(meter, ".tw-meter-fill").style.width).toBe("25%");
    expect(el.getAttribute("role")).toBe("group");
  });

  it("clamps bars to 0..1, skips non-numbers and missing keys, shows nothing when nothing applies", () => {
    const f = new Fmt();
    const hi = renderFields({ toxicity: 1.7 }, FIELDS, f) as HTMLElement;
    expect(q(hi, '[role="meter"]').getAttribute("aria-valuenow")).toBe("1");
    const lo = renderFields({ toxicity: -0.2 }, FIELDS, f) as HTMLElement;
    expect(q(lo, '[role="meter"]').getAttribute("aria-valuenow")).toBe("0");
    expect(renderFields({ toxicity: "high", score: "12" }, FIELDS, f)).toBeNull();
    expect(renderFields({ toxicity: null }, FIELDS, f)).toBeNull();
    expect(renderFields({}, FIELDS, f)).toBeNull();
    expect(renderFields({ topic: "x" }, [], f)).toBeNull();
    expect(renderFields(undefined, FIELDS, f)).toBeNull();
  });

  it("shows untrusted values as text only, JSON for lists and objects, long text cut", () => {
    const el = renderFields(
      { topic: '<img src=x onerror="alert(1)">', sentiment: ["a", 1], score: 3 },
      [...(FIELDS as never[]), { key: "long", kind: "text", label: "L" }],
      new Fmt(),
    ) as HTMLElement;
    expect(el.querySelector("img")).toBeNull();
    expect(q(el, '[data-field="topic"] .tw-field-value').textContent).toBe('<img src=x onerror="alert(1)">');
    expect(q(el, '[data-field="sentiment"]').textContent).toBe('Sentiment: ["a",1]');
    const long = renderFields(
      { long: "x".repeat(500) },
      [{ key: "long", kind: "text", label: "L" }],
      new Fmt(),
    ) as HTMLElement;
    const value = q(long, ".tw-field-value").textContent;
    expect(value.length).toBe(120);
    expect(value.endsWith("…")).toBe(true);
    expect(q(long, '[data-field="long"]').title).toBe("x".repeat(500));
  });

  it("appear on the cards and the post, and follow set_extra and a change of w.fields live", () => {
    const s = smallSnapshot();
    s.post = { ...s.post, extra: { topic: "moderation" } };
    (s.comments as Comment[])[0] = { ...(s.comments as Comment[])[0], extra: { sentiment: "negative", toxicity: 0.8 } };
    const { model, el } = mount({ _snapshot: s, _config: cfg({ fields: FIELDS }) });
    expect(q(item(el, "c1"), '[data-field="sentiment"]').textContent).toContain("negative");
    expect(item(el, "c2").querySelector('[data-role="fields"]')).toBeNull();
    expect(q(el, '[data-role="post"] [data-field="topic"] .tw-field-value').textContent).toBe("moderation");
    event(model, { type: "set_extra", id: "c2", extra: { sentiment: "positive" }, actor: "Steve", at: at(60) });
    expect(q(item(el, "c2"), '[data-field="sentiment"]').textContent).toContain("positive");
    const before = item(el, "c1");
    event(model, { type: "set_extra", id: null, extra: { topic: "rules" }, actor: "Steve", at: at(61) });
    expect(q(el, '[data-role="post"] [data-field="topic"] .tw-field-value').textContent).toBe("rules");
    expect(item(el, "c1")).toBe(before); // post data redraws the post only, not the tree
    model.kernelSet("_config", cfg({ fields: [{ key: "toxicity", kind: "bar", label: "Toxicity" }] }));
    expect(item(el, "c1").querySelector('[data-field="sentiment"]')).toBeNull();
    expect(q(item(el, "c1"), '[role="meter"]').getAttribute("aria-valuenow")).toBe("0.8");
  });
});

// ---- badges ---------------------------------------------------------------------------------

describe("badges (w.badges)", () => {
  it("shows a badge after the author's name on every card and on the post, as text", () => {
    const { model, el } = mount({ _config: cfg({ badges: { Anna: "bot", Steve: "<b>teacher</b>" } }) });
    expect(q(item(el, "c3"), '[data-role="user-badge"]').textContent).toBe("bot");
    expect(q(item(el, "c4"), '[data-role="user-badge"]').textContent).toBe("bot");
    expect(card(el, "c1").querySelector('[data-role="user-badge"]')).toBeNull();
    const steve = q(item(el, "c2"), '[data-role="user-badge"]');
    expect(steve.textContent).toBe("<b>teacher</b>");
    expect(steve.querySelector("b")).toBeNull();
    // the post author (Steve) keeps the "Author" badge on his comment and gets his own too
    expect(item(el, "c2").querySelector('[data-role="author-badge"]')).not.toBeNull();
    expect(q(el, '[data-role="post"] [data-role="user-badge"]').textContent).toBe("<b>teacher</b>");
    model.kernelSet("_config", cfg({ badges: {} }));
    expect(el.querySelector('[data-role="user-badge"]')).toBeNull();
  });
});

// ---- votes ----------------------------------------------------------------------------------

const UPDOWN: Config["voting"] = {
  kind: "updown",
  choices: [
    { key: "up", icon: "▲", label: "Upvote" },
    { key: "down", icon: "▼", label: "Downvote" },
  ],
};
const REACTIONS: Config["voting"] = {
  kind: "reactions",
  choices: [
    { key: "👍", icon: "👍", label: "Agree" },
    { key: "🤔", icon: "🤔", label: "Unsure" },
  ],
};

function voted(votes: Record<string, string>) {
  const s = smallSnapshot();
  (s.comments as Comment[])[0] = { ...(s.comments as Comment[])[0], votes };
  return s;
}

describe("votes: up/down", () => {
  it("shows ▲ score ▼ instead of the like button, score = ups - downs", () => {
    const { el } = mount({
      _snapshot: voted({ Steve: "up", Anna: "up", Bo: "down" }),
      _config: cfg({ voting: UPDOWN }),
    });
    const c1 = item(el, "c1");
    expect(c1.querySelector('[data-action="like"]')).toBeNull();
    expect(q(c1, '[data-role="votes"]').getAttribute("aria-label")).toBe("Votes");
    expect(q(c1, '[data-role="score"]').textContent).toBe("1");
    expect(q(c1, '[data-role="score"]').title).toBe("Score 1: 2 up, 1 down");
    const up = choice(el, "c1", "up");
    expect(up.getAttribute("aria-label")).toBe("Upvote");
    expect(up.getAttribute("aria-pressed")).toBe("false");
    expect(q(item(el, "c4"), '[data-role="score"]').textContent).toBe("0");
  });

  it("votes, retracts by pressing the pressed arrow, switches, all shown at once as pending", () => {
    const { model, el } = mount({ _snapshot: voted({ Steve: "up" }), _config: cfg({ voting: UPDOWN }) });
    click(choice(el, "c1", "up"));
    const first = lastOp(model);
    expect(first.op).toEqual({ type: "vote", id: "c1", choice: "up" });
    expect(choice(el, "c1", "up").getAttribute("aria-pressed")).toBe("true");
    expect(q(item(el, "c1"), '[data-role="score"]').textContent).toBe("2");
    expect(item(el, "c1").dataset.pending).toBe("true");
    event(model, { type: "vote", id: "c1", user: "Chris", choice: "up", actor: "Chris", at: at(60) }, first.rid);
    expect(item(el, "c1").dataset.pending).toBeUndefined();
    click(choice(el, "c1", "down"));
    expect(lastOp(model).op).toEqual({ type: "vote", id: "c1", choice: "down" });
    expect(q(item(el, "c1"), '[data-role="score"]').textContent).toBe("0");
    expect(choice(el, "c1", "down").getAttribute("aria-pressed")).toBe("true");
    expect(choice(el, "c1", "up").getAttribute("aria-pressed")).toBe("false");
    event(
      model,
      { type: "vote", id: "c1", user: "Chris", choice: "down", actor: "Chris", at: at(61) },
      lastOp(model).rid,
    );
    click(choice(el, "c1", "down"));
    expect(lastOp(model).op).toEqual({ type: "vote", id: "c1", choice: null });
    expect(q(item(el, "c1"), '[data-role="score"]').textContent).toBe("1");
  });

  it("rolls back a refused vote and says why", () => {
    const { model, el } = mount({ _config: cfg({ voting: UPDOWN }) });
    click(choice(el, "c4", "down"));
    expect(q(item(el, "c4"), '[data-role="score"]').textContent).toBe("-1");
    model.deliver({ kind: "reject", rid: lastOp(model).rid, reason: "Unknown vote", field: "choice" });
    expect(q(item(el, "c4"), '[data-role="score"]').textContent).toBe("0");
    expect(q(el, '[data-role="error"]').textContent).toBe("Unknown vote");
  });

  it("keeps focus on the arrow a keyboard user pressed", () => {
    const { el } = mount({ _config: cfg({ voting: UPDOWN }) });
    choice(el, "c4", "up").focus();
    click(choice(el, "c4", "up"));
    expect((document.activeElement as HTMLElement).dataset.choice).toBe("up");
    expect(document.activeElement?.closest("[data-comment-id]")?.getAttribute("data-comment-id")).toBe("c4");
  });

  it("readers and read-only views see the score but no buttons", () => {
    for (const attrs of [
      { _config: cfg({ voting: UPDOWN, role: "reader" }) },
      { _config: cfg({ voting: UPDOWN }), read_only: true },
    ]) {
      const { el } = mount({ _snapshot: voted({ Steve: "down" }), ...attrs });
      const c1 = item(el, "c1");
      expect(q(c1, '[data-role="score"]').textContent).toBe("-1");
      expect(c1.querySelector('button[data-action="vote"]')).toBeNull();
      cleanup();
    }
  });
});

describe("votes: reactions", () => {
  const names = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`user${i + 1}`, "👍"]));

  it("shows one chip per reaction with its count, mine pressed, who reacted in the title", () => {
    const { el } = mount({ _snapshot: voted({ ...names(7), Chris: "🤔" }), _config: cfg({ voting: REACTIONS }) });
    const c1 = item(el, "c1");
    expect(q(c1, '[data-role="votes"]').getAttribute("aria-label")).toBe("Reactions");
    const agree = choice(el, "c1", "👍");
    expect(agree.querySelector('[data-role="reaction-count"]')?.textContent).toBe("7");
    expect(agree.getAttribute("aria-pressed")).toBe("false");
    expect(agree.getAttribute("aria-label")).toBe("Agree (7)");
    expect(agree.title).toBe("Agree: user1, user2, user3, user4, user5 and 2 others");
    const unsure = choice(el, "c1", "🤔");
    expect(unsure.getAttribute("aria-pressed")).toBe("true");
    expect(unsure.title).toBe("Unsure: Chris");
    // no reactions yet: the chips, without counts
    const c4 = all(item(el, "c4"), 'button[data-action="vote"]');
    expect(c4.map((b) => b.textContent)).toEqual(["👍", "🤔"]);
    expect(c4[0].title).toBe("Agree");
  });

  it("one reaction per user: picking another switches, picking mine again retracts", () => {
    const { model, el } = mount({ _snapshot: voted({ Chris: "🤔", Ann: "👍" }), _config: cfg({ voting: REACTIONS }) });
    click(choice(el, "c1", "👍"));
    expect(lastOp(model).op).toEqual({ type: "vote", id: "c1", choice: "👍" });
    expect(q(choice(el, "c1", "👍"), '[data-role="reaction-count"]').textContent).toBe("2");
    expect(choice(el, "c1", "🤔").querySelector('[data-role="reaction-count"]')).toBeNull();
    event(
      model,
      { type: "vote", id: "c1", user: "Chris", choice: "👍", actor: "Chris", at: at(60) },
      lastOp(model).rid,
    );
    click(choice(el, "c1", "👍"));
    expect(lastOp(model).op).toEqual({ type: "vote", id: "c1", choice: null });
  });

  it("readers see only the reactions there are, without buttons", () => {
    const { el } = mount({ _snapshot: voted({ Ann: "🤔" }), _config: cfg({ voting: REACTIONS, role: "reader" }) });
    const chips = all(item(el, "c1"), ".tw-reaction");
    expect(chips.map((c) => c.tagName + c.dataset.choice)).toEqual(["SPAN🤔"]);
    expect(item(el, "c4").querySelector(".tw-reaction")).toBeNull();
    expect(item(el, "c4").querySelector('[data-role="likes"]')).toBeNull(); // no stray like count
  });

  it("voteOp retracts only the user's own current choice", () => {
    const c = comment("x", null, { votes: { Ann: "up" } });
    expect(voteOp(c, "Ann", "up").choice).toBeNull();
    expect(voteOp(c, "Bo", "up").choice).toBe("up");
    expect(voteOp(c, "Ann", "down").choice).toBe("down");
  });
});

describe("votes: likes (the default)", () => {
  it("keeps the like button", () => {
    const { el } = mount({ _config: cfg({ voting: { kind: "likes", choices: [] } }) });
    expect(item(el, "c1").querySelector('[data-action="like"]')).not.toBeNull();
    expect(el.querySelector('[data-role="votes"]')).toBeNull();
  });
});

// ---- custom actions -------------------------------------------------------------------------

const ACTIONS: ActionSpec[] = [
  { name: "translate", label: "Translate", icon: "🌐", target: "comment", ids: null },
  { name: "answer", label: "Answer", icon: null, target: "comment", ids: ["c2"] },
  { name: "summary", label: "Summarise post", icon: null, target: "post", ids: null },
  { name: "stats", label: "Stats", icon: "📊", target: "thread", ids: null },
];
const actionBtn = (root: ParentNode, name: string) =>
  q<HTMLButtonElement>(root, `button[data-action="custom-action"][data-name="${name}"]`);
const lastAction = (model: FakeModel) => model.lastSent("action") as ActionMsg;

describe("custom actions", () => {
  it("puts comment actions on matching comments, post actions on the post, thread actions in the toolbar", () => {
    const { el } = mount({ _config: cfg({ actions: ACTIONS }) });
    for (const id of ["c1", "c2", "c3", "c4"])
      expect(actionBtn(item(el, id), "translate").textContent).toBe("🌐Translate");
    expect(
      all(el, '[data-name="answer"]').map((b) => b.closest<HTMLElement>("[data-comment-id]")?.dataset.commentId),
    ).toEqual(["c2"]);
    expect(actionBtn(q(el, '[data-role="post"]'), "summary").getAttribute("aria-label")).toBe("Summarise post");
    const toolbar = q(el, '[data-role="thread-actions"]');
    expect(toolbar.hidden).toBe(false);
    expect(toolbar.closest(".tw-toolbar")).not.toBeNull();
    expect(actionBtn(toolbar, "stats").textContent).toBe("📊Stats");
    expect(q(item(el, "c1"), ".tw-custom-icon").getAttribute("aria-hidden")).toBe("true");
  });

  it("a click asks the kernel, the button is busy until its result, a refusal shows its reason", () => {
    const { model, el } = mount({ _config: cfg({ actions: ACTIONS }) });
    click(actionBtn(item(el, "c1"), "translate"));
    const req = lastAction(model);
    expect(req).toMatchObject({ kind: "action", name: "translate", id: "c1" });
    let btn = actionBtn(item(el, "c1"), "translate");
    expect(btn.getAttribute("aria-busy")).toBe("true");
    expect(btn.getAttribute("aria-disabled")).toBe("true");
    click(btn); // busy: a second click sends nothing
    expect(model.sent.filter((m) => m.kind === "action")).toHaveLength(1);
    expect(actionBtn(item(el, "c2"), "translate").getAttribute("aria-busy")).toBeNull(); // only that comment's
    // the handler's reply arrives as an ordinary event, which rebuilds the card: still busy
    const reply = comment("r1", "c1", { author: "translator", body: "(fr) bonjour" });
    event(model, { type: "add", comment: reply, actor: "translator", at: at(60) });
    expect(item(el, "r1")).not.toBeNull();
    btn = actionBtn(item(el, "c1"), "translate");
    expect(btn.getAttribute("aria-busy")).toBe("true");
    model.deliver({ kind: "action_result", rid: "someone-else-q9", ok: false, reason: "not ours", message: null });
    expect(btn.getAttribute("aria-busy")).toBe("true");
    model.deliver({ kind: "action_result", rid: req.rid, ok: false, reason: "Not in English", message: null });
    expect(btn.getAttribute("aria-busy")).toBeNull();
    expect(btn.getAttribute("aria-disabled")).toBeNull();
    const note = q(item(el, "c1"), '[data-role="action-error"]');
    expect(note.textContent).toBe("Not in English");
    expect(note.getAttribute("role")).toBe("alert");
    expect(note.previousElementSibling).toBe(btn);
    // the note survives the card being rebuilt, and goes with the next click
    event(model, { type: "like", id: "c1", user: "Ann", likes: 3, actor: "Ann", at: at(61) });
    expect(q(item(el, "c1"), '[data-role="action-error"]').textContent).toBe("Not in English");
    click(actionBtn(item(el, "c1"), "translate"));
    expect(item(el, "c1").querySelector('[data-role="action-error"]')).toBeNull();
  });

  it("a message shows as a brief notice; post and thread actions send no id", () => {
    vi.useFakeTimers();
    const { model, el } = mount({ _config: cfg({ actions: ACTIONS }) });
    click(actionBtn(el, "stats"));
    const req = lastAction(model);
    expect(req).toMatchObject({ name: "stats", id: null });
    model.deliver({ kind: "action_result", rid: req.rid, ok: true, reason: null, message: "4 comments" });
    const note = q(el, '[data-role="thread-actions"] [data-role="action-message"]');
    expect(note.textContent).toBe("4 comments");
    expect(note.getAttribute("role")).toBe("status");
    vi.advanceTimersByTime(7000);
    expect(el.querySelector('[data-role="action-message"]')).toBeNull();
    click(actionBtn(q(el, '[data-role="post"]'), "summary"));
    expect(lastAction(model)).toMatchObject({ name: "summary", id: null });
    // no answer at all: the button frees itself and says so
    vi.advanceTimersByTime(31_000);
    expect(actionBtn(q(el, '[data-role="post"]'), "summary").getAttribute("aria-busy")).toBeNull();
    expect(q(el, '[data-role="post"] [data-role="action-error"]').textContent).toBe(
      "No answer from the kernel; please try again.",
    );
  });

  it("readers, read-only views and deleted comments get no action buttons", () => {
    const { el } = mount({ _config: cfg({ actions: ACTIONS, role: "reader" }) });
    expect(el.querySelector('[data-action="custom-action"]')).toBeNull();
    expect(q(el, '[data-role="thread-actions"]').hidden).toBe(true);
    cleanup();
    const ro = mount({ _config: cfg({ actions: ACTIONS }), read_only: true });
    expect(ro.el.querySelector('[data-action="custom-action"]')).toBeNull();
    cleanup();
    const s = snap([comment("d", null, { status: "deleted", body: "" }), comment("e", "d")]);
    const del = mount({ _snapshot: s, _config: cfg({ actions: ACTIONS }) });
    expect(card(del.el, "d").querySelector('[data-action="custom-action"]')).toBeNull();
    expect(actionBtn(item(del.el, "e"), "translate")).not.toBeNull();
  });

  it("read_only and the role switched live take the buttons away and bring them back", () => {
    const { model, el } = mount({ _config: cfg({ actions: ACTIONS }) });
    expect(el.querySelectorAll('[data-action="custom-action"]').length).toBe(4 + 1 + 1 + 1);
    model.kernelSet("read_only", true);
    expect(el.querySelector('[data-action="custom-action"]')).toBeNull();
    expect(q(el, '[data-role="thread-actions"]').hidden).toBe(true);
    model.kernelSet("read_only", false);
    expect(actionBtn(q(el, '[data-role="post"]'), "summary")).not.toBeNull();
    model.kernelSet("_config", cfg({ actions: ACTIONS, role: "reader" }));
    expect(el.querySelector('[data-action="custom-action"]')).toBeNull();
  });

  it("when only a predicate's ids change, only those cards are redrawn", () => {
    const { model, el } = mount({ _config: cfg({ actions: ACTIONS }) });
    const avatars = Object.fromEntries(["c1", "c2", "c3", "c4"].map((id) => [id, q(item(el, id), ".tw-avatar")]));
    const tree = q(el, '[data-role="tree"]');
    const next = ACTIONS.map((a) => (a.name === "answer" ? { ...a, ids: ["c2", "c3"] } : a));
    model.kernelSet("_config", cfg({ actions: next }));
    expect(q(el, '[data-role="tree"]')).toBe(tree);
    expect(actionBtn(item(el, "c3"), "answer")).not.toBeNull();
    expect(q(item(el, "c3"), ".tw-avatar")).not.toBe(avatars.c3); // redrawn
    for (const id of ["c1", "c2", "c4"]) expect(q(item(el, id), ".tw-avatar")).toBe(avatars[id]); // untouched
    // anything else changes: everything is redrawn
    model.kernelSet("_config", cfg({ actions: next, badges: { Anna: "bot" } }));
    expect(q(item(el, "c1"), ".tw-avatar")).not.toBe(avatars.c1);
  });

  it("changedActionIds: the ids that differ, or null when anything else changed", () => {
    const a = cfg({ actions: ACTIONS });
    expect(changedActionIds(a, cfg({ actions: ACTIONS.map((x) => (x.ids ? { ...x, ids: ["c3"] } : x)) }))).toEqual(
      new Set(["c2", "c3"]),
    );
    expect(changedActionIds(a, a)).toEqual(new Set());
    expect(changedActionIds(a, cfg({ actions: ACTIONS.map((x) => (x.ids ? { ...x, ids: null } : x)) }))).toBeNull();
    expect(changedActionIds(a, cfg({ actions: ACTIONS.slice(1) }))).toBeNull();
    expect(changedActionIds(a, cfg({ actions: ACTIONS, role: "moderator" }))).toBeNull();
  });

  it("every view of a model shows its own clicks only", () => {
    const { model, el } = mount({ _config: cfg({ actions: ACTIONS }) });
    const other = document.createElement("div");
    document.body.append(other);
    cleanups.push(widget.render({ model, el: other }));
    click(actionBtn(item(el, "c4"), "translate"));
    expect(actionBtn(item(el, "c4"), "translate").getAttribute("aria-busy")).toBe("true");
    expect(actionBtn(item(other, "c4"), "translate").getAttribute("aria-busy")).toBeNull();
    model.deliver({ kind: "action_result", rid: lastAction(model).rid, ok: false, reason: "No.", message: null });
    expect(q(item(el, "c4"), '[data-role="action-error"]').textContent).toBe("No.");
    expect(item(other, "c4").querySelector('[data-role="action-error"]')).toBeNull();
  });
});
