/**
 * Custom actions (`w.add_action`): buttons on the comments an action applies to, on the post and
 * in the toolbar, per view.
 *
 * A click sends an `action` request (`store.request`); the button is busy (aria-busy,
 * aria-disabled: it keeps keyboard focus) until the `action_result` with that rid arrives. A
 * refusal shows its reason next to the button (role="alert"), a message shows as a brief notice
 * (role="status"). Operations the handler returns arrive as ordinary events. The state lives here,
 * not in the DOM, so it survives the cards being rebuilt by other events.
 */
import type { ActionResultMsg, ActionSpec, Comment, Config, ReplyMsg } from "../protocol";
import type { ThreadStore } from "../state";
import type { Fmt } from "../strings";
import { h } from "./dom";

/** How long a refusal (ms) and a message stay next to their button, and how long to wait for an answer. */
export const ERROR_MS = 10_000;
export const MESSAGE_MS = 6_000;
export const ANSWER_TIMEOUT_MS = 30_000;

export interface ActionsHost {
  /** the live store (requests go to the kernel through it) */
  store: ThreadStore;
  fmt(): Fmt;
  config(): Partial<Config>;
  /** false for readers, read-only and replaying views: no action buttons */
  interactive(): boolean;
}

interface Note {
  text: string;
  error: boolean;
  timer: ReturnType<typeof setTimeout>;
}

const SEP = "\u0000";
const keyOf = (name: string, id: string | null): string => `${name}${SEP}${id ?? ""}`;

/** Comment actions' `ids` as sets, computed once per `_config` value (10k ids, every card). */
const idSets = new WeakMap<string[], Set<string>>();
function applies(spec: ActionSpec, id: string): boolean {
  if (spec.ids === null) return true;
  let set = idSets.get(spec.ids);
  if (!set) idSets.set(spec.ids, (set = new Set(spec.ids)));
  return set.has(id);
}

/**
 * The comment ids whose action buttons differ between two configs when nothing else changed
 * (a `when` predicate matched new comments); null when anything else changed.
 */
export function changedActionIds(a: Partial<Config>, b: Partial<Config>): Set<string> | null {
  const shape = (c: Partial<Config>) =>
    JSON.stringify({ ...c, actions: (c.actions ?? []).map((x) => ({ ...x, ids: x.ids === null })) });
  if (shape(a) !== shape(b)) return null;
  const out = new Set<string>();
  const bs = b.actions ?? [];
  (a.actions ?? []).forEach((x, i) => {
    const y = bs[i];
    if (!x.ids || !y?.ids) return;
    const sa = new Set(x.ids);
    const sb = new Set(y.ids);
    for (const id of sa) if (!sb.has(id)) out.add(id);
    for (const id of sb) if (!sa.has(id)) out.add(id);
  });
  return out;
}

export class CustomActions {
  /** the thread actions, for the toolbar */
  readonly toolbar: HTMLElement;
  #host: ActionsHost;
  #root: HTMLElement;
  /** action key -> rid of the request in flight */
  #busy = new Map<string, string>();
  /** rid -> action key, with the timer that gives up waiting */
  #rids = new Map<string, { key: string; timer: ReturnType<typeof setTimeout> }>();
  #notes = new Map<string, Note>();
  #unsub: () => void;
  #onClick = (e: MouseEvent) => this.#click(e);

  constructor(root: HTMLElement, host: ActionsHost) {
    this.#root = root;
    this.#host = host;
    this.toolbar = h("span", {
      class: "tw-thread-actions",
      "data-role": "thread-actions",
      role: "group",
      hidden: true,
    });
    root.addEventListener("click", this.#onClick);
    this.#unsub = host.store.onReply((m) => this.#onReply(m));
    this.renderToolbar();
  }

  dispose(): void {
    this.#unsub();
    this.#root.removeEventListener("click", this.#onClick);
    for (const r of this.#rids.values()) clearTimeout(r.timer);
    for (const n of this.#notes.values()) clearTimeout(n.timer);
    this.#rids.clear();
    this.#notes.clear();
    this.#busy.clear();
  }

  /** The action buttons of a comment card, or null. */
  forComment(c: Comment): HTMLElement | null {
    if (c.status === "deleted" || !this.#host.interactive()) return null;
    const specs = (this.#host.config().actions ?? []).filter((a) => a.target === "comment" && applies(a, c.id));
    return this.#group(specs, c.id, "tw-custom-actions");
  }

  /** The post's action buttons, or null. */
  forPost(): HTMLElement | null {
    if (!this.#host.interactive()) return null;
    const specs = (this.#host.config().actions ?? []).filter((a) => a.target === "post");
    return this.#group(specs, null, "tw-custom-actions tw-post-actions");
  }

  /** Fill the toolbar with the thread actions (after a config, role or read-only change). */
  renderToolbar(): void {
    const specs = this.#host.interactive()
      ? (this.#host.config().actions ?? []).filter((a) => a.target === "thread")
      : [];
    this.toolbar.setAttribute("aria-label", this.#host.fmt().t("custom_actions"));
    this.toolbar.replaceChildren(...specs.map((a) => this.#item(a, null)));
    this.toolbar.hidden = specs.length === 0;
  }

  #group(specs: ActionSpec[], id: string | null, cls: string): HTMLElement | null {
    if (specs.length === 0) return null;
    const group = h("span", {
      class: cls,
      role: "group",
      "data-role": "custom-actions",
      "aria-label": this.#host.fmt().t("custom_actions"),
    });
    for (const a of specs) group.append(this.#item(a, id));
    return group;
  }

  /** One action: its button and, after an answer, the note next to it. */
  #item(a: ActionSpec, id: string | null): HTMLElement {
    const wrap = h("span", { class: "tw-custom" });
    wrap.dataset.key = keyOf(a.name, id);
    const btn = h(
      "button",
      {
        type: "button",
        class: "tw-btn tw-btn-custom",
        "data-action": "custom-action",
        "data-name": a.name,
        "aria-label": a.label,
      },
      a.icon ? h("span", { class: "tw-custom-icon", "aria-hidden": "true" }, a.icon) : null,
      a.label,
    );
    wrap.append(btn);
    this.#paint(wrap);
    return wrap;
  }

  /** Bring one action's button and note up to date with its state (the button is kept: focus stays). */
  #paint(wrap: HTMLElement): void {
    const key = wrap.dataset.key ?? "";
    const btn = wrap.querySelector("button");
    if (btn) {
      const busy = this.#busy.has(key);
      btn.classList.toggle("tw-busy", busy);
      if (busy) {
        btn.setAttribute("aria-busy", "true");
        btn.setAttribute("aria-disabled", "true");
        btn.title = this.#host.fmt().t("action_busy");
      } else {
        btn.removeAttribute("aria-busy");
        btn.removeAttribute("aria-disabled");
        btn.removeAttribute("title");
      }
    }
    wrap.querySelector(".tw-action-note")?.remove();
    const note = this.#notes.get(key);
    if (note) {
      wrap.append(
        h(
          "span",
          {
            class: `tw-action-note${note.error ? " tw-action-error" : ""}`,
            role: note.error ? "alert" : "status",
            "data-role": note.error ? "action-error" : "action-message",
          },
          note.text,
        ),
      );
    }
  }

  /** Repaint every rendered button of one action key (comment cards, post, toolbar). */
  #repaint(key: string): void {
    for (const wrap of Array.from(this.#root.querySelectorAll<HTMLElement>(".tw-custom"))) {
      if (wrap.dataset.key === key) this.#paint(wrap);
    }
  }

  #click(e: MouseEvent): void {
    const btn = (e.target as Element | null)?.closest<HTMLButtonElement>('button[data-action="custom-action"]');
    const wrap = btn?.closest<HTMLElement>(".tw-custom");
    if (!btn || !wrap || !this.#root.contains(btn)) return;
    const name = btn.dataset.name ?? "";
    const spec = (this.#host.config().actions ?? []).find((a) => a.name === name);
    if (!spec || !this.#host.interactive()) return;
    const id =
      spec.target === "comment" ? (btn.closest<HTMLElement>("[data-comment-id]")?.dataset.commentId ?? null) : null;
    if (spec.target === "comment" && id === null) return;
    const key = keyOf(name, id);
    if (this.#busy.has(key)) return; // one click at a time
    this.#clearNote(key);
    const rid = this.#host.store.request({ kind: "action", name, id });
    this.#busy.set(key, rid);
    const timer = setTimeout(
      () => this.#settle(rid, { ok: false, reason: this.#host.fmt().t("no_answer"), message: null }),
      ANSWER_TIMEOUT_MS,
    );
    this.#rids.set(rid, { key, timer });
    this.#repaint(key);
  }

  #onReply(m: ReplyMsg): void {
    if (m.kind === "action_result") this.#settle(m.rid, m);
  }

  #settle(rid: string, m: Pick<ActionResultMsg, "ok" | "reason" | "message">): void {
    const r = this.#rids.get(rid);
    if (!r) return; // another view's click
    this.#rids.delete(rid);
    clearTimeout(r.timer);
    if (this.#busy.get(r.key) === rid) this.#busy.delete(r.key);
    const text = m.ok ? m.message : (m.reason ?? "");
    if (text) {
      const timer = setTimeout(() => this.#clearNote(r.key, true), m.ok ? MESSAGE_MS : ERROR_MS);
      this.#notes.set(r.key, { text, error: !m.ok, timer });
    }
    this.#repaint(r.key);
  }

  #clearNote(key: string, repaint = false): void {
    const n = this.#notes.get(key);
    if (!n) return;
    clearTimeout(n.timer);
    this.#notes.delete(key);
    if (repaint) this.#repaint(key);
  }
}
