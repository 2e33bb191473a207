"""A corpus of well-known XSS payloads, each wired to report itself if it ever runs.

Every payload calls ``__twx(N)`` (or sets ``__tw_xss``) when it executes; the browser test defines
``window.__twx`` to record N, listens for dialogs, and asserts nothing was recorded. Sources: the
OWASP XSS filter evasion cheat sheet, PortSwigger's XSS cheat sheet and published DOMPurify
mutation-XSS bypasses, rewritten to call the probe instead of alert().
"""

from __future__ import annotations

import base64
from urllib.parse import quote


def _templates() -> list[str]:
    """Payload templates; ``{js}`` is replaced by the probe call for that payload."""
    events = [
        "onerror",
        "onload",
        "onmouseover",
        "onfocus",
        "onclick",
        "onanimationstart",
        "ontoggle",
        "onpointerenter",
        "onbegin",
        "onpageshow",
        "onscroll",
        "onwheel",
    ]
    tags = [
        "img src=x",
        "svg",
        "body",
        "iframe",
        "details open",
        "video src=x",
        "audio src=x",
        "input autofocus",
        "select autofocus",
        "textarea autofocus",
        "marquee",
        "object data=x",
    ]
    out = [f"<{tag} {event}={{js}}>" for tag, event in zip(tags, events, strict=True)]
    out += [
        f'<{tag} {event}="{{js}}">'
        for tag in ("img src=x", "svg", "video src=1")
        for event in ("onerror", "onload")
    ]
    out += [
        # script tags
        "<script>{js}</script>",
        "<SCRIPT>{js}</SCRIPT>",
        "<script src=data:text/javascript,{js}></script>",
        "<scr<script>ipt>{js}</scr</script>ipt>",
        "<script/x>{js}</script>",
        "<<script>{js}//<</script>",
        "<script>/*</script><script>*/{js}</script>",
        '<script type="module">{js}</script>',
        "</textarea><script>{js}</script>",
        "</title><script>{js}</script>",
        "</style><script>{js}</script>",
        '"><script>{js}</script>',
        "'><script>{js}</script>",
        "<script\x20type=text/javascript>{js}</script>",
        '<noscript><p title="</noscript><img src=x onerror={js}>">',
        # event handler variants
        '<img src=x onerror="{js}"/>',
        "<IMG SRC=x OnErRoR={js}>",
        "<img src=x:x onerror={js}//",
        "<img/src='x'/onerror={js}>",
        "<img src=`x`onerror={js}>",
        "<img src=x onerror&#x3d;{js}>",
        '<img """><script>{js}</script>">',
        "<svg/onload={js}>",
        "<svg><script>{js}</script></svg>",
        "<svg><animate onbegin={js} attributeName=x dur=1s>",
        "<svg><set attributeName=onmouseover to={js}>",
        '<svg><a xlink:href="javascript:{js}"><text x=20 y=20>XSS</text></a></svg>',
        "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'>"
        "<image href='1' onerror='{js}'/></svg>#x\"/></svg>",
        '<svg><foreignObject><iframe srcdoc="<script>parent.{js}</script>"></iframe>'
        "</foreignObject></svg>",
        "<svg><style><img src=x onerror={js}></style></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror={js}>",
        '<math><mi xlink:href="javascript:{js}">click</mi></math>',
        '<math href="javascript:{js}">X</math>',
        '<form><math><mtext></form><form><mglyph><svg><mtext><style><path id="</style>'
        '<img onerror={js} src>">',
        '<svg></p><style><a id="</style><img src=1 onerror={js}>">',
        "<svg><p><style><img src=x onerror={js}></style></p></svg>",
        '<noembed><img title="</noembed><img src=x onerror={js}>"></noembed>',
        '<noframes><img title="</noframes><img src=x onerror={js}>"></noframes>',
        '<iframe srcdoc="<img src=x onerror=parent.{js}>"></iframe>',
        '<iframe src="javascript:parent.{js}"></iframe>',
        '<iframe src="data:text/html,<script>parent.{js}</script>"></iframe>',
        '<object data="javascript:{js}"></object>',
        '<embed src="javascript:{js}">',
        '<embed src="data:text/html;base64,{b64}">',
        '<object data="data:text/html;base64,{b64}"></object>',
        "<body onload={js}>",
        "<body onpageshow={js}>",
        "<details open ontoggle={js}>",
        "<marquee onstart={js}>x</marquee>",
        "<input onfocus={js} autofocus>",
        "<keygen autofocus onfocus={js}>",
        "<video><source onerror={js}>",
        "<audio src onloadstart={js}>",
        "<x contenteditable onfocus={js} autofocus>x</x>",
        "<x onclick={js}>click me</x>",
        "<div onpointerover={js}>hover</div>",
        "<a onmouseover={js}>hover me</a>",
        '<style>@keyframes x{{}}</style><div style="animation-name:x" onanimationstart={js}>',
        "<xss id=x tabindex=1 onfocusin={js}></xss>",
        "<button formaction=javascript:{js}>go</button>",
        "<form action=javascript:{js}><input type=submit>",
        "<isindex action=javascript:{js} type=submit>",
        '<a href="javascript:{js}">link</a>',
        '<a href="JaVaScRiPt:{js}">link</a>',
        '<a href="  javascript:{js}">link</a>',
        '<a href="jav&#x09;ascript:{js}">tab</a>',
        '<a href="jav&#x0A;ascript:{js}">nl</a>',
        '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;{js}">ent</a>',
        '<a href="javascript&colon;{js}">colon</a>',
        '<a href="data:text/html;base64,{b64}">data</a>',
        '<a href="vbscript:{js}">vb</a>',
        '<a href="javascript://%0a{js}">comment</a>',
        '<a href="data:text/html,<script>{js}</script>">d</a>',
        "[md link](javascript:{js})",
        "[md link upper](JAVASCRIPT:{js})",
        "[md link spaced]( javascript:{js} )",
        "[md entity](&#106;avascript:{js})",
        "[md data](data:text/html;base64,{b64})",
        "![md image](javascript:{js})",
        '![md image onerror](x" onerror="{js})',
        '[a](https://example.com "title" onclick="{js}")',
        '<https://example.com/"onmouseover="{js}>',
        "<javascript:{js}>",
        "[ref]\n\n[ref]: javascript:{js}",
        "`code` <img src=x onerror={js}> `code`",
        "**bold <img src=x onerror={js}>**",
        "> quote <svg onload={js}>",
        "- item <iframe src=javascript:parent.{js}>",
        "| a | b |\n|---|---|\n| <img src=x onerror={js}> | x |",
        "<img src=x onerror={js}",
        '<img src="x" onerror="{js}"',
        "<svg onload={js}//",
        "<<img src=x onerror={js}>>",
        "<img src=x onerror={js}><!--",
        '<!--<img src="--><img src=x onerror={js}//">',
        "<![CDATA[<img src=x onerror={js}>]]>",
        '<?xml-stylesheet href="javascript:{js}"?>',
        '<p title="</p><img src=x onerror={js}>">',
        '<a title="&quot;><img src=x onerror={js}>">t</a>',
        "<img src=x onerror=eval(atob('{b64js}'))>",
        '<img src=x onerror="&#x5f;&#x5f;twx({n})">',
        "<img src=x onerror=\\u005f\\u005ftwx({n})>",
        "<img src=x onerror=top['__tw'+'x']({n})>",
        "<img src=x onerror=window[`__twx`]({n})>",
        "<img src=x onerror=setTimeout('{js}')>",
        "<img src=x onerror=Function('{js}')()>",
        "<img src=x onerror=import('data:text/javascript,{js}')>",
        '<style>*{{background:url("javascript:{js}")}}</style>',
        '<div style="background:url(javascript:{js})">css</div>',
        '<div style="width:expression({js})">ie</div>',
        "<style>@import 'javascript:{js}';</style>",
        '<link rel=stylesheet href="javascript:{js}">',
        '<link rel=import href="data:text/html,<script>{js}</script>">',
        "<style>.tw-root{{display:none}}</style>",
        '<div style="position:fixed;top:0;left:0;width:100%;height:100%">overlay</div>',
        '<meta http-equiv="refresh" content="0;url=javascript:{js}">',
        '<base href="javascript:{js}//">',
        '<table background="javascript:{js}">',
        '<td background="javascript:{js}">',
        '<img dynsrc="javascript:{js}">',
        '<img lowsrc="javascript:{js}">',
        '<bgsound src="javascript:{js}">',
        '<br size="&{{{js}}}">',
        '<layer src="javascript:{js}"></layer>',
        "<frameset onload={js}>",
        "<template><img src=x onerror={js}></template>",
        '<img srcset="x" onerror={js}>',
        "<picture><source srcset=x><img src=x onerror={js}></picture>",
        "<img src=x onerror={js} style=display:none>",
        "<a href=# onclick={js}>#</a>",
        "<area href=javascript:{js}>",
        "<map><area shape=rect coords=0,0,100,100 href=javascript:{js}></map>",
        "<form id=test></form><button form=test formaction=javascript:{js}>X</button>",
        "<input type=image src=x onerror={js}>",
        "<textarea onfocus={js} autofocus>",
        "<select onfocus={js} autofocus>",
        '<object type="text/x-scriptlet" data="javascript:{js}"></object>',
        '<img src="x` `<script>{js}</script>"` `>',
        '<a href="java\0script:{js}">nul</a>',
        "<svg><script href=data:,{js} />",
        "<svg><script xlink:href=data:,{js}></script>",
        "<svg><discard onbegin={js}>",
        "<svg><animate attributeName=href values=javascript:{js} /><a id=x><text>X</text></a>",
        "<math><maction actiontype=statusline xlink:href=javascript:{js}>X</maction></math>",
        "<image src=x onerror={js}>",
        "<img src=x onerror={js} <!-- broken",
        '<a\nhref="javascript:{js}">newline</a>',
        '<a href="javascript:void(0)" onclick="{js}">void</a>',
        '<iframe/src="data:text/html,&lt;script&gt;parent.{js}&lt;/script&gt;">',
        "'\"--></style></script><script>{js}</script>",
        "%3Cscript%3E{js}%3C/script%3E",
        "&lt;script&gt;{js}&lt;/script&gt;",
        '<img src=x onerror="javascript:{js}">',
        "<svg><style>&lt;img src=x onerror={js}&gt;</style></svg>",
        '<div id="x"><svg><desc><img src=x onerror={js}></desc></svg></div>',
        "<xmp><img src=x onerror={js}></xmp>",
        "<plaintext><img src=x onerror={js}>",
        "<listing><img src=x onerror={js}></listing>",
    ]
    return out


def payloads() -> list[str]:
    """Every payload, numbered: payload N calls ``__twx(N)`` if it ever runs."""
    result = []
    for n, template in enumerate(_templates()):
        js = f"__twx({n})"
        b64 = base64.b64encode(f"<script>parent.{js}</script>".encode()).decode()
        b64js = base64.b64encode(js.encode()).decode()
        result.append(
            template.replace("{js}", js)
            .replace("{b64}", b64)
            .replace("{b64js}", b64js)
            .replace("{n}", str(n))
            .replace("{{", "{")
            .replace("}}", "}")
        )
    return result


def hostile_image_urls() -> list[str]:
    """Post image URLs that must never be used as given."""
    return [
        "javascript:__twx(9001)",
        "data:text/html;base64," + base64.b64encode(b"<script>__twx(9002)</script>").decode(),
        '" onerror="__twx(9003)',
        "data:image/svg+xml,"
        + quote("<svg xmlns='http://www.w3.org/2000/svg' onload='__twx(9004)'/>"),
    ]
