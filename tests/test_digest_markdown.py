"""The Markdown digest is read two ways: rendered (a Prefect artifact, a Markdown mail) and as plain
text (a terminal, a text e-mail). Record text must render as exactly itself, inert, and read as
itself: no HTML entities ("&lt;", "&amp;"), and only the backslashes Markdown needs."""

from __future__ import annotations

import html as html_module
import re

import pytest
from markdown_it import MarkdownIt
from typer.testing import CliRunner

from fmwatch.cli import app
from fmwatch.digest import markdown_link_text, markdown_text

runner = CliRunner()

# Strings we wrote: what record text holds (comparators, ampersands, quotes, identifiers) and what a
# hostile record could hold (tags, links, entities, block markers).
PLAIN = ["FIQ score: improved (p<0.05)", "serum Mg < 0.7 mmol/L and > 0.5", "Smith & Jones; R&D",
         'the "placebo" arm', "magnesium_citrate 300 mg", "-0.5 points", "2.5 g/day", "x^2 = 4 (95% CI 1-3)",
         "Ca/Mg ratio 2:1", "It's #1 in pain?", "pain: improved [subgroup: women] (p=0.03)"]
HOSTILE = ["<script>alert(1)</script> magnesium", "<b>bold</b>", "</p><img src=x onerror=alert(1)>",
           "<!-- hidden --> text", "<?php echo 1 ?>", "<https://example.org>", "[link](javascript:alert(1))",
           "![img](https://example.org/x.png)", "*emph* and _emph_ and __strong__", "`code`", "~~gone~~",
           "&amp; &lt;b&gt; &#60;script&#62; &#x3C;", "back\\slash\\", "> a quote", "# Heading", "###### six",
           "- item", "+ item", "1. first", "3) third", "__init__", "a\nb\n\n- c", "[x][y] and [z][]",
           "[ref]: https://example.org/", "[^1] a footnote", "[a [b](https://example.org/)]", "trailing back\\"]


def rendered_text(markdown: str) -> str:
    """What a CommonMark renderer that passes raw HTML through (Prefect's UI) shows: the HTML it
    makes, with only a paragraph's <p> allowed, its entities resolved."""
    page = MarkdownIt("commonmark", {"html": True}).enable("strikethrough").render(markdown).strip()
    assert page.startswith("<p>") and page.endswith("</p>"), page
    inner = page[3:-4]
    assert "<" not in inner, inner  # no element: not a tag, a link, emphasis, code or a block
    return html_module.unescape(inner)


@pytest.mark.parametrize("text", PLAIN + HOSTILE)
def test_record_text_renders_as_itself(text):
    """Escaped text renders as exactly the text (its blanks made one space), and nothing else."""
    assert rendered_text(markdown_text(text)) == " ".join(text.split())


@pytest.mark.parametrize("text", PLAIN)
def test_plain_text_reads_as_written(text):
    """Comparators, ampersands, quotes, inner underscores, numbers: no entity, no backslash."""
    assert markdown_text(text) == text


def test_only_markdown_syntax_is_escaped():
    assert markdown_text("<b>x</b> & [y](javascript:z) *w*") == "\\<b>x\\</b> & [y\\](javascript:z) \\*w\\*"
    assert markdown_text("&amp; is an entity, & is not") == "\\&amp; is an entity, & is not"
    assert markdown_text("1. one") == "1\\. one" and markdown_text("> q") == "\\> q"
    assert markdown_text("two\nlines") == "two lines"


@pytest.mark.parametrize("text", ["Effects ] of [Mg", "[Not Available].", "a \\] b", "<i>Mg</i> & *FM*"])
def test_a_links_text_renders_as_itself_inside_the_link(text):
    page = MarkdownIt("commonmark", {"html": True}).render(f"[{markdown_link_text(text)}](https://example.org/)")
    assert page.strip() == f'<p><a href="https://example.org/">{html_module.escape(text, quote=False)}</a></p>', page


def test_the_offline_digest_markdown_has_no_html_entities(offline_db, tmp_path):
    """The real records of the offline run: the Markdown says "p<0.05" as the HTML shows "p&lt;0.05"."""
    result = runner.invoke(app, ["--db", str(offline_db), "digest", "--preview", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = next(tmp_path.glob("*.html")).read_text(encoding="utf-8")
    markdown = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "(p&lt;0.05)" in html  # the HTML digest keeps HTML escaping
    assert "(p<0.05)" in markdown
    assert "improved (p=0.003) [subgroup: " in markdown  # a bracket that closes no link stays as written
    assert not re.search(r"&(?:lt|gt|amp|quot|#\d+);", markdown), re.findall(r".{30}&(?:lt|gt|amp|quot|#\d+);.{10}",
                                                                               markdown)


def test_the_digest_command_prints_its_files_on_stdout_one_a_line(offline_db, tmp_path):
    # for a script: `fmwatch digest --preview | ...` gets the paths; the summary stays on stderr
    result = runner.invoke(app, ["--db", str(offline_db), "digest", "--preview", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    printed = result.stdout.splitlines()
    assert sorted(printed) == sorted(str(p) for p in tmp_path.iterdir()) and len(printed) == 3, result.stdout
    assert "digest" in result.stderr and str(tmp_path) not in result.stderr
