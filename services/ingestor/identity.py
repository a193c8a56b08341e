"""Item identity and canonical URLs: the same story always gets the same article id.

Rule (docs/ingestor.md, "Item identity"):

1. the item's guid / Atom id, when it has one. A guid that is an absolute URI (``http:``, ``tag:``, ``urn:``) is
   globally unique by design and used as is (URL guids canonicalised); a bare guid such as ``"1234"`` is only unique
   inside its feed, so it is scoped by the feed URL;
2. else the item's canonical link;
3. else a hash of its content (title, summary, date), scoped by the feed URL.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from newsmon.contracts.ids import article_id

__all__ = ["article_id", "canonical_url", "content_identity", "is_tracking_param", "item_identity"]

DEFAULT_PORTS = {"http": 80, "https": 443}

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "vero_id",
        "wt_mc",
        "cmpid",
        "ocid",
        "ncid",
        "sr_share",
        "at_medium",
        "at_campaign",
        "ito",
        "ref_src",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "__hs")
_URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Normalise a URL so that the variants a feed produces for one page compare equal.

    Lowercases scheme and host, drops default ports, the fragment, tracking parameters and empty user info,
    sorts the query and normalises percent-escapes. A string that is not an http(s) URL comes back stripped,
    otherwise unchanged.
    """
    stripped = url.strip()
    try:
        parts = urlsplit(stripped)
        port = parts.port
    except ValueError:
        return stripped
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return stripped
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~%") or "/"
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    query = urlencode(sorted(pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def content_identity(feed_url: str, *parts: str | None) -> str:
    digest = hashlib.sha256("\x1f".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:32]
    return f"content:{canonical_url(feed_url)}:{digest}"


def item_identity(
    feed_url: str,
    *,
    guid: str | None,
    link: str | None,
    title: str | None = None,
    summary: str | None = None,
    published: str | None = None,
) -> str:
    """The stable identity of one feed item (see the module docstring for the rule)."""
    if guid and guid.strip():
        guid = guid.strip()
        if guid.lower().startswith(("http://", "https://")):
            return f"url:{canonical_url(guid)}"
        if _URI_SCHEME.match(guid):
            return f"guid:{guid}"
        return f"guid:{canonical_url(feed_url)}:{guid}"
    if link and link.strip():
        return f"url:{canonical_url(link)}"
    return content_identity(feed_url, title, summary, published)
