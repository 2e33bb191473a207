// @vitest-environment jsdom
// DOMPurify must be tested under jsdom: under happy-dom it returns "" for everything.
import { describe, expect, it } from "vitest";
import { cleanHtml, safeImageUrl, safeLinkUrl, sanitizeHtml, setBody } from "../src/markdown";

// The kernel renders Markdown (tests/test_rendering.py); this pass must hold whatever HTML
// arrives, so the cases below feed hostile HTML straight in.
const renderMarkdown = cleanHtml;

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
  expect(
    d.querySelector("script, iframe, svg, math, form, input, button, textarea, object, embed, style, link, meta"),
  ).toBeNull();
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
    ["javascript: link with entities", '<a href="&#106;avascript:alert(1)">click</a>'],
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

  it("keeps the kernel's ordinary Markdown HTML", () => {
    // markdown_html() of the Markdown sample in tests/test_rendering.py
    const md =
      '<p>Some <em>emphasis</em>, <strong>strong</strong>, <s>gone</s> and <code>code</code>.</p>\n<p>A <a href="https://example.com/a?b=1">link</a> and <a href="mailto:me@example.com">mailto:me@example.com</a>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>\n<blockquote>\n<p>a quote</p>\n</blockquote>\n<pre><code>let x = 1 &lt; 2;\n</code></pre>\n<p><img src="https://example.com/p.png" alt="pic" /></p>\n';
    const d = dom(renderMarkdown(md));
    expect(d.querySelector("em")?.textContent).toBe("emphasis");
    expect(d.querySelector("strong")?.textContent).toBe("strong");
    expect(d.querySelector("s")?.textContent).toBe("gone");
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
    const d = dom(renderMarkdown('<p><img src="data:image/png;base64,iVBORw0KGgo=" alt="dot" /></p>'));
    expect(d.querySelector("img")?.getAttribute("src")).toBe("data:image/png;base64,iVBORw0KGgo=");
  });

  it("drops relative and other-scheme hrefs", () => {
    const d = dom(renderMarkdown('<p><a href="/relative">a</a> <a href="ftp://x.example/f">b</a></p>'));
    for (const a of Array.from(d.querySelectorAll("a"))) expect(a.hasAttribute("href")).toBe(false);
  });

  it("checks plain URLs for the post's link and image", () => {
    expect(safeLinkUrl("javascript:alert(1)")).toBeNull();
    expect(safeLinkUrl(" https://a.example ")).toBe("https://a.example");
    expect(safeImageUrl("data:image/png;base64,AA==")).toBe("data:image/png;base64,AA==");
    expect(safeImageUrl("data:text/html,x")).toBeNull();
  });

  it("the plain-paragraph fast path gives what the sanitiser gives", () => {
    for (const html of ["<p>Hello world</p>", "<p>It's &quot;quoted&quot; (really); isn't it?</p>"]) {
      expect(dom(cleanHtml(html)).innerHTML).toBe(dom(sanitizeHtml(html)).innerHTML);
    }
    // anything with markup takes the sanitiser
    expect(cleanHtml('<p onclick="x()">a</p>')).not.toContain("onclick");
    expect(cleanHtml("<p>a &lt;b&gt;</p>")).toBe(sanitizeHtml("<p>a &lt;b&gt;</p>"));
  });

  it("shows a body the kernel has not rendered yet as plain text, never as HTML", () => {
    const el = document.createElement("div");
    setBody(el, undefined, "**bold** <img src=x onerror=alert(1)>\n\nsecond");
    expect(el.querySelectorAll("p").length).toBe(2);
    expect(el.querySelector("img")).toBeNull();
    expect(el.textContent).toContain("**bold** <img src=x onerror=alert(1)>");
    setBody(el, "<p><strong>bold</strong></p>", "**bold**");
    expect(el.querySelector("strong")?.textContent).toBe("bold");
  });
});
