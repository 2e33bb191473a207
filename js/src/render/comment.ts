/** One comment's card (avatar, meta line, body, actions); rebuilt in place on every change. */
import type { Comment } from "../protocol";
import { setMarkdown } from "../markdown";
import { avatar, button, h, plural, timeEl } from "./dom";

export interface CardState {
  comment: Comment;
  user: string;
  postAuthor: string | null;
  readOnly: boolean;
  pending: boolean;
  /** an own new comment the kernel has not confirmed yet */
  unconfirmed: boolean;
  /** visible replies below (for the collapse toggle); 0 hides the toggle */
  replies: number;
  hasChildren: boolean;
  collapsed: boolean;
  editing: boolean;
  armedDelete: boolean;
}

/** Fill `card` for this state (its previous content is replaced). */
export function renderCard(card: HTMLElement, s: CardState): void {
  const c = s.comment;
  const deleted = c.status === "deleted";
  const parts: Node[] = [];

  if (deleted) {
    parts.push(h("span", { class: "tw-avatar tw-avatar-deleted", "aria-hidden": "true" }, "–"));
    const main = h(
      "div",
      { class: "tw-main" },
      h("div", { class: "tw-body tw-deleted-text", "data-role": "body" }, "[deleted]"),
    );
    // The kernel keeps a deleted comment's likes and edited time; show them, read-only.
    if (c.edited_at) main.prepend(h("div", { class: "tw-meta" }, h("span", { class: "tw-edited", "data-role": "edited" }, "edited")));
    const actions = h("div", { class: "tw-actions" });
    if (c.likes > 0) {
      actions.append(
        h("span", { class: "tw-likes-static", title: plural(c.likes, "like", "likes") },
          h("span", { class: "tw-heart", "aria-hidden": "true" }, "♡"),
          h("span", { class: "tw-like-count", "data-role": "likes" }, String(c.likes))),
      );
    }
    if (s.hasChildren) actions.append(collapseButton(s));
    if (actions.childElementCount) main.append(actions);
    parts.push(main);
    card.replaceChildren(...parts);
    return;
  }

  parts.push(avatar(c.author));
  const meta = h("div", { class: "tw-meta" }, h("span", { class: "tw-author" }, c.author));
  if (s.postAuthor !== null && c.author === s.postAuthor) {
    meta.append(h("span", { class: "tw-badge", "data-role": "author-badge", title: "Author of the post" }, "Author"));
  }
  meta.append(h("span", { class: "tw-dot", "aria-hidden": "true" }, "·"), timeEl(c.created_at));
  if (c.edited_at) {
    const ts = Date.parse(c.edited_at);
    meta.append(
      h(
        "span",
        { class: "tw-edited", "data-role": "edited", title: Number.isNaN(ts) ? c.edited_at : `Edited ${new Date(ts).toLocaleString()}` },
        "edited",
      ),
    );
  }
  if (s.pending) meta.append(h("span", { class: "tw-pending-mark" }, "sending…"));

  const body = h("div", { class: "tw-body tw-md", "data-role": "body" });
  setMarkdown(body, c.body);
  if (s.editing) body.hidden = true;

  const actions = h("div", { class: "tw-actions" });
  const liked = s.user !== "" && c.liked_by.includes(s.user);
  const count = h("span", { class: "tw-like-count", "data-role": "likes" }, String(c.likes));
  const heart = h("span", { class: "tw-heart", "aria-hidden": "true" }, liked ? "♥" : "♡");
  // A comment not yet confirmed takes no actions until the kernel has it.
  if (s.readOnly || s.unconfirmed) {
    actions.append(h("span", { class: "tw-likes-static", title: plural(c.likes, "like", "likes") }, heart, count));
  } else {
    const like = h(
      "button",
      {
        type: "button",
        class: `tw-btn tw-btn-like${liked ? " tw-pressed" : ""}`,
        "data-action": "like",
        "aria-label": liked ? `Unlike (${plural(c.likes, "like", "likes")})` : `Like (${plural(c.likes, "like", "likes")})`,
        "aria-pressed": liked ? "true" : "false",
      },
      heart,
      count,
    );
    actions.append(like);
    actions.append(button("reply", `Reply to ${c.author}`, "Reply"));
    if (s.user !== "" && c.author === s.user) {
      actions.append(button("edit", "Edit your comment", "Edit"));
      actions.append(
        s.armedDelete
          ? button("delete", "Confirm: delete your comment", "Confirm delete?", { class: "tw-btn tw-btn-danger" })
          : button("delete", "Delete your comment", "Delete"),
      );
    }
  }
  if (s.hasChildren) actions.append(collapseButton(s));

  parts.push(h("div", { class: "tw-main" }, meta, body, actions));
  card.replaceChildren(...parts);
}

function collapseButton(s: CardState): HTMLButtonElement {
  if (s.collapsed) {
    const text = s.replies > 0 ? `${plural(s.replies, "reply", "replies")} hidden` : "Show replies";
    return button("collapse", `Expand: ${text}`, `⊕ ${text}`, { "aria-expanded": "false", class: "tw-btn tw-btn-collapse tw-collapsed" });
  }
  return button("collapse", "Collapse replies", "⊖", { "aria-expanded": "true", title: "Collapse replies" });
}
