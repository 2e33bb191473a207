// @vitest-environment jsdom
// DOMPurify must be tested under jsdom: under happy-dom it returns "" for everything.
import { describe, expect, it } from "vitest";
import { renderMarkdown, safeImageUrl, safeLinkUrl, sanitizeHtml } from "../src/markdown";

function dom(html: string): HTMLElement {
  const div = document.createElement("div");
  div.innerHTML = html;
  return div;
}

function assertInert(html: string): void {
  const d = dom(html);
  for (const el of Array.from(d.querySelectorAll("*"))) {
    for (const a of Array.from(el.attributes)) {
      expect(a.name.startsWith("on"), `${el.tagName} has ${a.name}`).toBe(false);
      expect(a.name).not.toBe("style");
      if (a.name === "href" || a.name === "src") expect(a.value).toMatch(/^(https?:|mailto:|data:image\/)/i);
    }
  }
  expect(d.querySelector("script, iframe, svg, math, form, input, button, textarea, object, embed, style, link, meta")).toBeNull();
}

describe("sanitizer", () => {
  it("is really sanitising (not the empty-string fallback)", () => {
    expect(sanitizeHtml("<b>x</b>")).toBe("<b>x</b>");
  });

  it("strips event handlers from images", () => {
    const out = renderMarkdown("<img src=x onerror=alert(1)>");
    assertInert(out);
    expect(out).not.toContain("onerror");
    expect(out).not.toContain("alert");
  });

  it.each([
    ["script", "<script>alert(1)</script>hello"],
    ["javascript: markdown link", "[click](javascript:alert(1))"],
    ["javascript: html link", '<a href="javascript:alert(1)">x</a>'],
    ["entity-encoded javascript:", '<a href="jav&#x09;ascript:alert(1)">x</a>'],
    ["svg onload", "<svg onload=alert(1)><circle r=5></circle></svg>"],
    ["style attribute", '<p style="position:fixed;top:0">x</p>'],
    ["style element", "<style>.tw-root{display:none}</style>"],
    ["iframe", '<iframe src="https://evil.example"></iframe>'],
    ["form", '<form action="https://evil.example"><input name=a><button>go</button></form>'],
    ["object/embed", '<object data="x.swf"></object><embed src="x.swf">'],
    ["data:text/html link", '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
    ["vbscript link", '<a href="vbscript:msgbox(1)">x</a>'],
    ["meta refresh", '<meta http-equiv="refresh" content="0;url=https://evil.example">'],
    ["img data:text", '<img src="data:text/html;base64,PHNjcmlwdD4=">'],
    ["svg data image", '<img src="data:image/svg+xml;base64,PHN2Zz4=">'],
  ])("neutralises %s", (_name, input) => {
    const out = renderMarkdown(input);
    assertInert(out);
    expect(out.toLowerCase()).not.toContain("javascript:");
    expect(out.toLowerCase()).not.toContain("alert(1)</script");
  });

  it("drops script content entirely", () => {
    const out = renderMarkdown("<script>alert(1)</script>hello");
    expect(out).not.toContain("alert");
    expect(out).toContain("hello");
  });

  it("keeps ordinary Markdown", () => {
    const md = [
      "Some *emphasis*, **strong**, ~~gone~~ and `code`.",
      "",
      "A [link](https://example.com/a?b=1) and <mailto:me@example.com>.",
      "",
      "- one",
      "- two",
      "",
      "1. first",
      "2. second",
      "",
      "> a quote",
      "",
      "```",
      "let x = 1 < 2;",
      "```",
      "",
      "![pic](https://example.com/p.png)",
    ].join("\n");
    const d = dom(renderMarkdown(md));
    expect(d.querySelector("em")?.textContent).toBe("emphasis");
    expect(d.querySelector("strong")?.textContent).toBe("strong");
    expect(d.querySelector("del")?.textContent).toBe("gone");
    expect(d.querySelector("p code")?.textContent).toBe("code");
    const a = d.querySelector('a[href="https://example.com/a?b=1"]');
    expect(a).not.toBeNull();
    expect(a?.getAttribute("rel")).toBe("noopener noreferrer nofollow");
    expect(a?.getAttribute("target")).toBe("_blank");
    expect(d.querySelector('a[href="mailto:me@example.com"]')).not.toBeNull();
    expect(d.querySelectorAll("ul li").length).toBe(2);
    expect(d.querySelectorAll("ol li").length).toBe(2);
    expect(d.querySelector("blockquote")?.textContent?.trim()).toBe("a quote");
    expect(d.querySelector("pre code")?.textContent).toContain("let x = 1 < 2;");
    expect(d.querySelector("img")?.getAttribute("src")).toBe("https://example.com/p.png");
    assertInert(d.innerHTML);
  });

  it("keeps data:image images", () => {
    const d = dom(renderMarkdown("![dot](data:image/png;base64,iVBORw0KGgo=)"));
    expect(d.querySelector("img")?.getAttribute("src")).toBe("data:image/png;base64,iVBORw0KGgo=");
  });

  it("drops relative and other-scheme hrefs", () => {
    const d = dom(renderMarkdown("[a](/relative) [b](ftp://x.example/f)"));
    for (const a of Array.from(d.querySelectorAll("a"))) expect(a.hasAttribute("href")).toBe(false);
  });

  it("checks plain URLs for the post's link and image", () => {
    expect(safeLinkUrl("javascript:alert(1)")).toBeNull();
    expect(safeLinkUrl(" https://a.example ")).toBe("https://a.example");
    expect(safeImageUrl("data:image/png;base64,AA==")).toBe("data:image/png;base64,AA==");
    expect(safeImageUrl("data:text/html,x")).toBeNull();
  });

  it("the plain-text fast path gives what the full pipeline gives", async () => {
    const { Marked } = await import("marked");
    const full = (src: string) => sanitizeHtml(new Marked({ gfm: true, breaks: true }).parse(src) as string).trim();
    for (const src of ["Hello world", "It's \"quoted\" (really); isn't it? Yes!", "Short.", "Numbers 12 and 3.5 here"]) {
      expect(renderMarkdown(src)).toBe(full(src));
    }
    // anything that could be markup takes the full path
    expect(renderMarkdown("Visit www.example.com")).toContain("<a ");
    expect(renderMarkdown("1. item")).toContain("<ol>");
  });
});
