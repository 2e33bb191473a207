// @vitest-environment jsdom
// A 10,000-level reply chain whose comments are deleted except the leaf (issue #22, item 6):
// every walk over the chain is iterative, so the view renders instead of overflowing the stack.
import { afterEach, describe, expect, it } from "vitest";
import type { Comment } from "../src/protocol";
import { at, comment } from "./fake-model";
import { cleanup, idle, item, mount, q, snap } from "./helpers";

afterEach(cleanup);

const DEPTH = 10_000;

/** d1 > d2 > … > d{n}, every one deleted but the leaf. */
function deletedChain(n: number): Comment[] {
  const out = [comment("d1", null, { created_at: at(0), status: "deleted", body: "" })];
  for (let i = 2; i <= n; i++) {
    const leaf = i === n;
    out.push(
      comment(`d${i}`, `d${i - 1}`, {
        created_at: at(i),
        status: leaf ? "visible" : "deleted",
        body: leaf ? "the leaf" : "",
      }),
    );
  }
  return out;
}

describe("a very deep chain", () => {
  it(`renders ${DEPTH} levels of deleted ancestors above one visible leaf`, async () => {
    const { el } = mount({ _snapshot: snap(deletedChain(DEPTH)) });
    await idle(el);
    expect(item(el, "d1")).not.toBeNull(); // shown as a placeholder: a reply below is shown
    expect(q(el, '[data-role="count"]').textContent).toBe("1 comment");
    expect(el.querySelector('button[data-action="continue"]')).not.toBeNull();
  }, 60_000); // building 10,000 nodes' data in jsdom takes seconds (linear); the walk is not the cost

  it("shows nothing when the leaf is deleted too", async () => {
    const chain = deletedChain(DEPTH).map((c) => ({ ...c, status: "deleted" as const, body: "" }));
    const { el } = mount({ _snapshot: snap(chain) });
    await idle(el);
    expect(item(el, "d1")).toBeNull();
  }, 60_000);
});
