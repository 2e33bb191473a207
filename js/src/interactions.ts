/**
 * The interaction log (docs/studies.md), on only while the `log_interactions` trait is: which
 * comments were on screen and for how long (ONE IntersectionObserver per view over the cards,
 * told of recycled rows by a MutationObserver), expand/collapse, sort and filter changes, "why
 * this order", drafts started/abandoned/sent, focus jumps, likes and votes. Rows are batched to
 * the kernel within a byte budget (a token bucket: the kernel enforces the same). The page says
 * so while it logs. Views are not edited for it: it listens on the view's element, the model and
 * the store (its `submit` is wrapped to see operations from every path: clicks, keys, composers).
 */
import type { Op } from "./protocol";
import type { InteractionRow } from "./generated/protocol";
import type { ThreadStore } from "./state";
import { currentFmt, isSelectingHere, type ThreadModel } from "./model";
import { INTERACTION_BURST_BYTES, INTERACTION_BYTES_PER_SECOND } from "./generated/constants";

type Kind = InteractionRow["k"];
/** A span shorter than this (ms) is scrolling past, not reading. */
export const MIN_SEEN_MS = 300;
/** Rows are sent this often (ms) while the log is on. */
export const FLUSH_MS = 2000;
/** Rows kept waiting at most; older ones are dropped (and counted) beyond. */
export const MAX_QUEUE = 2000;

export interface LogOptions {
  send: (msg: { kind: "interactions"; client: string; rows: InteractionRow[]; dropped: number }) => boolean;
  client: string;
  now?: () => number;
  rate?: number;
  burst?: number;
}

/** The queue and the byte budget of one model (every view of it shares them). */
export class InteractionLog {
  readonly #o: LogOptions;
  readonly #now: () => number;
  #q: InteractionRow[] = [];
  #dropped = 0;
  #level: number;
  #at: number;
  /** bytes sent so far (benchmarks read it) */
  sent = 0;

  constructor(o: LogOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#level = o.burst ?? INTERACTION_BURST_BYTES;
    this.#at = this.#now();
  }

  get queued(): number {
    return this.#q.length;
  }

  record(k: Kind, id?: string | null, v?: string | null, ms?: number): void {
    const row: InteractionRow = { t: this.#now(), k };
    if (id) row.id = id;
    if (v !== undefined && v !== null) row.v = v.slice(0, 200);
    if (ms !== undefined) row.ms = Math.min(Math.round(ms), 86_400_000);
    this.#q.push(row);
    if (this.#q.length > MAX_QUEUE) {
      this.#q.shift();
      this.#dropped++;
    }
  }

  /** Send what the budget allows now (the rest waits for the next flush). */
  flush(): void {
    const rate = this.#o.rate ?? INTERACTION_BYTES_PER_SECOND;
    const burst = this.#o.burst ?? INTERACTION_BURST_BYTES;
    const now = this.#now();
    this.#level = Math.min(burst, this.#level + ((now - this.#at) / 1000) * rate);
    this.#at = now;
    let n = 0;
    let bytes = 0;
    while (n < this.#q.length && n < 400) {
      const size = JSON.stringify(this.#q[n]).length;
      if (bytes + size > this.#level) break;
      bytes += size;
      n++;
    }
    if (n === 0 && this.#dropped === 0) return;
    const rows = this.#q.slice(0, n);
    if (!this.#o.send({ kind: "interactions", client: this.#o.client, rows, dropped: this.#dropped })) return;
    this.#q = this.#q.slice(n);
    this.#dropped = 0;
    this.#level -= bytes;
    this.sent += bytes;
  }

  clear(): void {
    this.#q = [];
    this.#dropped = 0;
  }
}

const logs = new WeakMap<ThreadStore, { log: InteractionLog; on: boolean }>();

/** The log of a store (one per model), its `submit` wrapped once to see every operation. */
export function logOf(store: ThreadStore, send: LogOptions["send"]): { log: InteractionLog; on: boolean } {
  let entry = logs.get(store);
  if (entry) return entry;
  const log = new InteractionLog({ send, client: store.client });
  const e = (entry = { log, on: false });
  logs.set(store, e);
  const submit = store.submit.bind(store);
  store.submit = (op: Op): string => {
    if (e.on) opRow(log, op);
    return submit(op);
  };
  return entry;
}

function opRow(log: InteractionLog, op: Op): void {
  if (op.type === "like" || op.type === "unlike") log.record(op.type, op.id);
  else if (op.type === "vote") log.record("vote", op.id, op.choice ?? "");
  else if (op.type === "add") log.record("draft_send", op.parent_id ?? null);
  else if (op.type === "edit") log.record("draft_send", op.id);
}

const idOf = (el: Element | null | undefined): string | null =>
  el?.closest<HTMLElement>("[data-comment-id]")?.dataset.commentId ?? null;

/**
 * Watch one view's element: cards on screen (spans of at least MIN_SEEN_MS), clicks, sort and
 * search controls, composers, selection. Shows `notice` at the top while it runs. Returns the stop.
 */
export function watchView(
  log: InteractionLog,
  el: HTMLElement,
  notice: string,
  now: () => number = () => performance.now(),
): () => void {
  const note = el.ownerDocument.createElement("p");
  note.className = "tw-logging";
  note.setAttribute("role", "status");
  note.dataset.role = "interaction-notice";
  note.textContent = notice;
  el.prepend(note);
  /** cards on screen: since when, as which comment */
  const shown = new Map<Element, { id: string; since: number }>();
  const close = (card: Element): void => {
    const s = shown.get(card);
    if (!s) return;
    shown.delete(card);
    const ms = now() - s.since;
    if (ms >= MIN_SEEN_MS) log.record("seen", s.id, null, ms);
  };
  const open = (card: Element): void => {
    const id = idOf(card);
    if (id) shown.set(card, { id, since: now() });
  };
  // (no IntersectionObserver: a host too old to tell what is on screen logs the rest)
  const io =
    typeof IntersectionObserver === "undefined"
      ? null
      : new IntersectionObserver(
          (entries) => {
            for (const en of entries) {
              const on = en.isIntersecting && (en.intersectionRatio >= 0.5 || en.intersectionRect.height >= 200);
              if (on && !shown.has(en.target)) open(en.target);
              else if (!on) close(en.target);
            }
          },
          { threshold: [0, 0.5, 1] },
        );
  const observeIn = (n: Node): void => {
    if (!(n instanceof Element) || !io) return;
    if (n.classList.contains("tw-card")) io.observe(n);
    for (const c of Array.from(n.querySelectorAll(".tw-card"))) io.observe(c);
  };
  observeIn(el);
  // rows built, removed or recycled as another comment (windowing): spans end or move
  const mo = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === "childList") r.addedNodes.forEach(observeIn);
    }
    for (const [card, s] of Array.from(shown)) {
      if (!card.isConnected) {
        close(card);
        io?.unobserve(card);
      } else if (idOf(card) !== s.id) {
        close(card);
        open(card);
      }
    }
  });
  mo.observe(el, { childList: true, subtree: true, attributes: true, attributeFilter: ["data-comment-id"] });
  const onHide = (): void => {
    if (el.ownerDocument.visibilityState === "hidden") {
      for (const card of Array.from(shown.keys())) close(card);
      log.flush();
    } else {
      for (const c of Array.from(el.querySelectorAll(".tw-card"))) {
        io?.unobserve(c);
        io?.observe(c);
      }
    }
  };
  el.ownerDocument.addEventListener("visibilitychange", onHide);
  /** drafts being typed, by composer: "<comment id or post>" */
  const drafts = new Set<string>();
  const composerKey = (t: Element): string | null => {
    const c = t.closest(".tw-composer");
    return c ? (idOf(c) ?? "") : null;
  };
  const onInput = (e: Event): void => {
    const t = e.target as Element;
    if (t.matches?.('[data-role="search"]')) {
      if (searchTimer !== null) clearTimeout(searchTimer);
      const v = (t as HTMLInputElement).value;
      searchTimer = setTimeout(() => log.record("filter", null, `search:${v}`), 800);
      return;
    }
    const key = t.tagName === "TEXTAREA" ? composerKey(t) : null;
    if (key !== null && !drafts.has(key)) {
      drafts.add(key);
      log.record("draft_start", key || null);
    }
  };
  let searchTimer: ReturnType<typeof setTimeout> | null = null;
  const abandon = (key: string | null): void => {
    if (key !== null && drafts.delete(key)) log.record("draft_abandon", key || null);
  };
  const onClick = (e: Event): void => {
    const btn = (e.target as Element).closest?.<HTMLElement>("button[data-action]");
    if (!btn || !el.contains(btn)) return;
    const a = btn.dataset.action;
    const id = idOf(btn);
    if (a === "collapse") log.record(btn.getAttribute("aria-expanded") === "false" ? "expand" : "collapse", id);
    else if (a === "more" || a === "continue") log.record("expand", id, a);
    else if (a === "why-order" && btn.getAttribute("aria-pressed") !== "true") log.record("why");
    else if (a === "cancel") abandon(composerKey(btn));
    else if (a === "submit") drafts.delete(composerKey(btn) ?? "\0");
    else if (
      (a === "reply" || a === "edit") &&
      id &&
      btn.closest(".tw-card")?.parentElement?.querySelector(":scope > .tw-slot .tw-composer")
    )
      abandon(id); // the same button closes an open composer
  };
  const onKey = (e: KeyboardEvent): void => {
    const t = e.target as Element;
    const open = t.getAttribute?.("aria-expanded");
    // the tree's keys: ArrowLeft collapses an expanded comment, ArrowRight expands one
    if (t.getAttribute?.("role") === "treeitem" && open) {
      if (e.key === "ArrowLeft" && open === "true") log.record("collapse", idOf(t));
      if (e.key === "ArrowRight" && open === "false") log.record("expand", idOf(t));
      return;
    }
    if (t.tagName !== "TEXTAREA") return;
    if (e.key === "Escape") abandon(composerKey(t));
    else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) drafts.delete(composerKey(t) ?? "\0");
  };
  const onChange = (e: Event): void => {
    const t = e.target as HTMLSelectElement;
    if (t.dataset?.role === "sort") log.record("sort", null, t.value);
    else if (t.dataset?.role === "filter") log.record("filter", null, `show:${t.value}`);
  };
  el.addEventListener("input", onInput, true);
  el.addEventListener("click", onClick, true);
  el.addEventListener("keydown", onKey, true);
  el.addEventListener("change", onChange, true);
  return () => {
    for (const card of Array.from(shown.keys())) close(card);
    for (const key of Array.from(drafts)) abandon(key);
    if (searchTimer !== null) clearTimeout(searchTimer);
    io?.disconnect();
    mo.disconnect();
    el.ownerDocument.removeEventListener("visibilitychange", onHide);
    el.removeEventListener("input", onInput, true);
    el.removeEventListener("click", onClick, true);
    el.removeEventListener("keydown", onKey, true);
    el.removeEventListener("change", onChange, true);
    note.remove();
  };
}

/** Hook for widget.ts: log this view while the model's `log_interactions` is on. Returns the stop. */
export function logInteractions(model: ThreadModel, store: ThreadStore, el: HTMLElement): () => void {
  const entry = logOf(store, (msg) => {
    try {
      model.send(msg);
      return true;
    } catch {
      return false; // a closed comm: kept for the next try
    }
  });
  const { log } = entry;
  let stopView: (() => void) | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const onSelected = (): void => {
    const id = model.get("selected");
    // a jump asked by the kernel (`w.selected = ...`); the page's own clicks are no jump
    if (entry.on && id && !isSelectingHere()) log.record("focus", id, "selected");
  };
  const stopFocus = store.onFocus((id) => {
    if (entry.on) log.record("focus", id, "kernel");
  });
  const flushNow = (): void => log.flush();
  const apply = (): void => {
    const on = model.get("log_interactions") === true;
    if (on && stopView === null) {
      entry.on = true;
      stopView = watchView(log, el, currentFmt(model).t("interaction_log_notice"));
      timer = setInterval(flushNow, FLUSH_MS);
      el.ownerDocument.defaultView?.addEventListener("pagehide", flushNow);
    } else if (!on && stopView !== null) {
      stopView();
      stopView = null;
      if (timer !== null) clearInterval(timer);
      el.ownerDocument.defaultView?.removeEventListener("pagehide", flushNow);
      entry.on = false;
      log.clear(); // the kernel keeps nothing sent while the log is off
    }
  };
  apply();
  model.on("change:log_interactions", apply);
  model.on("change:selected", onSelected);
  return () => {
    model.off("change:log_interactions", apply);
    model.off("change:selected", onSelected);
    stopFocus();
    if (stopView !== null) {
      stopView();
      log.flush();
    }
    stopView = null;
    if (timer !== null) clearInterval(timer);
    el.ownerDocument.defaultView?.removeEventListener("pagehide", flushNow);
  };
}
