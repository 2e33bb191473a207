/** The post: title, author, date, optional image with caption and credit, Markdown body. */
import type { Post } from "../protocol";
import { safeImageUrl, safeLinkUrl, setMarkdown } from "../markdown";
import { DEFAULT_FMT, type Fmt } from "../strings";
import { avatar, h, timeEl } from "./dom";

export function renderPost(target: HTMLElement, post: Post | null, fmt: Fmt = DEFAULT_FMT, absoluteTimes = false): void {
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
    avatar(post.author, "tw-avatar tw-avatar-sm"),
    h("span", { class: "tw-author", "data-role": "post-author" }, post.author),
    h("span", { class: "tw-dot", "aria-hidden": "true" }, "·"),
    timeEl(post.created_at, "tw-time", fmt, absoluteTimes),
  );
  target.append(title, meta);

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
  setMarkdown(body, post.body);
  target.append(body);
}
