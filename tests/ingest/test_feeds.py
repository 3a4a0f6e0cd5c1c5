"""News feeds in: RSS 0.91, 1.0 and 2.0 and Atom items to articles, Media RSS captions, feeds
of links indexed as headlines and summaries, and feeds recognised by their content."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer import iter_articles
from indexer.cli.commands import cli
from indexer.errors import ParseError
from indexer.ingest.feeds import SUMMARY_ONLY, looks_like_feed, parse_feed
from indexer.model import Article, Caption

STORY = (
    "<p>The harbour authority said on Monday that the new quay would open next spring.</p>"
    "<div class='share'>Share this</div>"
    "<p>Engineers found cracks in three of the concrete caissons during an inspection.</p>"
)

RSS2 = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Example Herald</title><link>https://example.com/</link>
<item><title>Quay opening delayed &amp; costs rise</title>
<link>https://example.com/news/quay</link><guid>https://example.com/news/quay</guid>
<pubDate>Tue, 17 Oct 2023 08:00:00 GMT</pubDate><dc:creator>Jane Roe</dc:creator>
<description>Short teaser.</description>
<content:encoded><![CDATA[{STORY}]]></content:encoded>
<media:content url="https://example.com/quay.jpg" medium="image">
  <media:description>Workers inspect the quay on Monday.</media:description>
  <media:credit>John Doe/Example Herald</media:credit>
</media:content>
</item>
<item><title>Ferry line reopens</title><link>https://example.com/news/ferry</link>
<pubDate>Wed, 18 Oct 2023 09:30:00 +0200</pubDate>
<description>The ferry to the islands runs again from Friday.</description>
<enclosure url="https://example.com/ferry.jpg" type="image/jpeg" length="1000"/>
<media:description>The ferry leaves the harbour.</media:description>
<media:credit>Jane Roe</media:credit>
</item>
</channel></rss>
""".encode()

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Wire</title>
<id>urn:example</id><updated>2023-10-18T00:00:00Z</updated>
<entry><title>Storm closes port</title><id>urn:storm</id>
<link rel="alternate" href="https://wire.example/storm"/>
<updated>2023-10-19T06:00:00Z</updated><author><name>Ann Lee</name></author>
<content type="html">{STORY.replace("<", "&lt;")}</content></entry>
</feed>
""".encode()

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://example.org/"><title>RDF News</title><link>https://example.org/</link>
<description>x</description></channel>
<item rdf:about="https://example.org/a"><title>Bridge reopens</title>
<link>https://example.org/a</link><description>The old bridge reopens to traffic.</description>
<dc:date>2023-10-20T10:00:00Z</dc:date></item>
</rdf:RDF>
"""

RSS091 = b"""<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old News</title><link>https://old.example/</link>
<description>x</description><language>en</language>
<item><title>Tram line opens</title><link>https://old.example/tram</link>
<description>The new tram line opened on Sunday.</description></item>
</channel></rss>
"""


def _articles(data: bytes, name: str = "feed.xml") -> tuple[list[Article], Counter[str]]:
    tally: Counter[str] = Counter()
    items = list(parse_feed(data, name, tally))
    assert not [i for i in items if isinstance(i, ParseError)]
    return [i for i in items if isinstance(i, Article)], tally


def test_rss2_item_with_content_and_media_caption() -> None:
    articles, tally = _articles(RSS2)
    quay = articles[0]
    assert quay.id == quay.url == "https://example.com/news/quay"
    assert quay.headline == "Quay opening delayed & costs rise"
    assert quay.published == datetime(2023, 10, 17, 8, 0, tzinfo=UTC)
    assert quay.byline == "Jane Roe" and quay.source == "Example Herald"
    # the content, through the HTML reader (the share button is dropped), not the teaser
    assert quay.paragraphs == (
        "The harbour authority said on Monday that the new quay would open next spring.",
        "Engineers found cracks in three of the concrete caissons during an inspection.",
    )
    assert quay.captions == (
        Caption("Workers inspect the quay on Monday.", "John Doe/Example Herald"),
    )
    assert tally == Counter({SUMMARY_ONLY: 1})


def test_item_without_content_is_headline_and_summary_with_its_enclosure_caption() -> None:
    ferry = _articles(RSS2)[0][1]
    assert ferry.headline == "Ferry line reopens"
    assert ferry.paragraphs == ("The ferry to the islands runs again from Friday.",)
    assert ferry.published == datetime(2023, 10, 18, 7, 30, tzinfo=UTC)
    assert ferry.captions == (Caption("The ferry leaves the harbour.", "Jane Roe"),)


@pytest.mark.parametrize(
    ("data", "headline", "url", "published"),
    [
        (
            ATOM,
            "Storm closes port",
            "https://wire.example/storm",
            datetime(2023, 10, 19, 6, tzinfo=UTC),
        ),
        (RSS1, "Bridge reopens", "https://example.org/a", datetime(2023, 10, 20, 10, tzinfo=UTC)),
        (RSS091, "Tram line opens", "https://old.example/tram", None),
    ],
)
def test_atom_rss1_and_rss091(
    data: bytes, headline: str, url: str, published: datetime | None
) -> None:
    (article,), _ = _articles(data)
    assert (article.headline, article.id, article.url, article.published) == (
        headline,
        url,
        url,
        published,
    )
    assert article.paragraphs


def test_atom_author_and_html_content() -> None:
    (storm,), tally = _articles(ATOM)
    assert storm.byline == "Ann Lee" and storm.source == "Example Wire"
    assert len(storm.paragraphs) == 2 and "Share this" not in " ".join(storm.paragraphs)
    assert tally == Counter()


def test_feeds_recognised_by_content_and_by_name(tmp_path: Path) -> None:
    assert looks_like_feed(RSS2) and looks_like_feed(ATOM) and looks_like_feed(RSS1)
    assert not looks_like_feed(b"<?xml version='1.0'?><urlset></urlset>")
    assert not looks_like_feed(b"<html><body>rss</body></html>")
    unnamed = tmp_path / "download"
    unnamed.write_bytes(ATOM)
    walked = tmp_path / "dir"
    walked.mkdir()
    (walked / "herald.rss").write_bytes(RSS2)
    found = [a for a in iter_articles([str(unnamed), str(walked)]) if isinstance(a, Article)]
    assert [a.headline for a in found] == [
        "Storm closes port",
        "Quay opening delayed & costs rise",
        "Ferry line reopens",
    ]


def test_cli_indexes_a_feed_and_says_which_items_had_no_content(tmp_path: Path) -> None:
    feed = tmp_path / "herald.xml"
    feed.write_bytes(RSS2)
    result = CliRunner().invoke(
        cli, ["index", str(feed), "--index", str(tmp_path / "ix")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "2 articles: 2 added" in result.stderr
    assert f"note: 1 {SUMMARY_ONLY}" in result.stderr


def test_damaged_feed_keeps_the_items_before_and_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rss"
    broken.write_bytes(
        b"<rss version='2.0'><channel><title>Herald</title>\n"
        b"<item><title>Quay opens</title><description>The quay opens.</description></item>\n"
        b"<item><title>Ferry</ti\n"
    )
    result = CliRunner().invoke(cli, ["index", str(broken), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {broken}:3: not well-formed XML (unclosed token)"]
    assert "1 article: 1 added" in result.stderr and "Traceback" not in result.stderr


def test_html_entities_in_a_feed_are_forgiven() -> None:
    data = (
        b"<rss version='2.0'><channel><title>Herald</title><item><title>Quay&nbsp;opens</title>"
        b"<description>The quay opens.</description></item></channel></rss>"
    )
    (article,), _ = _articles(data)
    assert article.headline == "Quay opens"
