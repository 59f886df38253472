"""Reads a supportctl Markdown report as two real Markdown readers do
(markdown-it-py, and cmark-gfm with GitHub's table extension) and checks
that what a reader sees equals the JSON report's text: each shown step's
name and message as table cells, each piece of advice as a list item, and
each output block's summary. Only the tags the tool writes may appear (no
raw HTML, links, images or emphasis from data).

usage: markdown_check.py REPORT.json REPORT.md
"""
import json
import subprocess
import sys
from html.parser import HTMLParser

from markdown_it import MarkdownIt

ALLOWED = {"h2", "h3", "p", "strong", "table", "thead", "tbody", "tr", "th",
           "td", "ul", "li", "code", "details", "summary", "pre"}


class Texts(HTMLParser):
    """Collects the text of each td, li and summary, and every tag seen.
    A code span's text is put back between backticks, as the JSON writes it."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.open, self.found = set(), [], {"td": [], "li": [], "summary": [], "p": []}
        self.code = None
        self.autolinks = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            # GitHub's autolink extension makes a visible URL clickable;
            # the text is unchanged. Any other link is data turned into markup.
            self.autolinks.append(dict(attrs).get("href", ""))
            return
        self.tags.add(tag)
        if tag in self.found:
            self.open.append([tag, ""])
        elif tag == "code":
            self.code = ""

    def handle_endtag(self, tag):
        if tag == "code" and self.code is not None:
            code, self.code = self.code, None
            runs = [len(r) for r in "".join(c if c == "`" else " " for c in code).split()]
            fence = "`" * (max(runs, default=0) + 1)
            pad = " " if code.startswith("`") or code.endswith("`") else ""
            self.add(fence + pad + code + pad + fence)
        elif self.open and self.open[-1][0] == tag:
            t, text = self.open.pop()
            self.found[t].append(text.strip())

    def handle_data(self, data):
        if self.code is not None:
            self.code += data
        else:
            self.add(data)

    def add(self, text):
        for entry in self.open:
            entry[1] += text


def one_line(text):
    return " ".join(text.replace("\r", " ").replace("\t", " ").split("\n")).strip()


def html_text(report):
    return json.dumps(report, ensure_ascii=False)


def check(reader, html, report):
    p = Texts()
    p.feed(html)
    for href in p.autolinks:
        assert href in html_text(report), f"{reader}: a link not written as visible text: {href}"
    bad = p.tags - ALLOWED
    assert not bad, f"{reader}: unexpected tags {bad}\n{html}"
    for pb in report["playbooks"]:
        for s in pb["steps"]:
            if s["status"] == "skipped" and not s.get("actions"):
                continue
            for field in ("name", "message"):
                want = one_line(s[field])
                assert want in p.found["td"], f"{reader}: {field} {want!r} not a cell; cells: {p.found['td']}"
            if s.get("advice"):
                want = one_line(f"{s['name']}: {s['advice']}")
                assert want in p.found["li"], f"{reader}: advice {want!r} not in {p.found['li']}"
            out = s.get("output") or {}
            if (out.get("stdout", "") + out.get("stderr", "")).strip() and s["status"] in ("fail", "error", "warn"):
                want = one_line(f"Output of {s['name']}")
                assert want in p.found["summary"], f"{reader}: {want!r} not in {p.found['summary']}"
    for c in report.get("conclusions", []):
        want = one_line(f"Conclusion: {c['summary']}")
        assert want in p.found["p"], f"{reader}: {want!r} not a paragraph; paragraphs: {p.found['p']}"
        for label, key in (("Tell the user", "tell_user"), ("Next", "next")):
            if c.get(key):
                want = one_line(f"{label}: {c[key]}")
                assert want in p.found["li"], f"{reader}: {want!r} not in {p.found['li']}"
    if report.get("ticket"):
        want = f"Ticket: {one_line(report['ticket'])}"
        assert any(t.startswith(want + " ·") for t in p.found["p"]), f"{reader}: {want!r} not in {p.found['p']}"
    print(f"{reader} ok: {len(p.found['td'])} cells, {len(p.found['li'])} items")


report = json.load(open(sys.argv[1], encoding="utf-8"))
md = open(sys.argv[2], encoding="utf-8").read()
check("markdown-it-py", MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(md), report)
gfm = subprocess.run(["cmark-gfm", "--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink"],
                     input=md, capture_output=True, text=True, check=True).stdout
check("cmark-gfm", gfm, report)
