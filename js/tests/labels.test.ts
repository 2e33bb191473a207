// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { Comment } from "../src/protocol";
import { labelCounts, labelOp } from "../src/render/labels";
import { at, comment } from "./fake-model";
import { cleanup, click, item, mount, q, snap } from "./helpers";

afterEach(cleanup);

const SET = ["spam", "off-topic", "supportive"];
const cfg = (role: string, label_set: string[] = SET) => ({ max_body: 20000, role, label_set });

/** c1 labelled by Chris (spam) and Ann (supportive), c2 by Ann (spam), c3 deleted, c4 and c5 unlabelled. */
function fixture(): Comment[] {
  return [
    comment("c1", null, { author: "Steve", created_at: at(0), labels: { Chris: "spam", Ann: "supportive" } }),
    comment("c2", null, { author: "Ann", created_at: at(1), labels: { Ann: "spam" } }),
    comment("c3", null, { author: "Bob", created_at: at(2), status: "deleted", body: "" }),
    comment("c4", "c2", { author: "Bob", created_at: at(3) }),
    comment("c5", "c3", { author: "Ann", created_at: at(4) }), // keeps deleted c3 on screen
  ];
}

const picker = (el: HTMLElement, id: string) =>
  item(el, id).querySelector<HTMLElement>(':scope > .tw-card [data-role="labels"]');
const chip = (el: HTMLElement, id: string, label: string) =>
  q<HTMLButtonElement>(item(el, id), `:scope > .tw-card button[data-action="label"][data-label="${label}"]`);
const pressed = (el: HTMLElement, id: string) =>
  Array.from(picker(el, id)?.querySelectorAll<HTMLElement>('[aria-pressed="true"]') ?? [], (b) => b.dataset.label);

function start(role = "participant", extra: Record<string, unknown> = {}) {
  return mount({ _snapshot: snap(fixture(), "e1"), _config: cfg(role), ...extra });
}

describe("label picker", () => {
  it("is absent without a label set, for readers, on deleted comments and when read-only", () => {
    expect(picker(mount({ _snapshot: snap(fixture(), "e1") }).el, "c1")).toBeNull();
    cleanup();
    expect(picker(start("reader").el, "c1")).toBeNull();
    cleanup();
    const { el } = start();
    expect(picker(el, "c1")).not.toBeNull();
    expect(picker(el, "c3")).toBeNull();
    cleanup();
    expect(picker(start("participant", { read_only: true }).el, "c1")).toBeNull();
  });

  it("shows a student one toggle per label with only their own label pressed, and no counts", () => {
    const { el } = start();
    const group = picker(el, "c1") as HTMLElement;
    expect(group.getAttribute("role")).toBe("group");
    expect(group.getAttribute("aria-label")).toBe("Your label for this comment");
    const chips = Array.from(group.querySelectorAll<HTMLButtonElement>("button"));
    expect(chips.map((b) => b.textContent)).toEqual(SET);
    expect(chips.map((b) => b.getAttribute("aria-pressed"))).toEqual(["true", "false", "false"]);
    expect(pressed(el, "c2")).toEqual([]); // Ann's label is not Chris's
    expect(pressed(el, "c4")).toEqual([]);
    expect(el.querySelector('[data-role="label-count"]')).toBeNull();
  });

  it("sets, changes and clears the own label through label operations", () => {
    const { el, model } = start();
    click(chip(el, "c2", "off-topic"));
    expect(model.lastSent("op")?.op).toEqual({ type: "label", id: "c2", label: "off-topic" });
    expect(pressed(el, "c2")).toEqual(["off-topic"]); // drawn at once, pending
    expect(item(el, "c2").dataset.pending).toBe("true");
    const rid = model.lastSent("op")?.rid as string;
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid,
      event: { type: "label", id: "c2", user: "Chris", label: "off-topic", actor: "Chris", at: at(9) },
    });
    expect(item(el, "c2").dataset.pending).toBeUndefined();
    expect(pressed(el, "c2")).toEqual(["off-topic"]);

    click(chip(el, "c2", "off-topic")); // the current label again: clear it
    expect(model.lastSent("op")?.op).toEqual({ type: "label", id: "c2", label: null });
    expect(pressed(el, "c2")).toEqual([]);

    click(chip(el, "c1", "supportive")); // another label replaces the old one
    expect(model.lastSent("op")?.op).toEqual({ type: "label", id: "c1", label: "supportive" });
    expect(pressed(el, "c1")).toEqual(["supportive"]);
  });

  it("rolls back a refused label and shows the kernel's reason", () => {
    const { el, model } = start();
    click(chip(el, "c4", "spam"));
    const rid = model.lastSent("op")?.rid as string;
    model.deliver({ kind: "reject", rid, reason: "Unknown label 'spam'; choose one of x.", field: "label" });
    expect(pressed(el, "c4")).toEqual([]);
    expect(q(el, '[data-role="error"]').textContent).toBe("Unknown label 'spam'; choose one of x.");
  });

  it("keeps the keyboard focus on the chip through the redraws", () => {
    const { el, model } = start();
    chip(el, "c4", "supportive").focus();
    click(chip(el, "c4", "supportive"));
    expect(document.activeElement).toBe(chip(el, "c4", "supportive"));
    const rid = model.lastSent("op")?.rid as string;
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid,
      event: { type: "label", id: "c4", user: "Chris", label: "supportive", actor: "Chris", at: at(9) },
    });
    expect(document.activeElement).toBe(chip(el, "c4", "supportive"));
    expect(document.activeElement?.getAttribute("aria-pressed")).toBe("true");
  });

  it("shows a moderator every user's counts per label, live", () => {
    const { el, model } = start("moderator");
    const counts = (id: string) =>
      Array.from(picker(el, id)?.querySelectorAll('[data-role="label-count"]') ?? [], (c) => c.textContent);
    expect(counts("c1")).toEqual(["1", "0", "1"]);
    expect(counts("c2")).toEqual(["1", "0", "0"]);
    expect(chip(el, "c1", "spam").getAttribute("aria-label")).toBe("spam, 1 user chose spam");
    expect(chip(el, "c1", "off-topic").getAttribute("aria-label")).toBe("off-topic, 0 users chose off-topic");
    model.deliver({
      kind: "event",
      epoch: "e1",
      seq: 1,
      rid: null,
      event: { type: "label", id: "c1", user: "Bo", label: "spam", actor: "Bo", at: at(9) },
    });
    expect(counts("c1")).toEqual(["2", "0", "1"]);
    expect(pressed(el, "c1")).toEqual(["spam"]); // still only the teacher's own label pressed
  });

  it("follows _config: a label set given later, a role taken away", () => {
    const { el, model } = mount({ _snapshot: snap(fixture(), "e1") });
    expect(picker(el, "c1")).toBeNull();
    model.kernelSet("_config", cfg("participant", ["a", "b"]));
    expect(Array.from(picker(el, "c1")?.querySelectorAll("button") ?? [], (b) => b.textContent)).toEqual(["a", "b"]);
    model.kernelSet("_config", cfg("reader", ["a", "b"]));
    expect(picker(el, "c1")).toBeNull();
  });
});

describe("label helpers", () => {
  it("count labels per value and build set / clear operations", () => {
    const c = comment("x", null, { labels: { a: "spam", b: "spam", c: "ok" } });
    expect([...labelCounts(c)]).toEqual([
      ["spam", 2],
      ["ok", 1],
    ]);
    expect(labelOp(c, "ok", "a")).toEqual({ type: "label", id: "x", label: "ok" });
    expect(labelOp(c, "spam", "a")).toEqual({ type: "label", id: "x", label: null });
    expect(labelOp(undefined, "spam", "a")).toBeNull();
    expect(labelOp(c, undefined, "a")).toBeNull();
  });
});
