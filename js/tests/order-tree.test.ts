// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import widget from "../src/widget";
import { storeOf } from "../src/model";
import { at, comment } from "./fake-model";
import { cleanup, idle, ids, mount, q, snap } from "./helpers";

afterEach(cleanup);

describe("a long top level re-sorted in slices (issue 16: no long task while sorting)", () => {
  it("keeps the tree shown until the new first screen is known, then draws the new order", async () => {
    const n = 30_000;
    const likes = (id: string | undefined) => (Number((id ?? "").slice(1)) * 7919) % 1000;
    const comments = Array.from({ length: n }, (_, i) =>
      comment(`t${i}`, null, { created_at: at(i), likes: likes(`t${i}`) }),
    );
    const { el, model } = mount({ _snapshot: snap(comments, "big") });
    const root = q(el, ".tw-root");
    const top = () => ids(el, '[data-role="tree"] > [data-comment-id]');
    await idle(el);
    expect(top()[0]).toBe("t0");
    model.set("sort", "top");
    // ordering 30,000 threads is not done in the task that asked: the shown tree stays meanwhile
    expect(root.dataset.state).toBe("building");
    expect(top()[0]).toBe("t0");
    expect(q<HTMLSelectElement>(el, 'select[data-role="sort"]').value).toBe("top");
    await idle(el);
    const drawn = top();
    expect(likes(drawn[0])).toBe(999);
    for (let i = 1; i < drawn.length; i++) expect(likes(drawn[i - 1])).toBeGreaterThanOrEqual(likes(drawn[i]));
    expect(q(el, '[data-role="tree"] > [data-comment-id]').getAttribute("aria-setsize")).toBe(String(n));
  }, 60_000);

  it("back to the shown sort before the new one is ready: nothing changes", async () => {
    const comments = Array.from({ length: 30_000 }, (_, i) =>
      comment(`t${i}`, null, { created_at: at(i), likes: i % 13 }),
    );
    const { el, model } = mount({ _snapshot: snap(comments, "big2") });
    await idle(el);
    model.set("sort", "top");
    model.set("sort", "oldest");
    await idle(el);
    expect(ids(el, '[data-role="tree"] > [data-comment-id]')[0]).toBe("t0");
    expect(q<HTMLSelectElement>(el, 'select[data-role="sort"]').value).toBe("oldest");
  }, 60_000);
});

describe("a second view of a long thread (issue 26: shown again is drawn at once)", () => {
  const base = { actor: "Ann", at: at(500) };

  it("draws the order the first view computed at once, and orders again after a change", async () => {
    const n = 30_000;
    const likes = (i: number) => (i * 7919) % 1000;
    const comments = Array.from({ length: n }, (_, i) =>
      comment(`t${i}`, null, { created_at: at(i), likes: likes(i) }),
    );
    const { el, model } = mount({ _snapshot: snap(comments, "again"), sort: "top" });
    await idle(el);
    const top = (root: HTMLElement) => ids(root, '[data-role="tree"] > [data-comment-id]');
    const first = top(el);
    expect(first.length).toBeGreaterThan(0);
    // a second view of the same model: its first screen is drawn in render(), in the same order
    const again = document.createElement("div");
    document.body.append(again);
    const stop = widget.render({ model, el: again });
    expect(q(again, ".tw-root").dataset.state).not.toBe("building");
    expect(top(again).slice(0, 5)).toEqual(first.slice(0, 5));
    // the sort counted every thread's size once, for every view (no view counts them all at once)
    const store = storeOf(model as never);
    expect(store?.threadSizes("tree").size).toBe(n);
    // a change since: the next view orders the thread again, and the new comment is in it
    model.deliver({
      kind: "event",
      epoch: "again",
      seq: 1,
      rid: null,
      event: { type: "add", comment: comment("best", null, { created_at: at(n), likes: 5000 }), ...base },
    });
    const third = document.createElement("div");
    document.body.append(third);
    const stop3 = widget.render({ model, el: third });
    await idle(third);
    expect(top(third)[0]).toBe("best");
    stop();
    stop3();
    again.remove();
    third.remove();
  }, 60_000);
});
