// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import type { OutgoingMsg } from "../src/protocol";
import { htmlText } from "../src/render/search";
import { ThreadStore } from "../src/state";
import { at, comment } from "./fake-model";
import { cleanup, ids, mount, q, snap, type as typeInto } from "./helpers";

afterEach(cleanup);

/** A long thread (above the slim threshold): every third comment by Ann. */
function long(n = 2500) {
  return Array.from({ length: n }, (_, i) =>
    comment(`c${i}`, null, {
      author: i % 3 === 0 ? "Ann" : "Bob",
      created_at: at(i),
      body: `**word${i}** & more`,
      html: `<p><strong>word${i}</strong> &amp; more</p>`,
    }),
  );
}

describe("page heap: a long thread keeps only what the page needs (issue 16)", () => {
  it("keeps the Markdown source of the user's own comments only, the html of all", () => {
    const sent: OutgoingMsg[] = [];
    const store = new ThreadStore({ send: (m) => sent.push(m), user: "Ann", staleAfterMs: 0 });
    store.load(snap(long(), "slim"));
    expect(store.display("c0")?.body).toBe("**word0** & more"); // Ann's: editable
    expect(store.display("c1")?.body).toBe(""); // Bob's: shown from html only
    expect(store.display("c1")?.html).toBe("<p><strong>word1</strong> &amp; more</p>");
    // empty lists and records are shared, not one per comment
    expect(store.display("c1")?.liked_by).toBe(store.display("c2")?.liked_by);
    expect(store.display("c1")?.flags).toBe(store.display("c2")?.flags);
    // another user: their comments' sources are fetched again (a sync naming no epoch)
    store.user = "Bob";
    expect(sent.at(-1)).toMatchObject({ kind: "sync", epoch: "" });
  });

  it("a short thread keeps every source", () => {
    const store = new ThreadStore({ send: () => {}, user: "Ann", staleAfterMs: 0 });
    store.load(snap(long(50), "short"));
    expect(store.display("c1")?.body).toBe("**word1** & more");
  });

  it("search finds the text as shown (tags out, entities decoded)", async () => {
    expect(htmlText("<p><strong>cul</strong>ture &amp; <em>a&#39;b</em></p><p>next</p>")).toBe(" culture & a'b  next ");
    const { el } = mount({ _snapshot: snap(long(), "slim-search"), user: "Ann" });
    const box = q<HTMLInputElement>(el, 'input[data-role="search"]');
    typeInto(box as unknown as HTMLTextAreaElement, "word1 & more");
    await new Promise((r) => setTimeout(r, 400));
    // "word1 & more" is in Bob's c1 only as html ("<strong>word1</strong> &amp; more")
    expect(ids(el, '[data-role="tree"] [data-comment-id]')).toContain("c1");
    expect(q(el, '[data-role="search-count"]').textContent).toMatch(/match/);
  });
});
