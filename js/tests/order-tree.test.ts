// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
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
