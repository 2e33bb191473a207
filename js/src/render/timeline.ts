/**
 * Chronological replay for one view: a "Replay" toggle for the toolbar and a timeline bar
 * (slider over the moments the thread changed, step buttons, play/pause, "Back to live").
 *
 * The kernel folds the event log (`timeline` / `replay` requests, answered with `timeline` and
 * `replay_state` parts); each answer becomes a read-only ThreadStore that the view draws instead
 * of the live one. The live store keeps receiving events meanwhile, and other views of the same
 * widget are not affected: requests and answers are matched by this view's rids.
 */
import type { Comment, Post, ReplyMsg, ReplayStateMsg } from "../protocol";
import { ThreadStore } from "../state";
import type { Fmt } from "../strings";
import { absoluteTime, button, h } from "./dom";

/** Play advances one moment this often (ms). */
export const PLAY_STEP_MS = 700;
/** A timeline or replay request unanswered this long (ms) is sent again. */
export const REQUEST_RETRY_MS = 10_000;
const SLIDER_KEYS = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"]);

export interface ReplayHost {
  /** the view's live store: requests go out through it and answers come back through it */
  live: ThreadStore;
  fmt(): Fmt;
  /** draw `store` read-only instead of the live thread; null: the live thread again */
  show(store: ThreadStore | null): void;
}

interface Parts {
  rid: string;
  index: number;
  at: string;
  count: number;
  post: Post | null;
  chunks: (Comment[] | undefined)[];
  received: number;
}

export class Replay {
  readonly toggle: HTMLButtonElement;
  readonly bar: HTMLElement;
  #host: ReplayHost;
  #banner: HTMLElement;
  #slider: HTMLInputElement;
  #prev: HTMLButtonElement;
  #next: HTMLButtonElement;
  #play: HTMLButtonElement;
  #time: HTMLTimeElement;
  #pos: HTMLElement;
  #live: HTMLButtonElement;
  #moments: string[] = [];
  /** the moment shown (-1: none yet) and the one asked for */
  #shown = -1;
  #want = -1;
  #active = false;
  #timelineRid: string | null = null;
  #replayRid: string | null = null;
  #parts: Parts | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #unsub: () => void;

  constructor(host: ReplayHost) {
    this.#host = host;
    this.toggle = button("replay", "", "", { "aria-pressed": "false", "data-role": "replay-toggle" });
    this.toggle.addEventListener("click", () => (this.#active ? this.exit() : this.enter()));
    this.#banner = h("p", { class: "tw-replay-banner", "data-role": "replay-banner", role: "status" });
    this.#slider = h("input", {
      type: "range",
      class: "tw-replay-slider",
      "data-role": "replay-slider",
      min: 0,
      max: 0,
      step: 1,
      value: 0,
    });
    this.#slider.addEventListener("input", () => {
      this.#stop();
      this.go(Number(this.#slider.value));
    });
    // The slider's own keys: JupyterLab's command-mode shortcuts (ArrowLeft / ArrowRight walk the
    // headings) would otherwise take them, since a range input does not count as text entry.
    this.#slider.addEventListener("keydown", (e) => {
      if (SLIDER_KEYS.has(e.key)) e.stopPropagation();
    });
    this.#prev = button("replay-prev", "", "◀");
    this.#prev.addEventListener("click", () => this.step(-1));
    this.#next = button("replay-next", "", "▶");
    this.#next.addEventListener("click", () => this.step(1));
    this.#play = button("replay-play", "", "", { "aria-pressed": "false" });
    this.#play.addEventListener("click", () => (this.playing ? this.#stop() : this.play()));
    this.#time = h("time", { class: "tw-replay-time", "data-role": "replay-time" });
    this.#pos = h("span", { class: "tw-replay-pos", "data-role": "replay-pos" });
    this.#live = button("replay-live", "", "", { class: "tw-btn tw-btn-replay-live" });
    this.#live.addEventListener("click", () => {
      this.exit();
      this.toggle.focus();
    });
    this.bar = h(
      "div",
      { class: "tw-replay", "data-role": "replay-bar", role: "region", hidden: true },
      this.#banner,
      h(
        "div",
        { class: "tw-replay-controls" },
        this.#prev,
        this.#play,
        this.#next,
        this.#slider,
        h("span", { class: "tw-replay-where" }, this.#time, this.#pos),
        this.#live,
      ),
    );
    const unReply = host.live.onReply((msg) => this.#onReply(msg));
    // the live thread was replaced or reloaded: its timeline is another one, ask again
    const unChange = host.live.subscribe((c) => {
      if (c.reset && this.#active) this.enter();
    });
    this.#unsub = () => {
      unReply();
      unChange();
    };
    this.relabel();
  }

  get active(): boolean {
    return this.#active;
  }

  get playing(): boolean {
    return this.#timer !== null;
  }

  /** The shown moment (0-based; -1 before the first answer) and how many there are. */
  get position(): { index: number; count: number } {
    return { index: this.#shown, count: this.#moments.length };
  }

  /** Turn replay on: ask for the timeline (again: new events add moments), then show its last moment. */
  enter(): void {
    this.#stop();
    this.#active = true;
    this.#moments = [];
    this.#shown = this.#want = -1;
    this.#parts = null;
    this.#replayRid = null;
    this.toggle.setAttribute("aria-pressed", "true");
    this.bar.hidden = false;
    this.#timelineRid = this.#host.live.request({ kind: "timeline" });
    this.#arm();
    this.#update();
  }

  /**
   * A request whose answer does not come (a lost message, an interrupted kernel) is asked again
   * after REQUEST_RETRY_MS without an answer; every part of an answer waits again.
   */
  #arm(): void {
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    if (!this.#active || (this.#timelineRid === null && this.#replayRid === null)) return;
    this.#retry = setTimeout(() => {
      this.#retry = null;
      if (!this.#active) return;
      if (this.#timelineRid !== null) {
        this.#timelineRid = this.#host.live.request({ kind: "timeline" });
        this.#arm();
      } else if (this.#replayRid !== null) {
        this.#ask();
      }
    }, REQUEST_RETRY_MS);
  }

  /** Back to live: the view draws the live store again (with everything that arrived meanwhile). */
  exit(): void {
    if (!this.#active) return;
    this.#stop();
    this.#active = false;
    this.#timelineRid = this.#replayRid = null;
    this.#arm();
    this.#parts = null;
    this.toggle.setAttribute("aria-pressed", "false");
    this.bar.hidden = true;
    this.#host.show(null);
  }

  /** Show moment `index` (clamped); asks the kernel unless an answer is on its way already. */
  go(index: number): void {
    const n = this.#moments.length;
    if (!this.#active || n === 0 || Number.isNaN(index)) return;
    this.#want = Math.max(0, Math.min(n - 1, Math.round(index)));
    if (this.#replayRid === null && this.#want !== this.#shown) this.#ask();
    this.#update();
  }

  step(delta: number): void {
    this.#stop();
    this.go((this.#want < 0 ? this.#moments.length - 1 : this.#want) + delta);
  }

  /** Advance one moment every PLAY_STEP_MS until the last one (from the start if at the end). */
  play(): void {
    const n = this.#moments.length;
    if (!this.#active || n < 2 || this.playing) return;
    if (this.#want >= n - 1) this.go(0);
    this.#timer = setInterval(() => {
      if (this.#want >= this.#moments.length - 1) this.#stop();
      else this.go(this.#want + 1);
    }, PLAY_STEP_MS);
    this.#update();
  }

  #stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
    this.#update();
  }

  dispose(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = null;
    this.#unsub();
  }

  /** `w.strings` / `w.locale` changed. */
  relabel(): void {
    const f = this.#host.fmt();
    this.toggle.textContent = f.t("replay");
    this.toggle.setAttribute("aria-label", f.t("replay_label"));
    this.bar.setAttribute("aria-label", f.t("replay_bar"));
    this.#slider.setAttribute("aria-label", f.t("replay_slider"));
    this.#prev.setAttribute("aria-label", f.t("replay_prev"));
    this.#next.setAttribute("aria-label", f.t("replay_next"));
    this.#live.textContent = f.t("replay_live");
    this.#live.setAttribute("aria-label", f.t("replay_live"));
    this.#update();
  }

  #ask(): void {
    this.#parts = null;
    this.#replayRid = this.#host.live.request({ kind: "replay", index: this.#want });
    this.#arm();
  }

  #onReply(msg: ReplyMsg): void {
    if (!this.#active) return;
    if (msg.kind === "timeline" && msg.rid === this.#timelineRid) {
      this.#timelineRid = null;
      this.#arm();
      this.#moments = msg.moments.filter((m) => typeof m === "string");
      this.#slider.max = String(Math.max(0, this.#moments.length - 1));
      this.go(this.#moments.length - 1);
      this.#update();
    } else if (msg.kind === "replay_state" && msg.rid === this.#replayRid) {
      this.#onPart(msg);
    }
  }

  #onPart(msg: ReplayStateMsg): void {
    this.#arm();
    let p = this.#parts;
    if (!p)
      p = this.#parts = {
        rid: msg.rid,
        index: msg.index,
        at: msg.at,
        count: msg.count,
        post: null,
        chunks: [],
        received: 0,
      };
    if (msg.post) p.post = msg.post;
    if (p.chunks[msg.part] === undefined) {
      p.chunks[msg.part] = msg.comments ?? [];
      p.received++;
    }
    if (p.received < Math.max(1, msg.parts) || !p.post) return;
    this.#parts = null;
    this.#replayRid = null;
    this.#arm();
    const live = this.#host.live;
    // "hot" ranks as they were at that moment: the replay store's clock stands still there
    const then = Date.parse(p.at);
    const now = (): Date => new Date(Number.isNaN(then) ? Date.now() : then);
    const store = new ThreadStore({
      send: () => undefined,
      user: live.user,
      client: `${live.client}-replay`,
      staleAfterMs: 0,
      now,
    });
    store.role = live.role;
    store.ranker.kind = live.ranker.kind;
    store.load({
      epoch: `replay-${p.index}`,
      seq: 0,
      complete: true,
      post: p.post,
      comments: p.chunks.flatMap((c) => c ?? []),
    });
    this.#shown = p.index;
    if (this.#want < 0) this.#want = p.index;
    this.#host.show(store);
    if (this.#want !== this.#shown) this.#ask(); // the slider moved on meanwhile
    this.#update();
  }

  /** Slider, labels and button states from the current position. */
  #update(): void {
    const f = this.#host.fmt();
    const n = this.#moments.length;
    const want = this.#want;
    const iso = want >= 0 ? (this.#moments[want] ?? "") : "";
    const ts = Date.parse(iso);
    const when = Number.isNaN(ts) ? iso : absoluteTime(ts, f);
    const shownIso = this.#moments[this.#shown] ?? "";
    const shownTs = Date.parse(shownIso);
    const waiting = this.#timelineRid !== null;
    this.#banner.textContent = waiting
      ? f.t("replay_loading")
      : n === 0
        ? f.t("replay_empty")
        : f.t("replay_banner", { time: Number.isNaN(shownTs) ? when : absoluteTime(shownTs, f) });
    if (want >= 0) this.#slider.value = String(want);
    this.#slider.disabled = n < 2;
    this.#time.dateTime = iso;
    this.#time.textContent = when;
    this.#pos.textContent = n ? f.t("replay_position", { k: want + 1, n }) : "";
    this.#slider.setAttribute("aria-valuetext", n ? `${when}, ${this.#pos.textContent}` : "");
    // aria-disabled, not disabled: a button pressed to the end keeps the keyboard focus
    this.#prev.setAttribute("aria-disabled", String(n === 0 || want <= 0));
    this.#next.setAttribute("aria-disabled", String(n === 0 || want >= n - 1));
    const playing = this.playing;
    this.#play.setAttribute("aria-disabled", String(n < 2));
    this.#play.textContent = playing ? `❚❚ ${f.t("replay_pause")}` : `▶ ${f.t("replay_play")}`;
    this.#play.setAttribute("aria-label", playing ? f.t("replay_pause") : f.t("replay_play"));
    this.#play.setAttribute("aria-pressed", playing ? "true" : "false");
  }
}
