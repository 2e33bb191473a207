// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_STRINGS, Fmt } from "../src/strings";
import { DEFAULT_OPTIONS, parseOptions } from "../src/options";
import { at, comment } from "./fake-model";
import { cleanup, click, item, mount, q, snap, type } from "./helpers";
import PY from "../../src/threadwidget/strings.py?raw";
import TABLE_TEXT from "../../src/threadwidget/strings.json?raw";

afterEach(cleanup);

const TABLE = JSON.parse(TABLE_TEXT) as Record<string, string>;
const SOURCES = import.meta.glob("../src/**/*.ts", { query: "?raw", import: "default", eager: true });

describe("strings table", () => {
  it("is the one JSON file Python reads too", () => {
    expect(DEFAULT_STRINGS).toEqual(TABLE);
    expect(PY).toContain('"strings.json"');
  });

  it("has every key the frontend uses (t / count calls)", () => {
    const used = new Set<string>();
    expect(Object.keys(SOURCES).length).toBeGreaterThan(5);
    for (const src of Object.values(SOURCES)) {
      for (const m of src.matchAll(/\.t\("([a-z_]+)"/g)) used.add(m[1]);
      for (const m of src.matchAll(/\.count\("([a-z_]+)"/g)) used.add(m[1]).add(`${m[1]}_one`);
    }
    // keys built from a value: sort_<sort>, filter_<filter>
    for (const k of [
      "sort_oldest",
      "sort_newest",
      "sort_top",
      "filter_all",
      "filter_mine",
      "filter_op",
      "filter_edited",
      "filter_liked",
    ])
      used.add(k);
    // ranking.ts and render/why.ts: rank_formula_<sort>, rank_explain_<sort>, rank_up|down_<voting>
    for (const s of ["oldest", "newest", "top", "best", "controversial", "hot"])
      used.add(`sort_${s}`).add(`rank_formula_${s}`).add(`rank_explain_${s}`);
    for (const v of ["likes", "updown", "reactions"])
      for (const d of ["up", "down"]) used.add(`rank_${d}_${v}`).add(`rank_${d}_${v}_one`);
    used.add("rank_formula_top_count");
    expect(used.size).toBeGreaterThan(40);
    for (const k of used) expect(TABLE, k).toHaveProperty(k);
    for (const k of Object.keys(TABLE)) expect(used, k).toContain(k);
  });

  it("fills placeholders, numbers in the locale, and ignores unknown keys", () => {
    const f = new Fmt({ comments: "{n} Kommentare", bogus: "x" }, "de");
    expect(f.count("comments", 2000)).toBe("2.000 Kommentare");
    expect(f.count("comments", 1)).toBe("1 comment");
    expect(f.t("bogus")).toBe("bogus");
    expect(new Fmt({}, "not a locale!").num(1000)).toMatch(/1.?000/);
  });
});

describe("w.strings", () => {
  it("replaces button labels, aria-labels, placeholders and counts, live", () => {
    const { model, el } = mount({
      strings: { reply: "Antworten", reply_to: "{author} antworten", comments: "{n} Kommentare" },
    });
    const reply = q(item(el, "c1"), 'button[data-action="reply"]');
    expect(reply.textContent).toBe("Antworten");
    expect(reply.getAttribute("aria-label")).toBe("Chris antworten");
    expect(q(el, '[data-role="count"]').textContent).toBe("4 Kommentare");

    model.kernelSet("strings", {
      reply: "Répondre",
      new_comment_placeholder: "Votre avis…",
      search_label: "Chercher",
      collapse: "Replier",
      sort_top: "Meilleurs",
    });
    expect(q(item(el, "c1"), 'button[data-action="reply"]').textContent).toBe("Répondre");
    expect(q(item(el, "c1"), 'button[data-action="reply"]').getAttribute("aria-label")).toBe("Reply to Chris");
    expect(q<HTMLTextAreaElement>(el, '[data-role="new-comment"] textarea').placeholder).toBe("Votre avis…");
    expect(q(el, '[data-role="search"]').getAttribute("aria-label")).toBe("Chercher");
    expect(q(item(el, "c1"), 'button[data-action="collapse"]').getAttribute("aria-label")).toBe("Replier");
    expect(q(el, 'select[data-role="sort"] option[value="top"]').textContent).toBe("Meilleurs");
    expect(q(el, '[data-role="count"]').textContent).toBe("4 comments");
  });

  it("replaces [deleted], the local errors and the more / continue texts", () => {
    const kids = Array.from({ length: 25 }, (_, i) => comment(`k${i}`, "p", { created_at: at(i + 1) }));
    const { el } = mount({
      _snapshot: snap([comment("p", null, { created_at: at(0), status: "deleted", body: "" }), ...kids]),
      strings: { deleted: "[gelöscht]", more_replies: "{n} weitere", empty_body: "Leer!", too_long: "{n} > {max}" },
      _config: { max_body: 1000 },
    });
    expect(q(item(el, "p"), '[data-role="body"]').textContent).toBe("[gelöscht]");
    expect(q(item(el, "p"), 'button[data-action="more"]').textContent).toBe("5 weitere");
    const composer = q(el, '[data-role="new-comment"]');
    click(q(composer, 'button[data-action="submit"]'));
    expect(q(composer, '[data-role="error"]').textContent).toBe("Leer!");
    type(q<HTMLTextAreaElement>(composer, "textarea"), "x".repeat(1200));
    click(q(composer, 'button[data-action="submit"]'));
    expect(q(composer, '[data-role="error"]').textContent).toBe("1,200 > 1,000");
  });
});

describe("w.locale", () => {
  it("formats relative times (and counts) in the locale, live", () => {
    const { model, el } = mount();
    const time = () => q(item(el, "c1"), "time").textContent ?? "";
    const en = time();
    expect(en).toMatch(/ago/);
    model.kernelSet("locale", "de");
    expect(time()).toMatch(/^vor /);
    expect(q(item(el, "c1"), "time").getAttribute("title")).not.toBe("");
    model.kernelSet("locale", "");
    expect(time()).toBe(en);
  });
});

describe("w.options", () => {
  it("parses with defaults for anything unexpected", () => {
    expect(parseOptions(undefined)).toEqual(DEFAULT_OPTIONS);
    expect(parseOptions({ max_indent: 0, density: "x", collapsed_depth: 2 })).toEqual({
      ...DEFAULT_OPTIONS,
      collapsed_depth: 2,
    });
  });

  it("density and avatars: classes on .tw-root, live", () => {
    const { model, el } = mount();
    const root = q(el, ".tw-root");
    expect(root.classList.contains("tw-compact")).toBe(false);
    model.kernelSet("options", { ...DEFAULT_OPTIONS, density: "compact", avatars: "none" });
    expect(root.classList.contains("tw-compact")).toBe(true);
    expect(root.classList.contains("tw-no-avatars")).toBe(true);
    model.kernelSet("options", { ...DEFAULT_OPTIONS });
    expect(root.className).not.toMatch(/tw-compact|tw-no-avatars/);
  });

  it("avatars as an https URL template: a picture over the initials, which stay if it fails", () => {
    const { model, el } = mount();
    expect(el.querySelector(".tw-avatar-img")).toBeNull();
    model.kernelSet("options", { ...DEFAULT_OPTIONS, avatars: "https://img.example/{author}.png" });
    const img = q<HTMLImageElement>(item(el, "c1"), ":scope > .tw-card .tw-avatar-img");
    expect(img.getAttribute("src")).toBe("https://img.example/Chris.png");
    expect(img.getAttribute("referrerpolicy")).toBe("no-referrer");
    expect(q(el, '[data-role="post"] .tw-avatar-img').getAttribute("src")).toBe("https://img.example/Steve.png");
    img.dispatchEvent(new Event("error"));
    expect(img.isConnected).toBe(false);
    expect(q(item(el, "c1"), ":scope > .tw-card .tw-avatar").textContent).toBe("C");
    expect(parseOptions({ avatars: "javascript:{author}" }).avatars).toBe("initials");
  });

  it("counts: vote counts, the total and the hidden-replies count can be left out, live", () => {
    const { model, el } = mount();
    const root = q(el, ".tw-root");
    model.kernelSet("options", { ...DEFAULT_OPTIONS, counts: ["replies"] });
    expect(root.classList.contains("tw-hide-vote-counts")).toBe(true);
    expect(root.classList.contains("tw-hide-comment-count")).toBe(true);
    model.kernelSet("options", { ...DEFAULT_OPTIONS });
    expect(root.className).not.toMatch(/tw-hide-/);
    expect(parseOptions({ counts: ["comments", "bogus"] }).counts).toEqual(["comments"]);
  });

  it("max_indent: the indentation cap moves, live", () => {
    const { model, el } = mount(); // c1 > c2 > c3
    expect(item(el, "c2").querySelector(":scope > .tw-group")?.classList.contains("tw-flat")).toBe(false);
    model.kernelSet("options", { ...DEFAULT_OPTIONS, max_indent: 2 });
    expect(item(el, "c2").querySelector(":scope > .tw-group")?.classList.contains("tw-flat")).toBe(true);
    expect(item(el, "c3").classList.contains("tw-deep")).toBe(true);
    expect(item(el, "c1").querySelector(":scope > .tw-group")?.classList.contains("tw-flat")).toBe(false);
  });

  it("timestamps: absolute text instead of relative, live", () => {
    const { model, el } = mount();
    const t = () => q(item(el, "c1"), "time");
    expect(t().textContent).toMatch(/ago/);
    model.kernelSet("options", { ...DEFAULT_OPTIONS, timestamps: "absolute" });
    expect(t().textContent).toMatch(/2012/);
    expect(t().dataset.ts).toBeUndefined();
    expect(q(el, '[data-role="post"] time').textContent).toMatch(/2012/);
  });

  it("collapsed_depth: subtrees at that depth start collapsed, a click still expands", () => {
    const { model, el } = mount({ options: { ...DEFAULT_OPTIONS, collapsed_depth: 2 } });
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("true");
    expect(item(el, "c2").getAttribute("aria-expanded")).toBe("false");
    click(q(item(el, "c2"), 'button[data-action="collapse"]'));
    expect(item(el, "c2").getAttribute("aria-expanded")).toBe("true");
    model.kernelSet("options", { ...DEFAULT_OPTIONS, collapsed_depth: 1 });
    expect(item(el, "c1").getAttribute("aria-expanded")).toBe("false");
  });
});

describe("w.css", () => {
  it("is injected into the view root, updated live and removed with the view", () => {
    const { model, el } = mount({ css: ".tw-root { --tw-accent: rebeccapurple; }" });
    const style = () => el.querySelector<HTMLStyleElement>(".tw-root > style");
    expect(style()?.textContent).toContain("rebeccapurple");
    model.kernelSet("css", ".tw-root { --tw-radius: 0; }");
    expect(style()?.textContent).toBe(".tw-root { --tw-radius: 0; }");
    // no CSS, no <style> element at all; it comes back when CSS is set again
    model.kernelSet("css", "");
    expect(style()).toBeNull();
    model.kernelSet("css", ".tw-root { --tw-radius: 2px; }");
    expect(style()?.textContent).toBe(".tw-root { --tw-radius: 2px; }");
    cleanup();
    expect(document.querySelectorAll("style").length).toBe(0);
  });
});
