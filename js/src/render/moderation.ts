/**
 * Moderation and roles on the cards and above the comments: what each role sees and may do.
 *
 * A reader gets no controls at all (the view treats the role as read-only). A participant can
 * report a comment with a reason and take the report back. A moderator also gets a compact menu
 * per comment (hide, spam, remove, pin, lock replies and their undos), sees moderated comments
 * greyed with who/when/why and the reports, and can lock the whole thread. Every action asks
 * for an optional reason in a small inline form; Python decides, and a refusal reopens the form
 * with the typed reason and the kernel's message.
 */
import type { Comment, CommentStatus, Lock, ModerationAction, Op } from "../protocol";
import type { RejectNotice, ThreadStore } from "../state";
import type { Fmt } from "../strings";
import type { CardState } from "./comment";
import { button, h } from "./dom";

/** What the reason form can send: a moderation action, a pin, a lock, or a report. */
export type ModAction = ModerationAction | "pin" | "unpin" | "lock" | "unlock" | "flag";

/** The statuses each moderation action applies to (core/rules.py `_TRANSITIONS`). */
export const ALLOWED_FROM: Record<ModerationAction, readonly CommentStatus[]> = {
  hide: ["visible"],
  unhide: ["hidden"],
  spam: ["visible", "hidden"],
  not_spam: ["spam"],
  remove: ["visible", "hidden", "spam"],
  restore: ["removed"],
};
const MENU: ModerationAction[] = ["hide", "unhide", "spam", "not_spam", "remove", "restore"];
/** The longest reason the kernel accepts (models.MAX_REASON_CHARS). */
const MAX_REASON = 500;

/** Button text and question of each action (literal keys, so the strings test finds them). */
const TEXTS: Record<ModAction | "lock_thread" | "unlock_thread", (f: Fmt) => [string, string]> = {
  hide: (f) => [f.t("mod_hide"), f.t("ask_hide")],
  unhide: (f) => [f.t("mod_unhide"), f.t("ask_unhide")],
  spam: (f) => [f.t("mod_spam"), f.t("ask_spam")],
  not_spam: (f) => [f.t("mod_not_spam"), f.t("ask_not_spam")],
  remove: (f) => [f.t("mod_remove"), f.t("ask_remove")],
  restore: (f) => [f.t("mod_restore"), f.t("ask_restore")],
  pin: (f) => [f.t("mod_pin"), f.t("ask_pin")],
  unpin: (f) => [f.t("mod_unpin"), f.t("ask_unpin")],
  lock: (f) => [f.t("mod_lock"), f.t("ask_lock")],
  unlock: (f) => [f.t("mod_unlock"), f.t("ask_unlock")],
  flag: (f) => [f.t("mod_flag"), f.t("ask_flag")],
  lock_thread: (f) => [f.t("mod_lock_thread"), f.t("ask_lock_thread")],
  unlock_thread: (f) => [f.t("mod_unlock_thread"), f.t("ask_unlock_thread")],
};
const texts = (f: Fmt, a: ModAction, thread: boolean): [string, string] =>
  TEXTS[thread && (a === "lock" || a === "unlock") ? (`${a}_thread` as const) : a](f);
const statusText = (f: Fmt, st: CommentStatus): string =>
  st === "hidden" ? f.t("status_hidden") : st === "spam" ? f.t("status_spam") : f.t("status_removed");

/** The per-view moderation state of one card (from `ModerationUI.card`). */
export interface ModCard {
  menu: boolean;
  reports: boolean;
  /** the open reason form of this card, if any (a persistent element) */
  form: HTMLElement | null;
}

const moderator = (s: CardState): boolean => s.role === "moderator";
const MODERATED = new Set<CommentStatus>(["hidden", "spam", "removed"]);

/** True when a card shows a moderated comment, greyed, to a moderator. */
export function greyed(s: CardState): boolean {
  return moderator(s) && MODERATED.has(s.comment.status);
}

/** The placeholder text of a moderated comment for non-moderators, or null (shown as is). */
export function modPlaceholder(s: CardState): string | null {
  const st = s.comment.status;
  if (moderator(s) || !MODERATED.has(st)) return null;
  return placeholder(s.fmt, st);
}

/** May this user reply here (and edit): not in a locked subtree or thread, unless a moderator. */
export function mayReply(s: CardState): boolean {
  return s.lock === null || moderator(s);
}

function when(f: Fmt, iso: string): string {
  const ts = Date.parse(iso);
  return Number.isNaN(ts) ? iso : f.dtf.format(new Date(ts));
}

function chip(kind: string, text: string, title: string): HTMLElement {
  return h("span", { class: `tw-mod-chip tw-mod-chip-${kind}`, "data-role": `mod-${kind}`, title }, text);
}

function lockTitle(f: Fmt, lock: Lock): string {
  const head = f.t("chip_locked_title", { user: lock.by, time: when(f, lock.at) });
  return lock.reason ? `${head}: ${lock.reason}` : head;
}

const placeholder = (f: Fmt, st: CommentStatus): string =>
  st === "removed" ? f.t("removed_placeholder") : f.t("hidden_placeholder");

/** The chips of the meta line: pinned, locked (with reason), the moderation status and reports. */
export function modChips(s: CardState): Node[] {
  const c = s.comment;
  const f = s.fmt;
  const out: Node[] = [];
  if (c.pinned) out.push(chip("pinned", f.t("chip_pinned"), f.t("chip_pinned_title")));
  if (c.locked) {
    const text = c.locked.reason ? `${f.t("chip_locked")} · ${c.locked.reason}` : f.t("chip_locked");
    out.push(chip("locked", text, lockTitle(f, c.locked)));
  }
  if (!moderator(s)) return out;
  const m = c.moderation;
  if (MODERATED.has(c.status)) {
    const parts = [statusText(f, c.status)];
    if (m) parts.push(f.t("mod_by", { user: m.by }));
    if (m?.reason) parts.push(m.reason);
    const title = m ? f.t("mod_status_title", { status: parts[0], user: m.by, time: when(f, m.at) }) : parts[0];
    out.push(chip("status", parts.join(" · "), title));
  }
  if (c.flags.length > 0) {
    const lines = c.flags.map((x) => reportLine(f, x.user, x.reason));
    out.push(
      button("reports", f.count("reports_label", c.flags.length), f.count("reports", c.flags.length), {
        class: "tw-btn tw-mod-reports-btn",
        title: lines.join("\n"),
        "aria-expanded": s.mod?.reports ? "true" : "false",
      }),
    );
  }
  return out;
}

function reportLine(f: Fmt, user: string, reason: string): string {
  return reason ? f.t("report_line", { user, reason }) : f.t("report_line_empty", { user });
}

/** The action buttons after reply/edit/delete: Report or Reported, and the moderator's menu toggle. */
export function modButtons(s: CardState): Node[] {
  const c = s.comment;
  const f = s.fmt;
  if (s.readOnly || s.unconfirmed || s.role === "reader") return [];
  const out: Node[] = [];
  // the kernel refuses reports on own comments; a moderated comment is past reporting
  const mine = c.flags.find((x) => x.user === s.user);
  if (mine) {
    out.push(
      button("unflag", f.t("reported_label"), f.t("reported"), {
        class: "tw-btn tw-btn-unflag tw-pressed",
        "aria-pressed": "true",
        title: mine.reason || f.t("reported_label"),
      }),
    );
  } else if (s.user !== "" && c.author !== s.user && c.status === "visible") {
    out.push(button("report", f.t("report_label", { author: c.author }), f.t("report")));
  }
  if (moderator(s)) {
    out.push(
      button("moderate", f.t("moderate_label"), `${f.t("moderate")} ▾`, {
        "aria-expanded": s.mod?.menu ? "true" : "false",
      }),
    );
  }
  return out;
}

/** Below the actions: the reports list, the moderation menu or the open reason form. */
export function modPanel(s: CardState): Node[] {
  const c = s.comment;
  const f = s.fmt;
  const out: Node[] = [];
  if (moderator(s) && s.mod?.reports && c.flags.length > 0) {
    const list = h("ul", {
      class: "tw-mod-reports",
      "data-role": "mod-reports",
      "aria-label": f.count("reports_label", c.flags.length),
    });
    for (const x of c.flags) list.append(h("li", { title: when(f, x.at) }, reportLine(f, x.user, x.reason)));
    out.push(list);
  }
  if (s.mod?.form) out.push(s.mod.form);
  else if (moderator(s) && s.mod?.menu && !s.readOnly) {
    const menu = h("div", {
      class: "tw-mod-menu",
      role: "group",
      "data-role": "mod-menu",
      "aria-label": f.t("moderate_label"),
    });
    for (const a of MENU) if (ALLOWED_FROM[a].includes(c.status)) menu.append(modButton(f, a));
    if (c.status !== "deleted") menu.append(modButton(f, c.pinned ? "unpin" : "pin"));
    menu.append(modButton(f, c.locked ? "unlock" : "lock"));
    out.push(menu);
  }
  return out;
}

function modButton(f: Fmt, a: ModAction, thread = false): HTMLButtonElement {
  const danger = a === "remove" || a === "spam" ? " tw-mod-danger" : "";
  const [text, ask] = texts(f, a, thread);
  return button("mod", ask, text, { class: `tw-btn tw-btn-mod${danger}`, "data-mod": a });
}

/** The tree item's accessible name: placeholders never name the author of a moderated comment. */
export function cardLabel(c: Comment, moderatorView: boolean, f: Fmt): string {
  if (c.status === "deleted") return f.t("deleted_label");
  if (!moderatorView && MODERATED.has(c.status)) return placeholder(f, c.status);
  return f.t("comment_by", { author: c.author });
}

/** The operation a reason form sends; `id` "" is the thread. */
export function modOp(action: ModAction, id: string, reason: string): Op {
  switch (action) {
    case "flag":
      return { type: "flag", id, reason };
    case "pin":
    case "unpin":
      return { type: "pin", id, pinned: action === "pin", reason };
    case "lock":
    case "unlock":
      return { type: "lock", id: id === "" ? null : id, locked: action === "lock", reason };
    default:
      return { type: "moderate", id, action, reason };
  }
}

// ---- the per-view part: forms, menus, the thread lock ----------------------------------------

export interface ModHost {
  store(): ThreadStore;
  fmt(): Fmt;
  /** read_only, a reader, or a replay: no controls */
  readOnly(): boolean;
  /** send an operation through the view (returns its rid) */
  act(op: Op): string;
  /** redraw one card; false if this view does not show it */
  redraw(id: string): boolean;
  /** the card element of a comment, to move the focus into it */
  card(id: string): HTMLElement | undefined;
}

interface OpenForm {
  id: string;
  action: ModAction;
  el: HTMLElement;
  input: HTMLInputElement;
  error: HTMLElement;
}

/** One view's moderation UI state: which menu, reports list and reason form are open. */
export class ModerationUI {
  /** above the comments: the thread lock notice, and the moderator's Lock thread control */
  readonly threadEl: HTMLElement;
  #host: ModHost;
  #menu: string | null = null;
  #reports = new Set<string>();
  #form: OpenForm | null = null;
  /** reason drafts by form key, kept until sent or cancelled */
  #drafts = new Map<string, string>();
  /** sent forms by rid, reopened with their text if the kernel refuses */
  #sent = new Map<string, { id: string; action: ModAction; text: string }>();

  constructor(host: ModHost) {
    this.#host = host;
    this.threadEl = h("div", { class: "tw-mod-thread", "data-role": "thread-lock", hidden: true });
    this.threadEl.addEventListener("click", (e) => {
      const btn = (e.target as Element | null)?.closest<HTMLButtonElement>("button[data-mod]");
      if (btn && this.threadEl.contains(btn)) this.#open("", btn.dataset.mod as ModAction);
    });
  }

  /** The state a card renders (see `modChips`, `modButtons`, `modPanel`). */
  card(id: string): ModCard {
    const form = this.#form?.id === id ? this.#form : null;
    if (form && form.el.contains(document.activeElement)) {
      // the card is rebuilt around the form: keep the caret where it was
      const focused = document.activeElement as HTMLElement;
      queueMicrotask(() => focused.isConnected && focused.focus({ preventScroll: true }));
    }
    return { menu: this.#menu === id, reports: this.#reports.has(id), form: form ? form.el : null };
  }

  /** The new-comment box is closed: the thread is locked and this user is no moderator. */
  composerClosed(): boolean {
    const store = this.#host.store();
    return !!store.post?.locked && store.role !== "moderator";
  }

  /** A click on a card button of this module (`data-action`); false if not ours. */
  click(btn: HTMLElement, id: string): boolean {
    switch (btn.dataset.action) {
      case "report":
        this.#open(id, "flag");
        return true;
      case "unflag":
        if (!this.#host.readOnly()) this.#host.act({ type: "unflag", id });
        return true;
      case "moderate":
        this.#menu = this.#menu === id ? null : id;
        if (this.#form?.id === id) this.#close();
        this.#host.redraw(id);
        // an opened menu takes the focus (its first action); Escape brings it back here
        if (this.#menu === id)
          this.#host
            .card(id)
            ?.querySelector<HTMLElement>('[data-role="mod-menu"] button')
            ?.focus({ preventScroll: true });
        return true;
      case "mod":
        this.#open(id, btn.dataset.mod as ModAction);
        return true;
      case "reports":
        if (!this.#reports.delete(id)) this.#reports.add(id);
        this.#host.redraw(id);
        return true;
    }
    return false;
  }

  /** Escape in an open menu (or on its toggle): close it, focus the toggle. True if handled. */
  escape(el: Element | null): boolean {
    const id = this.#menu;
    if (id === null || !el) return false;
    const card = this.#host.card(id);
    if (
      !card ||
      !card.contains(el) ||
      !(el.closest('[data-role="mod-menu"]') || el.closest('button[data-action="moderate"]'))
    )
      return false;
    this.#menu = null;
    this.#host.redraw(id);
    this.#host.card(id)?.querySelector<HTMLElement>('button[data-action="moderate"]')?.focus({ preventScroll: true });
    return true;
  }

  /** A refusal of one of our operations: reopen its form with the reason typed and the message. */
  onReject(r: RejectNotice): boolean {
    const sent = this.#sent.get(r.rid);
    if (!sent) return false;
    this.#sent.delete(r.rid);
    this.#drafts.set(key(sent.id, sent.action), sent.text);
    if (sent.id !== "" && !this.#host.card(sent.id)) return false; // not shown here: the banner says it
    this.#open(sent.id, sent.action, r.reason);
    return true;
  }

  /** Redraw the thread area: the lock notice for everyone, the lock control for moderators. */
  renderThread(): void {
    const store = this.#host.store();
    const f = this.#host.fmt();
    const lock = store.post?.locked ?? null;
    const mod = store.role === "moderator" && !this.#host.readOnly();
    const parts: Node[] = [];
    if (lock) {
      const text = lock.reason
        ? f.t("thread_locked_reason", { user: lock.by, reason: lock.reason })
        : f.t("thread_locked", { user: lock.by });
      parts.push(h("span", { class: "tw-mod-notice", "data-role": "lock-notice", title: when(f, lock.at) }, text));
    }
    const form = this.#form?.id === "" ? this.#form : null;
    if (mod && !form) {
      parts.push(modButton(f, lock ? "unlock" : "lock", true));
    }
    if (form) parts.push(form.el);
    const focused = form?.el.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    this.threadEl.replaceChildren(...parts);
    focused?.focus({ preventScroll: true });
    this.threadEl.hidden = parts.length === 0;
    this.threadEl.classList.toggle("tw-mod-locked", lock !== null);
  }

  #open(id: string, action: ModAction, error: string | null = null): void {
    if (this.#host.readOnly()) return;
    const previous = this.#form;
    const k = key(id, action);
    const f = this.#host.fmt();
    const [text, ask] = texts(f, action, id === "");
    const input = h("input", {
      type: "text",
      class: "tw-mod-reason",
      "data-role": "mod-reason",
      maxlength: MAX_REASON,
      placeholder: f.t("mod_reason"),
      "aria-label": `${ask} ${f.t("mod_reason")}`,
    });
    input.value = this.#drafts.get(k) ?? "";
    const errorEl = h("div", { class: "tw-error", "data-role": "error", role: "alert", hidden: !error }, error ?? "");
    const confirm = h(
      "button",
      { type: "button", class: "tw-btn tw-btn-primary", "data-role": "mod-confirm", "aria-label": text },
      text,
    );
    const cancel = h(
      "button",
      { type: "button", class: "tw-btn tw-btn-cancel", "data-role": "mod-cancel", "aria-label": f.t("cancel") },
      f.t("cancel"),
    );
    const el = h(
      "div",
      { class: "tw-mod-form", role: "group", "data-role": "mod-form", "data-mod": action, "aria-label": ask },
      h("span", { class: "tw-mod-ask" }, ask),
      h("span", { class: "tw-mod-row" }, input, confirm, cancel),
      errorEl,
    );
    input.addEventListener("input", () => {
      this.#drafts.set(k, input.value);
      errorEl.hidden = true;
    });
    input.addEventListener("keydown", (e) => {
      e.stopPropagation(); // notebook shortcuts and tree keys stay out of the text box
      if (e.key === "Enter" && !e.isComposing) {
        e.preventDefault();
        this.#submit();
      } else if (e.key === "Escape") {
        e.preventDefault();
        this.#cancel();
      }
    });
    confirm.addEventListener("click", () => this.#submit());
    cancel.addEventListener("click", () => this.#cancel());
    this.#form = { id, action, el, input, error: errorEl };
    if (id !== "") this.#menu = null;
    if (previous && previous.id !== id) this.#redraw(previous.id);
    this.#redraw(id);
    input.focus();
  }

  #submit(): void {
    const form = this.#form;
    if (!form) return;
    const text = form.input.value;
    this.#close();
    this.#drafts.delete(key(form.id, form.action));
    for (const rid of [...this.#sent.keys()]) if (!this.#host.store().pending.has(rid)) this.#sent.delete(rid);
    const rid = this.#host.act(modOp(form.action, form.id, text.trim()));
    this.#sent.set(rid, { id: form.id, action: form.action, text });
    this.#redraw(form.id);
    this.#refocus(form.id);
  }

  #cancel(): void {
    const form = this.#form;
    if (!form) return;
    this.#drafts.delete(key(form.id, form.action));
    this.#close();
    this.#redraw(form.id);
    this.#refocus(form.id);
  }

  #close(): void {
    this.#form = null;
  }

  #redraw(id: string): void {
    if (id === "") this.renderThread();
    else this.#host.redraw(id);
  }

  /** After a form closes: focus what opened it (the menu toggle, Report, or the thread control). */
  #refocus(id: string): void {
    const root = id === "" ? this.threadEl : this.#host.card(id);
    const el = root?.querySelector<HTMLElement>(
      'button[data-action="moderate"], button[data-action="report"], button[data-action="unflag"], button[data-mod]',
    );
    el?.focus({ preventScroll: true });
  }
}

function key(id: string, action: ModAction): string {
  return `${action}:${id}`;
}
