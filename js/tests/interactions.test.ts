// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import widget from "../src/widget";
import { InteractionLog, MAX_QUEUE, MIN_SEEN_MS, watchView } from "../src/interactions";
import { INTERACTION_BURST_BYTES, INTERACTION_BYTES_PER_SECOND } from "../src/generated/constants";
import type { InteractionRow } from "../src/generated/protocol";
import { FakeModel, smallSnapshot } from "./fake-model";
import golden from "../../tests/data/protocol/client.interactions.json";

type Batch = { kind: "interactions"; client: string; rows: InteractionRow[]; dropped: number };

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) (cleanups.pop() as () => void)();
  document.body.replaceChildren();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** One IntersectionObserver the test drives: `show(el, on)` reports a card on or off screen. */
class FakeIO {
  static last: FakeIO | null = null;
  static made = 0;
  observed = new Set<Element>();
  constructor(readonly cb: (entries: Partial<IntersectionObserverEntry>[]) => void) {
    FakeIO.last = this;
    FakeIO.made++;
  }
  observe(el: Element): void {
    this.observed.add(el);
  }
  unobserve(el: Element): void {
    this.observed.delete(el);
  }
  disconnect(): void {
    this.observed.clear();
  }
  show(target: Element, on: boolean): void {
    this.cb([
      { target, isIntersecting: on, intersectionRatio: on ? 1 : 0, intersectionRect: { height: 0 } as DOMRectReadOnly },
    ]);
  }
}

describe("InteractionLog batching", () => {
  it("sends the golden fixture's message", () => {
    const sent: Batch[] = [];
    const log = new InteractionLog({ send: (m) => (sent.push(m), true), client: "k3f9", now: () => 1765080000000 });
    log.record("seen", "c1", null, 4200.2);
    log.record("sort", null, "top");
    log.flush();
    expect(sent).toEqual([golden]);
  });

  it("never sends more than the burst plus the rate per second, and sends every row in order", () => {
    let now = 1_000_000;
    const sent: Batch[] = [];
    const log = new InteractionLog({ send: (m) => (sent.push(m), true), client: "v", now: () => now });
    for (let i = 0; i < 1500; i++) log.record("seen", `c${i}`, null, 1000 + i);
    const bytes = () => sent.reduce((n, b) => n + b.rows.reduce((k, r) => k + JSON.stringify(r).length, 0), 0);
    log.flush();
    expect(bytes()).toBeLessThanOrEqual(INTERACTION_BURST_BYTES);
    for (let s = 1; s <= 60; s++) {
      now += 1000;
      log.flush();
      expect(bytes()).toBeLessThanOrEqual(INTERACTION_BURST_BYTES + s * INTERACTION_BYTES_PER_SECOND);
    }
    for (const b of sent) expect(b.rows.length).toBeLessThanOrEqual(400);
    const ids = sent.flatMap((b) => b.rows.map((r) => r.id));
    expect(ids.length).toBeGreaterThan(100);
    expect(ids).toEqual(ids.map((_, i) => `c${i}`)); // in order, none twice
    // the budget, not the queue, held the rest back: after enough time all arrive
    for (let s = 0; s < 120 && log.queued; s++) {
      now += 1000;
      log.flush();
    }
    expect(log.queued).toBe(0);
    expect(sent.flatMap((b) => b.rows).length).toBe(1500);
  });

  it("drops the oldest rows beyond the queue and says how many", () => {
    const sent: Batch[] = [];
    const log = new InteractionLog({ send: (m) => (sent.push(m), true), client: "v", now: () => 0 });
    for (let i = 0; i < MAX_QUEUE + 7; i++) log.record("expand", `c${i}`);
    log.flush();
    expect(sent[0].dropped).toBe(7);
    expect(sent[0].rows[0].id).toBe("c7");
  });

  it("keeps rows a closed comm did not take", () => {
    let ok = false;
    const sent: Batch[] = [];
    const log = new InteractionLog({ send: (m) => (ok ? (sent.push(m), true) : false), client: "v", now: () => 0 });
    log.record("why");
    log.flush();
    expect(log.queued).toBe(1);
    ok = true;
    log.flush();
    expect(sent[0].rows).toEqual([{ t: 0, k: "why" }]);
  });
});

describe("watchView", () => {
  it("times cards on screen with one observer and follows a recycled row to its new comment", () => {
    vi.stubGlobal("IntersectionObserver", FakeIO);
    FakeIO.made = 0;
    const el = document.createElement("div");
    el.innerHTML = `<ul><li data-comment-id="a"><div class="tw-card">A</div></li><li data-comment-id="b"><div class="tw-card">B</div></li></ul>`;
    document.body.append(el);
    let now = 0;
    const sent: Batch[] = [];
    const log = new InteractionLog({ send: (m) => (sent.push(m), true), client: "v", now: () => 1 });
    const stop = watchView(log, el, "logging", () => now);
    expect(FakeIO.made).toBe(1);
    const io = FakeIO.last as FakeIO;
    expect(io.observed.size).toBe(2);
    expect(el.querySelector('[data-role="interaction-notice"]')?.textContent).toBe("logging");
    const [cardA, cardB] = Array.from(el.querySelectorAll(".tw-card"));
    io.show(cardA, true);
    io.show(cardB, true);
    now = 100;
    io.show(cardB, false); // scrolled past: too short to count
    now = 1500;
    io.show(cardA, false);
    // the row of A is recycled for comment "c" while on screen (windowing)
    io.show(cardA, true);
    now = 2000;
    (cardA.parentElement as HTMLElement).dataset.commentId = "c";
    return Promise.resolve().then(() => {
      now = 3000;
      stop();
      log.flush();
      const rows = sent.flatMap((b) => b.rows);
      expect(rows.map((r) => [r.id, r.ms])).toEqual([
        ["a", 1500],
        ["a", 500],
        ["c", 1000],
      ]);
      expect(rows.every((r) => (r.ms ?? 0) >= MIN_SEEN_MS)).toBe(true);
      expect(el.querySelector('[data-role="interaction-notice"]')).toBeNull();
    });
  });
});

describe("the widget with log_interactions", () => {
  function mount(on: boolean) {
    vi.stubGlobal("IntersectionObserver", FakeIO);
    vi.useFakeTimers();
    const model = new FakeModel({ _snapshot: smallSnapshot(), log_interactions: on });
    cleanups.push(widget.initialize({ model }));
    const el = document.createElement("div");
    document.body.append(el);
    cleanups.push(widget.render({ model, el }));
    return { model, el };
  }
  const batches = (m: FakeModel) => m.sent.filter((s) => (s.kind as string) === "interactions") as unknown as Batch[];
  const click = (el: Element | null) => el?.dispatchEvent(new MouseEvent("click", { bubbles: true }));

  it("is off by default: no notice, nothing sent", () => {
    const { model, el } = mount(false);
    click(el.querySelector('[data-comment-id="c1"] button[data-action="collapse"]'));
    vi.advanceTimersByTime(10_000);
    expect(el.querySelector('[data-role="interaction-notice"]')).toBeNull();
    expect(batches(model)).toEqual([]);
  });

  it("says so, and sends what the reader did in batches", () => {
    const { model, el } = mount(true);
    expect(el.querySelector('[data-role="interaction-notice"]')?.textContent).toMatch(/study/);
    click(el.querySelector('[data-comment-id="c1"] > .tw-card button[data-action="collapse"]'));
    click(el.querySelector('[data-comment-id="c1"] > .tw-card button[data-action="collapse"]'));
    click(el.querySelector('[data-comment-id="c4"] > .tw-card button[data-action="like"]'));
    click(el.querySelector('[data-comment-id="c4"] > .tw-card button[data-action="reply"]'));
    const ta = el.querySelector<HTMLTextAreaElement>('[data-comment-id="c4"] .tw-composer textarea');
    expect(ta).not.toBeNull();
    (ta as HTMLTextAreaElement).value = "hm";
    ta?.dispatchEvent(new Event("input", { bubbles: true }));
    click(el.querySelector('[data-comment-id="c4"] .tw-composer button[data-action="cancel"]'));
    click(el.querySelector('[data-comment-id="c4"] > .tw-card button[data-action="reply"]'));
    const ta2 = el.querySelector<HTMLTextAreaElement>(
      '[data-comment-id="c4"] .tw-composer textarea',
    ) as HTMLTextAreaElement;
    ta2.value = "yes";
    ta2.dispatchEvent(new Event("input", { bubbles: true }));
    click(el.querySelector('[data-comment-id="c4"] .tw-composer button[data-action="submit"]'));
    const sort = el.querySelector<HTMLSelectElement>('select[data-role="sort"]') as HTMLSelectElement;
    sort.value = "top";
    sort.dispatchEvent(new Event("change", { bubbles: true }));
    model.kernelSet("selected", "c3"); // w.selected from Python: a jump
    expect(batches(model)).toEqual([]);
    vi.advanceTimersByTime(2000);
    const rows = batches(model).flatMap((b) => b.rows);
    expect(rows.map((r) => [r.k, r.id ?? null, r.v ?? null])).toEqual([
      ["collapse", "c1", null],
      ["expand", "c1", null],
      ["like", "c4", null],
      ["draft_start", "c4", null],
      ["draft_abandon", "c4", null],
      ["draft_start", "c4", null],
      ["draft_send", "c4", null],
      ["sort", null, "top"],
      ["focus", "c3", "selected"],
    ]);
    // turned off: the notice goes, nothing more is sent
    model.kernelSet("log_interactions", false);
    expect(el.querySelector('[data-role="interaction-notice"]')).toBeNull();
    click(el.querySelector('[data-comment-id="c1"] > .tw-card button[data-action="collapse"]'));
    vi.advanceTimersByTime(10_000);
    expect(batches(model).flatMap((b) => b.rows).length).toBe(9);
  });
});
