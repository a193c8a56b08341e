"""A demo feed built from the seed articles, served as RSS plus one HTML page per article on 127.0.0.1.

Used by the ingestor's acceptance tests and by ``newsmon demo``::

    with SeedSite.start(default_seeds_dir()) as site:
        settings.http.allowed_private_hosts = ("127.0.0.1",)
        result = await poller.poll(FeedConfig(url=site.feed_url, name="seeds"), None)

Publication dates come from the seeds' README table (the first ``YYYY-MM-DD`` of the "published" column);
articles published on the same day are a minute apart in file order, so the feed has a stable order.
"""

from __future__ import annotations

import hashlib
import html
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar, Self
from xml.sax.saxutils import escape

_ROW = re.compile(
    r"^\|\s*(?P<file>\d{3}_[0-9a-f]+\.txt)\s*\|(?P<outlet>[^|]*)\|(?P<published>[^|]*)\|(?P<what>[^|]*)\|"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class SeedArticle:
    name: str
    """File stem, e.g. ``002_ffcad822e69bebe5``; also the page's path."""
    title: str
    outlet: str
    published: datetime
    text: str
    """The seed file's text exactly as stored."""

    @property
    def paragraphs(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def default_seeds_dir() -> Path:
    """``<repo>/../shared/seeds``: where the project's seed articles live next to the checkout."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "seeds"


def load_seeds(seeds_dir: Path) -> list[SeedArticle]:
    """The seed articles with their README metadata, in publication order."""
    rows: dict[str, tuple[str, str, str]] = {}
    readme = seeds_dir / "README.md"
    if readme.exists():
        for line in readme.read_text(encoding="utf-8").splitlines():
            match = _ROW.match(line)
            if match:
                rows[match["file"]] = (match["outlet"].strip(), match["published"], match["what"].strip())
    seeds = []
    for path in sorted(seeds_dir.glob("*.txt")):
        outlet, published_text, what = rows.get(path.name, ("unnamed", "", ""))
        date = _DATE.search(published_text)
        day = datetime.fromisoformat(date.group(0)).replace(tzinfo=UTC) if date else datetime(2025, 1, 1, tzinfo=UTC)
        text = path.read_text(encoding="utf-8")
        title = what or next((line.strip() for line in text.splitlines() if len(line.strip()) > 20), path.stem)
        seeds.append(SeedArticle(path.stem, title, outlet, day, text))
    seeds.sort(key=lambda seed: (seed.published, seed.name))
    stamped = []
    for index, seed in enumerate(seeds):
        same_day_before = sum(1 for other in seeds[:index] if other.published == seed.published)
        stamped.append(
            SeedArticle(
                seed.name,
                seed.title,
                seed.outlet,
                seed.published + timedelta(hours=8, minutes=same_day_before),
                seed.text,
            )
        )
    return stamped


def _blocks(paragraphs: Sequence[str]) -> list[list[str]]:
    """Paragraphs, with a run of identical ones kept together in one block.

    Extractors drop an element that repeats the one before it (a scraping artefact, usually). The seeds keep their
    flaws on purpose (seed 004 repeats its headline), so the repeat is written as a second line of the same block.
    """
    blocks: list[list[str]] = []
    for paragraph in paragraphs:
        if blocks and blocks[-1][-1] == paragraph:
            blocks[-1].append(paragraph)
        else:
            blocks.append([paragraph])
    return blocks


def article_page(seed: SeedArticle) -> bytes:
    """An ordinary news page: navigation and footer around an ``<article>`` holding the seed's paragraphs."""
    paragraphs = "\n".join(
        "      <p>" + "<br>".join(html.escape(line) for line in block) + "</p>" for block in _blocks(seed.paragraphs)
    )
    title = html.escape(seed.title)
    page = f"""<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>{title}</title>
    <meta name="author" content="{html.escape(seed.outlet)}">
    <meta property="article:published_time" content="{seed.published.isoformat()}">
  </head>
  <body>
    <nav><a href="/">Home</a> | <a href="/world">World</a></nav>
    <article>
      <h1>{title}</h1>
{paragraphs}
    </article>
    <footer>Demo site built from the newsmon seed articles.</footer>
  </body>
</html>
"""
    return page.encode("utf-8")


def feed_document(seeds: Sequence[SeedArticle], base_url: str) -> bytes:
    items = []
    for seed in seeds:
        link = f"{base_url}/articles/{seed.name}.html"
        summary = seed.paragraphs[0] if seed.paragraphs else ""
        items.append(
            f"""    <item>
      <title>{escape(seed.title)}</title>
      <link>{escape(link)}</link>
      <guid isPermaLink="true">{escape(link)}</guid>
      <pubDate>{format_datetime(seed.published, usegmt=True)}</pubDate>
      <description>{escape(summary)}</description>
    </item>"""
        )
    document = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0">
  <channel>
    <title>newsmon seed articles</title>
    <link>{escape(base_url)}/</link>
    <description>The five seed articles of the newsmon project</description>
    <language>en</language>
{chr(10).join(items)}
  </channel>
</rss>
"""
    return document.encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    site: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def do_GET(self) -> None:
        entry = self.site.get(self.path.split("?", 1)[0])
        if entry is None:
            self.send_error(404)
            return
        content_type, body = entry
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class SeedSite:
    """The seed feed and pages on ``http://127.0.0.1:<port>``, served from a background thread."""

    def __init__(self, seeds: Sequence[SeedArticle]) -> None:
        self.seeds = list(seeds)
        site: dict[str, tuple[str, bytes]] = {}

        class SeedHandler(_Handler):
            pass

        SeedHandler.site = site
        handler = SeedHandler
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        site["/feed.xml"] = ("application/rss+xml; charset=utf-8", feed_document(self.seeds, self.base_url))
        for seed in self.seeds:
            site[f"/articles/{seed.name}.html"] = ("text/html; charset=utf-8", article_page(seed))
        self._thread = threading.Thread(target=self._server.serve_forever, name="seed-site", daemon=True)

    @property
    def feed_url(self) -> str:
        return f"{self.base_url}/feed.xml"

    def page_url(self, seed: SeedArticle) -> str:
        return f"{self.base_url}/articles/{seed.name}.html"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @classmethod
    @contextmanager
    def start(cls, seeds_dir: Path | None = None) -> Iterator[SeedSite]:
        with cls(load_seeds(seeds_dir or default_seeds_dir())) as site:
            yield site
