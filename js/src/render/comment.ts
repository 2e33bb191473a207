/** One comment's card (avatar, meta line, body, actions); rebuilt in place on every change. */
import type { Comment, Config, Lock, Role } from "../protocol";
import { setBody } from "../markdown";
import type { Fmt } from "../strings";
import { avatar, button, h, timeEl } from "./dom";
import { labelPicker } from "./labels";
import { authorBadge, renderFields } from "./fields";
import { renderVotes } from "./votes";
import type { Mark } from "./layout";
import { greyed, mayReply, modButtons, modChips, modPanel, modPlaceholder, type ModCard } from "./moderation";

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
  /** the view's strings and locale */
  fmt: Fmt;
  /** show absolute times instead of relative ones */
  absoluteTimes: boolean;
  /** the author's picture from the `avatars` URL template, or null (initials) */
  avatarUrl?: string | null;
  /** the kernel's rules (`_config`): voting, label set, fields, actions, badges */
  cfg: Partial<Config>;
  /** this user's role */
  role: Role;
  /** the lock covering this comment (its own, an ancestor's or the thread's), if any */
  lock: Lock | null;
  /** this comment's custom action buttons (render/actions.ts, per view), if any */
  custom?: HTMLElement | null;
  /** this card's moderation menu, reports list and reason form (render/moderation.ts, per view) */
  mod?: ModCard | null;
  /** the parent it answers, as the layout marks it (render/layout.ts), if any */
  mark?: Mark | null;
}

/** Fill `card` for this state (its previous content is replaced). */
export function renderCard(card: HTMLElement, s: CardState): void {
  const c = s.comment;
  const f = s.fmt;
  const deleted = c.status === "deleted";
  const parts: Node[] = [];
  card.classList.toggle("tw-moderated", greyed(s));
  // deleted, or hidden / spam / removed for non-moderators: a placeholder
  const gone = deleted ? f.t("deleted") : modPlaceholder(s);

  if (gone !== null) {
    parts.push(h("span", { class: "tw-avatar tw-avatar-deleted", "aria-hidden": "true" }, "–"));
    const main = h(
      "div",
      { class: "tw-main" },
      h("div", { class: "tw-body tw-deleted-text", "data-role": "body" }, gone),
    );
    // The kernel keeps a deleted comment's likes and edited time; show them, read-only.
    if (deleted && c.edited_at)
      main.prepend(
        h("div", { class: "tw-meta" }, h("span", { class: "tw-edited", "data-role": "edited" }, f.t("edited"))),
      );
    const actions = h("div", { class: "tw-actions" });
    if (deleted && c.likes > 0) {
      actions.append(
        h(
          "span",
          { class: "tw-likes-static", title: f.count("likes", c.likes) },
          h("span", { class: "tw-heart", "aria-hidden": "true" }, "♡"),
          h("span", { class: "tw-like-count", "data-role": "likes" }, String(c.likes)),
        ),
      );
    }
    if (s.hasChildren) actions.append(collapseButton(s));
    if (actions.childElementCount) main.append(actions);
    parts.push(main);
    card.replaceChildren(...parts);
    return;
  }

  parts.push(avatar(c.author, "tw-avatar", s.avatarUrl ?? null));
  const meta = h("div", { class: "tw-meta" }, h("span", { class: "tw-author" }, c.author));
  if (s.postAuthor !== null && c.author === s.postAuthor) {
    meta.append(
      h(
        "span",
        { class: "tw-badge", "data-role": "author-badge", title: f.t("author_badge_title") },
        f.t("author_badge"),
      ),
    );
  }
  const badge = authorBadge(c.author, s.cfg);
  if (badge) meta.append(badge);
  meta.append(
    h("span", { class: "tw-dot", "aria-hidden": "true" }, "·"),
    timeEl(c.created_at, "tw-time", f, s.absoluteTimes),
  );
  if (c.edited_at) {
    const ts = Date.parse(c.edited_at);
    meta.append(
      h(
        "span",
        {
          class: "tw-edited",
          "data-role": "edited",
          title: Number.isNaN(ts) ? c.edited_at : f.t("edited_title", { time: f.dtf.format(new Date(ts)) }),
        },
        f.t("edited"),
      ),
    );
  }
  if (s.pending) meta.append(h("span", { class: "tw-pending-mark" }, f.t("sending")));
  meta.append(...modChips(s));

  const body = h("div", { class: "tw-body tw-md", "data-role": "body" });
  setBody(body, c.html, c.body);
  if (s.editing) body.hidden = true;

  const actions = h("div", { class: "tw-actions" });
  const liked = s.user !== "" && c.liked_by.includes(s.user);
  const count = h("span", { class: "tw-like-count", "data-role": "likes" }, String(c.likes));
  const heart = h("span", { class: "tw-heart", "aria-hidden": "true" }, liked ? "♥" : "♡");
  const votes = renderVotes(s); // null for likes: the like button below
  // A comment not yet confirmed takes no actions until the kernel has it.
  if (s.readOnly || s.unconfirmed) {
    actions.append(votes ?? h("span", { class: "tw-likes-static", title: f.count("likes", c.likes) }, heart, count));
  } else {
    const like = h(
      "button",
      {
        type: "button",
        class: `tw-btn tw-btn-like${liked ? " tw-pressed" : ""}`,
        "data-action": "like",
        "aria-label": liked
          ? f.t("unlike_label", { likes: f.count("likes", c.likes) })
          : f.t("like_label", { likes: f.count("likes", c.likes) }),
        "aria-pressed": liked ? "true" : "false",
      },
      heart,
      count,
    );
    actions.append(votes ?? like);
    // a locked subtree or thread: no replies or edits, except by moderators
    if (mayReply(s)) actions.append(button("reply", f.t("reply_to", { author: c.author }), f.t("reply")));
    if (s.user !== "" && c.author === s.user) {
      if (mayReply(s)) actions.append(button("edit", f.t("edit_label"), f.t("edit")));
      actions.append(
        s.armedDelete
          ? button("delete", f.t("confirm_delete_label"), f.t("confirm_delete"), { class: "tw-btn tw-btn-danger" })
          : button("delete", f.t("delete_label"), f.t("delete")),
      );
    }
    actions.append(...modButtons(s));
    if (s.custom) actions.append(s.custom);
  }
  if (s.hasChildren) actions.append(collapseButton(s));

  parts.push(
    h(
      "div",
      { class: "tw-main" },
      meta,
      markEl(s),
      body,
      renderFields(c.extra, s.cfg.fields, f),
      actions,
      ...modPanel(s),
      labelPicker(s),
    ),
  );
  card.replaceChildren(...parts);
}

/** "in reply to @name" (two-level) or a quote of the parent (flat); its link goes to the parent. */
function markEl(s: CardState): HTMLElement | null {
  const m = s.mark;
  if (!m) return null;
  const f = s.fmt;
  const who = m.author ?? f.t("deleted");
  const quote = m.kind === "quote";
  const text = quote ? f.t("quote_from", { author: who }) : f.t("in_reply_to", { author: `@${who}` });
  const link = button("goto", f.t("goto_parent", { author: who }), text, {
    class: "tw-btn tw-goto",
    "data-target": m.parent,
  });
  if (!quote) return h("div", { class: "tw-replyto", "data-role": "reply-to" }, link);
  return h("blockquote", { class: "tw-quote", "data-role": "quote" }, link, m.excerpt ? ` ${m.excerpt}` : null);
}

function collapseButton(s: CardState): HTMLButtonElement {
  const f = s.fmt;
  if (s.collapsed) {
    const text = s.replies > 0 ? f.count("replies_hidden", s.replies) : f.t("show_replies");
    return button("collapse", f.t("expand", { text }), `⊕ ${text}`, {
      "aria-expanded": "false",
      class: "tw-btn tw-btn-collapse tw-collapsed",
    });
  }
  return button("collapse", f.t("collapse"), "⊖", { "aria-expanded": "true", title: f.t("collapse") });
}
