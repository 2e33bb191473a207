/** The post: title, author, date, optional image with caption and credit, Markdown body. */
import type { Config, Post } from "../protocol";
import { safeImageUrl, safeLinkUrl, setBody } from "../markdown";
import { DEFAULT_FMT, type Fmt } from "../strings";
import { absoluteTime, avatar, h, timeEl } from "./dom";
import { authorBadge, renderFields } from "./fields";

/** What the view adds to the post: `w.fields` and `w.badges` (`cfg`) and its custom action buttons. */
export interface PostExtras {
  cfg: Partial<Config>;
  actions: HTMLElement | null;
  /** the author's picture from the `avatars` URL template, or null (initials) */
  avatarUrl?: string | null;
}

export function renderPost(
  target: HTMLElement,
  post: Post | null,
  fmt: Fmt = DEFAULT_FMT,
  absoluteTimes = false,
  extras?: PostExtras,
): void {
  target.replaceChildren();
  if (!post) return;
  const title = h("h2", { class: "tw-post-title", "data-role": "post-title" });
  const link = post.url ? safeLinkUrl(post.url) : null;
  if (link) {
    title.append(h("a", { href: link, target: "_blank", rel: "noopener noreferrer nofollow" }, post.title));
  } else {
    title.textContent = post.title;
  }
  const meta = h(
    "div",
    { class: "tw-post-meta" },
    avatar(post.author, "tw-avatar tw-avatar-sm", extras?.avatarUrl ?? null),
    h("span", { class: "tw-author", "data-role": "post-author" }, post.author),
    extras ? authorBadge(post.author, extras.cfg) : null,
    h("span", { class: "tw-dot", "aria-hidden": "true" }, "·"),
    timeEl(post.created_at, "tw-time", fmt, absoluteTimes),
  );
  target.append(title, meta);
  const source = provenance(post, fmt);
  if (source) target.append(source);
  const missing = incompleteness(post, fmt);
  if (missing) target.append(missing);

  const img = post.image;
  const src = img ? safeImageUrl(img.url) : null;
  if (img && src) {
    const figure = h("figure", { class: "tw-figure" });
    figure.append(
      h("img", { src, alt: img.caption ?? "", loading: "lazy", referrerpolicy: "no-referrer", decoding: "async" }),
    );
    if (img.caption || img.credit) {
      const cap = h("figcaption", { class: "tw-caption" });
      if (img.caption) cap.append(h("span", { class: "tw-caption-text" }, img.caption));
      if (img.credit) cap.append(h("span", { class: "tw-credit" }, fmt.t("image_credit", { credit: img.credit })));
      figure.append(cap);
    }
    target.append(figure);
  }
  const body = h("div", { class: "tw-md tw-post-body", "data-role": "post-body" });
  setBody(body, post.html, post.body);
  target.append(body);
  const fields = extras ? renderFields(post.extra, extras.cfg.fields, fmt) : null;
  if (fields) target.append(fields);
  if (extras?.actions) target.append(extras.actions);
}

/**
 * "From <host> · fetched <date>" for a post a fetcher made (`post.extra.source`: `url`, and
 * optionally `fetched_at` and `kind`). Only an http(s) URL becomes a link; anything else shows nothing.
 */
export function provenance(post: Post, fmt: Fmt): HTMLElement | null {
  const src = post.extra?.source;
  if (!src || typeof src !== "object" || Array.isArray(src)) return null;
  const { url, fetched_at: fetched, kind } = src as Record<string, unknown>;
  if (typeof url !== "string") return null;
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if ((parsed.protocol !== "http:" && parsed.protocol !== "https:") || !safeLinkUrl(parsed.href)) return null;
  const host = parsed.hostname.replace(/^www\./, "");
  const link = h(
    "a",
    { href: parsed.href, target: "_blank", rel: "noopener noreferrer nofollow", "data-role": "source-link" },
    host,
  );
  if (typeof kind === "string" && kind) link.title = kind;
  const [before, after] = fmt.t("source_from", { host: "\u0000" }).split("\u0000");
  const el = h("p", { class: "tw-source", "data-role": "source" }, before ?? "", link, after ?? "");
  if (typeof fetched === "string" && !Number.isNaN(Date.parse(fetched))) {
    const t = h("time", { datetime: fetched }, absoluteTime(Date.parse(fetched), fmt));
    const [b2, a2] = fmt.t("source_fetched", { time: "\u0000" }).split("\u0000");
    el.append(h("span", { class: "tw-dot", "aria-hidden": "true" }, " · "), b2 ?? "", t, a2 ?? "");
  }
  return el;
}

/**
 * "incomplete: 25 replies not loaded" for a thread whose fetch or import could not bring in
 * everything (`post.gaps`, Python's `thread.completeness`); the reasons in its tooltip. Null when
 * complete. The same sum as `Completeness.text()`: replies counted or named per gap, "+" when
 * some gap's size is unknown, deleted or blocked placeholders apart.
 */
export function incompleteness(post: Post, fmt: Fmt): HTMLElement | null {
  const gaps = post.gaps ?? [];
  if (!gaps.length) return null;
  const replies = gaps.filter((g) => g.kind !== "unavailable");
  const n = replies.reduce((sum, g) => sum + Math.max(g.count ?? 0, g.ids.length), 0);
  const exact = replies.every((g) => g.count !== null || g.ids.length > 0);
  const parts: string[] = [];
  if (replies.length) {
    if (n === 0) parts.push(fmt.t("incomplete_more"));
    else parts.push(exact ? fmt.count("incomplete", n) : fmt.t("incomplete", { n: `${fmt.num(n)}+` }));
  }
  const unavailable = gaps.length - replies.length;
  if (unavailable) parts.push(fmt.count("incomplete_unavailable", unavailable));
  const reasons = [...new Set(gaps.map((g) => g.reason).filter(Boolean))].join("; ");
  const text = fmt.t("incomplete_note", { what: parts.join("; ") });
  const el = h("p", { class: "tw-incomplete", "data-role": "incomplete", role: "note" }, text);
  if (reasons) el.title = reasons;
  return el;
}
