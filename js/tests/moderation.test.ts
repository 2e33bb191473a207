// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Comment, Event, Lock, Role } from "../src/protocol";
import { at, comment, POST } from "./fake-model";
import { cleanup, click, ids, item, mount, press, q, type } from "./helpers";

afterEach(cleanup);

const base = { actor: "Ms. Rivera", at: at(500) };
const LOCK: Lock = { by: "Ms. Rivera", at: at(400), reason: "exam time" };

/** c1 (Chris) > c2 (Steve) > c3 (Anna); c4 (Anna); c5 (Bob) the spam. The user is Chris. */
function thread(over: Partial<Record<string, Partial<Comment>>> = {}): Comment[] {
  return [
    comment("c1", null, { author: "Chris", created_at: at(0), ...over.c1 }),
    comment("c2", "c1", { author: "Steve", created_at: at(5), ...over.c2 }),
    comment("c3", "c2", { author: "Anna", created_at: at(10), ...over.c3 }),
    comment("c4", null, { author: "Anna", created_at: at(20), ...over.c4 }),
    comment("c5", null, { author: "Bob", body: "buy followers", created_at: at(30), ...over.c5 }),
  ];
}

function open(role: Role, comments: Comment[] = thread(), locked: Lock | null = null) {
  const snapshot = { epoch: "e1", seq: 0, complete: true, post: { ...POST, locked }, comments };
  return mount({ _snapshot: snapshot, _config: { max_body: 20000, role } });
}

const actions = (el: HTMLElement, id: string) =>
  Array.from(
    item(el, id).querySelectorAll<HTMLElement>(":scope > .tw-card button[data-action]"),
    (b) => b.dataset.mod ?? b.dataset.action,
  );
const btn = (el: HTMLElement, id: string, action: string) =>
  q<HTMLButtonElement>(item(el, id), `:scope > .tw-card button[data-action="${action}"]`);
const reason = (el: ParentNode) => q<HTMLInputElement>(el, 'input[data-role="mod-reason"]');
const body = (el: HTMLElement, id: string) => q(item(el, id), ':scope > .tw-card [data-role="body"]').textContent;
const chips = (el: HTMLElement, id: string) =>
  Array.from(item(el, id).querySelectorAll(":scope > .tw-card .tw-mod-chip"), (c) => c.textContent);

describe("controls by role", () => {
  it("a reader gets no controls at all: no composer, like, reply, report or moderation", () => {
    const { el } = open("reader");
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(true);
    for (const id of ["c1", "c2", "c4", "c5"]) expect(actions(el, id).filter((a) => a !== "collapse")).toEqual([]);
    expect(
      el.querySelector('button[data-mod], [data-role="mod-menu"], [data-role="thread-lock"]:not([hidden])'),
    ).toBeNull();
  });

  it("a participant gets today's controls plus Report (not on own comments), no moderation", () => {
    const { el } = open("participant");
    expect(actions(el, "c1")).toEqual(["like", "reply", "edit", "delete", "collapse"]);
    expect(actions(el, "c4")).toEqual(["like", "reply", "report"]);
    expect(btn(el, "c4", "report").getAttribute("aria-label")).toBe("Report this comment by Anna to the moderators");
    expect(el.querySelector('[data-action="moderate"]')).toBeNull();
    expect(q(el, '[data-role="thread-lock"]').hidden).toBe(true);
  });

  it("a moderator also gets a Moderate menu per comment and the thread lock", () => {
    const { el } = open("moderator");
    expect(actions(el, "c4")).toEqual(["like", "reply", "report", "moderate"]);
    const toggle = btn(el, "c4", "moderate");
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    click(toggle);
    expect(btn(el, "c4", "moderate").getAttribute("aria-expanded")).toBe("true");
    const menu = q(item(el, "c4"), '[data-role="mod-menu"]');
    expect(menu.getAttribute("role")).toBe("group");
    expect(Array.from(menu.querySelectorAll("button"), (b) => b.textContent)).toEqual([
      "Hide",
      "Spam",
      "Remove",
      "Pin",
      "Lock replies",
    ]);
    click(btn(el, "c4", "moderate"));
    expect(item(el, "c4").querySelector('[data-role="mod-menu"]')).toBeNull();
    expect(q(el, '[data-role="thread-lock"] button[data-mod="lock"]').textContent).toBe("Lock thread");
  });

  it("switching the role from Python redraws every view at once", () => {
    const { el, model } = open(
      "participant",
      thread({ c5: { status: "spam", moderation: { action: "spam", by: "Ms. Rivera", at: at(40), reason: "ads" } } }),
    );
    expect(item(el, "c5")).toBeNull();
    model.kernelSet("_config", { max_body: 20000, role: "moderator" });
    expect(item(el, "c5")).not.toBeNull();
    expect(actions(el, "c4")).toContain("moderate");
    model.kernelSet("_config", { max_body: 20000, role: "reader" });
    expect(item(el, "c5")).toBeNull();
    expect(actions(el, "c4")).toEqual([]);
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(true);
  });
});

describe("reports", () => {
  it("Report asks for a reason; Enter sends it; the card says Reported and takes it back", () => {
    const { el, model } = open("participant");
    click(btn(el, "c4", "report"));
    const form = q(item(el, "c4"), '[data-role="mod-form"]');
    expect(form.textContent).toContain("Report this comment to the moderators?");
    const input = reason(form);
    expect(document.activeElement).toBe(input);
    type(input as unknown as HTMLTextAreaElement, "  off-topic ");
    press("Enter", {}, input);
    const sent = model.lastSent("op");
    expect(sent?.op).toEqual({ type: "flag", id: "c4", reason: "off-topic" });
    expect(item(el, "c4").querySelector('[data-role="mod-form"]')).toBeNull();
    const reported = btn(el, "c4", "unflag");
    expect(reported.textContent).toBe("Reported");
    expect(reported.getAttribute("aria-pressed")).toBe("true");
    expect(document.activeElement).toBe(reported);
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: sent!.rid,
      event: { type: "flag", id: "c4", user: "Chris", reason: "off-topic", ...base, actor: "Chris" },
    });
    click(btn(el, "c4", "unflag"));
    expect(model.lastSent("op")?.op).toEqual({ type: "unflag", id: "c4" });
  });

  it("a refused report reopens the form with the typed reason and the kernel's message", async () => {
    const { el, model } = open("participant");
    click(btn(el, "c4", "report"));
    type(reason(item(el, "c4")) as unknown as HTMLTextAreaElement, "rude to Steve");
    click(q(item(el, "c4"), 'button[data-role="mod-confirm"]'));
    const sent = model.lastSent("op")!;
    model.deliver({ kind: "reject", rid: sent.rid, reason: "This part of the discussion is locked.", field: "id" });
    const form = q(item(el, "c4"), '[data-role="mod-form"]');
    expect(reason(form).value).toBe("rude to Steve");
    expect(q(form, '[data-role="error"]').textContent).toBe("This part of the discussion is locked.");
    expect(q(form, '[data-role="error"]').hidden).toBe(false);
    await Promise.resolve(); // the rollback redraw moved the form; the caret comes back
    expect(document.activeElement).toBe(reason(form));
    expect(btn(el, "c4", "report")).not.toBeNull(); // the optimistic "Reported" was rolled back
    expect(q(el, '[data-role="error"].tw-banner').hidden).toBe(true);
  });

  it("Escape cancels the form, drops the text and gives the focus back to Report", () => {
    const { el, model } = open("participant");
    click(btn(el, "c4", "report"));
    type(reason(item(el, "c4")) as unknown as HTMLTextAreaElement, "never mind");
    const sentBefore = model.sent.length;
    press("Escape", {}, reason(item(el, "c4")));
    expect(item(el, "c4").querySelector('[data-role="mod-form"]')).toBeNull();
    expect(document.activeElement).toBe(btn(el, "c4", "report"));
    expect(model.sent.length).toBe(sentBefore);
    click(btn(el, "c4", "report"));
    expect(reason(item(el, "c4")).value).toBe("");
  });

  it("the form keeps its text and focus when the card is redrawn by someone else's event", () => {
    const { el, model } = open("participant");
    click(btn(el, "c4", "report"));
    const input = reason(item(el, "c4"));
    type(input as unknown as HTMLTextAreaElement, "half typed");
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "like", id: "c4", user: "Steve", likes: 1, ...base },
    });
    expect(q(item(el, "c4"), '[data-role="likes"]').textContent).toBe("1");
    expect(reason(item(el, "c4")).value).toBe("half typed");
    return Promise.resolve().then(() => expect(document.activeElement).toBe(reason(item(el, "c4"))));
  });

  it("moderators see how many reports a comment has, and who said what", () => {
    const flags = [
      { user: "Anna", at: at(31), reason: "spam link" },
      { user: "Steve", at: at(32), reason: "" },
    ];
    const mod = open("moderator", thread({ c5: { flags } }));
    const reports = btn(mod.el, "c5", "reports");
    expect(reports.textContent).toBe("⚑ 2 reports");
    expect(reports.title).toBe("Anna: spam link\nSteve (no reason given)");
    expect(reports.getAttribute("aria-expanded")).toBe("false");
    click(reports);
    const list = q(item(mod.el, "c5"), '[data-role="mod-reports"]');
    expect(Array.from(list.querySelectorAll("li"), (li) => li.textContent)).toEqual([
      "Anna: spam link",
      "Steve (no reason given)",
    ]);
    expect(btn(mod.el, "c5", "reports").getAttribute("aria-expanded")).toBe("true");
    cleanup();
    const part = open("participant", thread({ c5: { flags } }));
    expect(item(part.el, "c5").querySelector('[data-action="reports"]')).toBeNull();
  });
});

describe("moderation actions", () => {
  it("Hide asks for a reason and sends it; the comment then shows greyed with who and why", () => {
    const { el, model } = open("moderator");
    click(btn(el, "c5", "moderate"));
    click(q(item(el, "c5"), 'button[data-mod="spam"]'));
    expect(item(el, "c5").querySelector('[data-role="mod-menu"]')).toBeNull();
    const form = q(item(el, "c5"), '[data-role="mod-form"]');
    expect(form.dataset.mod).toBe("spam");
    expect(q(form, 'button[data-role="mod-confirm"]').textContent).toBe("Spam");
    type(reason(form) as unknown as HTMLTextAreaElement, "selling followers");
    click(q(form, 'button[data-role="mod-confirm"]'));
    const sent = model.lastSent("op")!;
    expect(sent.op).toEqual({ type: "moderate", id: "c5", action: "spam", reason: "selling followers" });
    const event: Event = {
      type: "moderate",
      id: "c5",
      action: "spam",
      reason: "selling followers",
      status: "spam",
      ...base,
    };
    model.deliver({ kind: "event", epoch: "e1", seq: 1, rid: sent.rid, event });
    const card = q(item(el, "c5"), ":scope > .tw-card");
    expect(card.classList.contains("tw-moderated")).toBe(true);
    expect(body(el, "c5")).toBe("buy followers");
    const status = q(card, '[data-role="mod-status"]');
    expect(status.textContent).toBe("Spam · by Ms. Rivera · selling followers");
    expect(status.title).toMatch(/^Spam by Ms\. Rivera, .*2012/);
    expect(actions(el, "c5")).toEqual(["like", "reply", "moderate"]); // past reporting
    click(btn(el, "c5", "moderate"));
    expect(Array.from(item(el, "c5").querySelectorAll('[data-role="mod-menu"] button'), (b) => b.textContent)).toEqual([
      "Not spam",
      "Remove",
      "Pin",
      "Lock replies",
    ]);
    expect(item(el, "c5").getAttribute("aria-label")).toBe("Comment by Bob");
  });

  it("a refused moderation keeps the typed reason", () => {
    const { el, model } = open("moderator");
    click(btn(el, "c4", "moderate"));
    click(q(item(el, "c4"), 'button[data-mod="remove"]'));
    type(reason(item(el, "c4")) as unknown as HTMLTextAreaElement, "personal data");
    press("Enter", {}, reason(item(el, "c4")));
    const sent = model.lastSent("op")!;
    expect(item(el, "c4").dataset.status).toBe("removed"); // drawn at once, as pending
    model.deliver({ kind: "reject", rid: sent.rid, reason: "Only moderators can do this.", field: "type" });
    expect(item(el, "c4").dataset.status).toBe("visible");
    expect(reason(item(el, "c4")).value).toBe("personal data");
    expect(q(item(el, "c4"), '[data-role="mod-form"] [data-role="error"]').textContent).toBe(
      "Only moderators can do this.",
    );
  });

  it("pin, unpin, lock replies and the thread lock send their operations with the reason", () => {
    const { el, model } = open("moderator", thread({ c1: { pinned: true, locked: LOCK } }));
    const send = (id: string, mod: string, text: string) => {
      click(btn(el, id, "moderate"));
      click(q(item(el, id), `button[data-mod="${mod}"]`));
      type(reason(item(el, id)) as unknown as HTMLTextAreaElement, text);
      press("Enter", {}, reason(item(el, id)));
      return model.lastSent("op")?.op;
    };
    expect(send("c4", "pin", "good")).toEqual({ type: "pin", id: "c4", pinned: true, reason: "good" });
    expect(send("c1", "unpin", "")).toEqual({ type: "pin", id: "c1", pinned: false, reason: "" });
    expect(send("c4", "lock", "heated")).toEqual({ type: "lock", id: "c4", locked: true, reason: "heated" });
    expect(send("c1", "unlock", "calm")).toEqual({ type: "lock", id: "c1", locked: false, reason: "calm" });
    const bar = q(el, '[data-role="thread-lock"]');
    click(q(bar, 'button[data-mod="lock"]'));
    expect(q(bar, '[data-role="mod-form"]').textContent).toContain("Lock the whole discussion?");
    type(reason(bar) as unknown as HTMLTextAreaElement, "exam time");
    press("Enter", {}, reason(bar));
    expect(model.lastSent("op")?.op).toEqual({ type: "lock", id: null, locked: true, reason: "exam time" });
  });
});

describe("what each role sees of moderated comments", () => {
  const moderation = (action: "hide" | "spam" | "remove") => ({ action, by: "Ms. Rivera", at: at(40), reason: "r" });

  it("non-moderators: hidden and spam comments vanish, or leave a placeholder above shown replies", () => {
    const comments = thread({
      c2: { status: "hidden", moderation: moderation("hide") },
      c5: { status: "spam", moderation: moderation("spam") },
    });
    const { el } = open("participant", comments);
    expect(ids(el)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(body(el, "c2")).toBe("Hidden by a moderator");
    expect(item(el, "c2").getAttribute("aria-label")).toBe("Hidden by a moderator");
    expect(item(el, "c2").textContent).not.toContain("Steve");
    expect(actions(el, "c2")).toEqual(["collapse"]);
    expect(q(item(el, "c2"), ":scope > .tw-card").classList.contains("tw-moderated")).toBe(false);
  });

  it("non-moderators see a removed comment as 'Removed by a moderator', even without replies", () => {
    const { el } = open("participant", thread({ c4: { status: "removed", moderation: moderation("remove") } }));
    expect(body(el, "c4")).toBe("Removed by a moderator");
    expect(item(el, "c4").textContent).not.toContain("Anna");
    expect(item(el, "c4").textContent).not.toContain("Body of c4");
  });

  it("moderators see every moderated comment greyed, with its status chip", () => {
    const comments = thread({
      c2: { status: "hidden", moderation: moderation("hide") },
      c4: { status: "removed", moderation: moderation("remove") },
      c5: { status: "spam", moderation: moderation("spam") },
    });
    const { el } = open("moderator", comments);
    expect(ids(el)).toEqual(["c1", "c2", "c3", "c4", "c5"]);
    const greyed = Array.from(
      el.querySelectorAll(".tw-card.tw-moderated"),
      (c) => (c.parentElement as HTMLElement).dataset.commentId,
    );
    expect(greyed).toEqual(["c2", "c4", "c5"]);
    expect(chips(el, "c2")).toEqual(["Hidden · by Ms. Rivera · r"]);
    expect(chips(el, "c4")).toEqual(["Removed · by Ms. Rivera · r"]);
    expect(body(el, "c4")).toBe("Body of c4");
  });
});

describe("pins and locks", () => {
  it("a pinned comment comes first among its siblings under every sort, with a chip", () => {
    const { el, model } = open("participant", thread({ c4: { pinned: true } }));
    expect(ids(el, '[data-role="tree"] > [data-comment-id]')).toEqual(["c4", "c1", "c5"]);
    expect(chips(el, "c4")).toEqual(["Pinned"]);
    for (const sort of ["newest", "top", "best", "controversial", "hot"]) {
      model.kernelSet("sort", sort);
      expect(ids(el, '[data-role="tree"] > [data-comment-id]')[0]).toBe("c4");
    }
    model.kernelSet("sort", "newest");
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "pin", id: "c4", pinned: false, reason: "", ...base },
    });
    expect(ids(el, '[data-role="tree"] > [data-comment-id]')).toEqual(["c5", "c4", "c1"]); // newest first again
    expect(chips(el, "c4")).toEqual([]);
  });

  it("a locked subtree: a Locked chip with the reason, no reply buttons below for participants", () => {
    const comments = thread({ c1: { locked: { ...LOCK, reason: "cool down" } } });
    const { el } = open("participant", comments);
    const lock = q(item(el, "c1"), '[data-role="mod-locked"]');
    expect(lock.textContent).toBe("Locked · cool down");
    expect(lock.title).toMatch(/^Replies locked by Ms\. Rivera, .*: cool down$/);
    for (const id of ["c1", "c2", "c3"]) expect(actions(el, id)).not.toContain("reply");
    expect(actions(el, "c1")).not.toContain("edit"); // Chris's own, but locked
    expect(actions(el, "c4")).toContain("reply");
    cleanup();
    const mod = open("moderator", comments);
    for (const id of ["c1", "c2", "c3"]) expect(actions(mod.el, id)).toContain("reply");
  });

  it("a lock arriving as an event takes the reply buttons of the subtree away", () => {
    const { el, model } = open("participant");
    expect(actions(el, "c3")).toContain("reply");
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "lock", id: "c2", locked: true, reason: "", ...base },
    });
    expect(actions(el, "c2")).not.toContain("reply");
    expect(actions(el, "c3")).not.toContain("reply");
    expect(actions(el, "c1")).toContain("reply");
    expect(chips(el, "c2")).toEqual(["Locked"]);
  });

  it("a locked thread hides the composer for non-moderators and says who locked it and why", () => {
    const { el, model } = open("participant");
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(false);
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "lock", id: null, locked: true, reason: "exam time", ...base },
    });
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(true);
    const notice = q(el, '[data-role="lock-notice"]');
    expect(notice.textContent).toBe("Locked by Ms. Rivera: exam time");
    expect(notice.title).toMatch(/2012/);
    const bar = q(el, '[data-role="thread-lock"]');
    expect(bar.querySelector("button")).toBeNull();
    // the bar sits above the comments, before the (hidden) composer
    expect(bar.compareDocumentPosition(q(el, '[data-role="tree"]')) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    for (const id of ["c1", "c4"]) expect(actions(el, id)).not.toContain("reply");
    model.kernelSet("_config", { max_body: 20000, role: "moderator" });
    expect(q(el, '[data-role="new-comment"]').hidden).toBe(false);
    expect(q(bar, 'button[data-mod="unlock"]').textContent).toBe("Unlock thread");
    expect(actions(el, "c4")).toContain("reply");
  });
});
