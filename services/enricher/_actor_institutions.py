"""The institutions pass of the actor finder: states, their forces and ministries, groupings, outlets, named
organisations and the generic offices and roles of a place ("the regional administration", "residents")."""

from __future__ import annotations

import re

from newsmon.contracts import Actor
from newsmon.contracts.places import ActorKind
from services.enricher._actor_article import ArticleActors, canonical, code_of, make_actor, slug, state_actor
from services.enricher._actor_patterns import (
    EVENT_NOUNS,
    HEADLINE_SAYS,
    LOCAL_WORDS,
    ORGANISATION_WORDS,
    PATTERNS,
    SOURCE_TOLD,
    WITNESS_ROLES,
    WITNESS_SPEAKS,
)
from services.enricher._lexicon import GROUPINGS, GROUPS_OF_FORCES, MEDIA, OPPONENTS, ORGANISATIONS, STATES, StateEntry


def find_institutions(article: ArticleActors) -> None:
    """In this order: an organisation named inside a ministry's mention ("Defence Ministry" in "Russia's Defence
    Ministry") is that ministry, and a bare "MoD" takes its side from the ministries and forces already found."""
    _ministries_and_forces(article)
    _groupings(article)
    _media(article)
    _named_groups(article)
    _organisations(article)
    _states(article)
    _generic_roles(article)


def _ministries_and_forces(article: ArticleActors) -> None:
    text = article.text
    for match in article.anchored(
        "ministry", PATTERNS.ministry_anchor, PATTERNS.ministry, 50, 60, PATTERNS.ministry_lower
    ):
        code = code_of(
            match.group("country") or match.group("country2"), match.group("demonym") or match.group("demonym2")
        )
        what = re.sub(r"\s+", " ", (match.group("what") or match.group("what2") or "").lower())
        if code is None:
            continue
        if match.group("other"):
            actor = _other_institution(code, what)
        elif ("ministry" in what and "foreign" not in what) or (
            "defen" in what and "chief" not in what and "forces" not in what
        ):
            actor = state_actor(code, kind="ministry", suffix="mod", role="defence ministry")
        elif "foreign" in what:
            actor = state_actor(code, kind="ministry", suffix="mfa", role="foreign ministry")
        elif "general staff" in what:
            actor = state_actor(code, kind="military", suffix="general_staff", role="general staff")
        elif "chief" in what:
            continue  # "Russia's defense chief" is a role inside a person's appositive
        else:
            actor = state_actor(code, kind="military", suffix="military")
            if what in EVENT_NOUNS:
                # "Russian attacks near X": the noun is the event (a cue), its owner the agent
                end = match.start("what")
                end -= len(text[match.start() : end]) - len(text[match.start() : end].rstrip())
                article.add(actor, match.start(), end, text[match.start() : end])
                continue
        article.add(actor, match.start(), match.end(), text[match.start() : match.end()])


def _other_institution(code: str, what: str) -> Actor:
    """ "Lebanon's health ministry", "Israeli police", "the Ukrainian border guard service"."""
    entry: StateEntry = STATES[code]
    kind: ActorKind = "ministry" if "ministry" in what else "organisation"
    name = re.sub(r"^ministry of (?:the )?(\w+(?: \w+)*)", r"\1 ministry", what)
    name = {
        "internal affairs ministry": "interior ministry",
        "emergency situations ministry": "emergencies ministry",
    }.get(name, name)
    name = re.sub(r"\bdefense\b", "defence", name)
    return make_actor(
        id=f"{code.lower()}.{slug(name)}", name=f"{entry.demonyms[0]} {name}", kind=kind, side=code, role=name
    )


def _groupings(article: ArticleActors) -> None:
    seen_groupings = {"Khortytsia", "Khortytsya", "Tavria", "Tavriya"}  # names that rarely mean anything else
    for match in article.matches("grouping", PATTERNS.grouping):
        name = match.group("name")
        seen_groupings.add(name)
        if name.lower() in {"the", "a", "this", "that", "operational", "strategic", "battle", "task"}:
            continue
        code = (
            code_of(match.group("country"), match.group("demonym") or match.group("demonym2"))
            or GROUPINGS.get(name)
            or GROUPS_OF_FORCES.get(name)
            or ("UA" if PATTERNS.ukrainian_formation.search(match.group(0)) else None)
        )
        actor = make_actor(id=f"grouping:{slug(name)}", name=f"{name} grouping", kind="grouping", side=code)
        article.add(actor, match.start(), match.end(), match.group(0))
    for match in article.matches("battlegroup", PATTERNS.battlegroup):
        name = match.group("name")
        code = GROUPINGS.get(name) or GROUPS_OF_FORCES.get(name)
        if code is not None:
            actor = make_actor(id=f"grouping:{slug(name)}", name=f"{name} grouping", kind="grouping", side=code)
            article.add(actor, match.start(), match.end(), match.group(0))
    for match in article.matches("known_grouping", PATTERNS.known_grouping):
        name = match.group("name")
        if name not in seen_groupings:
            continue  # "Odesa" is a city unless the article calls it a grouping
        actor = make_actor(id=f"grouping:{slug(name)}", name=f"{name} grouping", kind="grouping", side=GROUPINGS[name])
        article.add(actor, match.start(), match.end(), name)


def _media(article: ArticleActors) -> None:
    for match in article.matches("media", PATTERNS.media):
        if match.group("name"):
            entry = MEDIA[canonical(match.group("name"), MEDIA)]
            actor = make_actor(id=entry.id, name=entry.name, kind=entry.kind, side=entry.side)
        else:
            code = PATTERNS.demonym_side.get(re.sub(r"\s+", " ", match.group("demonym")).lower())
            if code is None:
                continue
            what = re.sub(r"\s+", " ", match.group("what").lower())
            kind: ActorKind = "media"
            suffix = "bloggers" if "blogger" in what else "state_media" if "state" in what else "media"
            actor = make_actor(
                id=f"{code.lower()}.{suffix}",
                name=match.group(0),
                kind=kind,
                side=code,
                role="blogger" if suffix == "bloggers" else None,
            )
        article.add(actor, match.start(), match.end(), match.group(0))


def _named_groups(article: ArticleActors) -> None:
    for match in article.matches("named_group", PATTERNS.named_group):
        code = PATTERNS.demonym_side.get(re.sub(r"\s+", " ", match.group("demonym")).lower())
        name = match.group("name")
        if code is None or name in MEDIA or name in ORGANISATIONS or name.lower() in ORGANISATION_WORDS:
            continue
        what = match.group("what").lower()
        media = what in {"agency", "outlet", "channel", "newspaper", "broadcaster", "website"}
        group = make_actor(id=f"org:{slug(name)}", name=name, kind="media" if media else "organisation", side=code)
        article.add(group, match.start(), match.end(), match.group(0))
        article.later_names[name] = group


def _organisations(article: ArticleActors) -> None:
    text = article.text
    for match in article.matches("organisation", PATTERNS.organisation):
        entry = ORGANISATIONS[canonical(match.group("name"), ORGANISATIONS)]
        inside = any(m.start <= match.start() and match.end() <= m.end for m in article.index.mentions)
        if entry.side is None and inside:
            continue  # "Defence Ministry" in "Russia's Defence Ministry": already that state's ministry
        organisation = make_actor(id=entry.id, name=entry.name, kind=entry.kind, side=entry.side)
        if entry.kind == "ministry" and entry.side is None:
            # a bare "MoD": the ministry of the side named last (a ministry, else armed forces) before it; in a
            # headline, where nothing comes before, the ministry the text names first after it
            in_heading = "\n" not in text[: match.start()] and "\n" in text[match.end() :]
            if in_heading:  # "Russian forces liberate X, keep Kiev's troops bottled up – MoD": the lead names it
                side = article.first_side_after(match.end(), ("ministry",)) or article.last_side_before(
                    match.start(), ("ministry", "military")
                )
            else:
                side = article.last_side_before(match.start(), ("ministry", "military")) or article.first_side_after(
                    match.end(), ("ministry",)
                )
            if side is not None:
                organisation = state_actor(side, kind="ministry", suffix="mod", role="defence ministry")
        article.add(organisation, match.start(), match.end(), match.group(0))


def _states(article: ArticleActors) -> None:
    for match in article.matches("state", PATTERNS.state):
        surface = match.group("name")
        code = PATTERNS.country_side.get(surface.lower()) or PATTERNS.metonym_side[surface.lower()]
        if surface.lower() in {"the kremlin", "kremlin"}:
            actor = make_actor(
                id="ru.kremlin",
                name="the Kremlin",
                kind="organisation",
                side="RU",
                role="presidential administration",
            )
        else:
            actor = state_actor(code)
        article.add(actor, match.start(), match.end(), surface)


def _generic_roles(article: ArticleActors) -> None:
    text = article.text
    for role_match in article.matches("generic", PATTERNS.generic):
        lead = PATTERNS.generic_lead.search(text, max(0, role_match.start() - 50), role_match.start())
        if lead is None:
            continue
        match = lead
        role = role_match.group("role").lower()
        if role in WITNESS_ROLES:
            # "residents said", "witnesses in Rafah told Reuters": people of the place, when they speak
            if WITNESS_SPEAKS.match(text, role_match.end()) is None:
                continue
            code = article.nearest_place_country(role_match.start())
            article.add(
                make_actor(id=f"{(code or 'xx').lower()}.{role}", name=role, kind="person", side=code, role=role),
                role_match.start(),
                role_match.end(),
                role_match.group(0),
            )
            continue
        place_code = article.place_country_at.get(match.start("place")) if match.group("place") else None
        if match.group("place") and place_code is None:
            continue  # a capitalised word that is no place of the article
        office = role in {"administration", "command"}
        ministry = role.endswith("ministry")  # "the health ministry said": of the country it reports from
        told = SOURCE_TOLD.match(text, role_match.end()) if role in {"source", "sources"} else None
        if told is not None and not match.group("demonym"):
            # "a source in the security agencies told RIA Novosti": an unnamed source of a medium that has a
            # side speaks for that side
            medium = MEDIA[canonical(told.group("medium"), MEDIA)]
            if medium.side is None:
                continue
            article.add(
                make_actor(id=f"{medium.side.lower()}.source", name="source", kind="person", side=medium.side),
                role_match.start(),
                role_match.end(),
                role_match.group(0),
            )
            continue
        if not (match.group("demonym") or place_code) and (
            role in {"soldier", "soldiers", "source", "sources", "analyst", "analysts"}
            or not (match.group("article") or match.group("mod") or HEADLINE_SAYS.match(text, role_match.end()))
            # "the command of": a military or regional office only, or one the article has named ("the
            # regional military administration ... the administration said")
            or (office and not match.group("mod") and not _office_named_before(text, role, match.start()))
        ):
            continue
        code = PATTERNS.demonym_side.get(re.sub(r"\s+", " ", match.group("demonym") or "").lower()) or place_code
        lead_words = (match.group("mod") or match.group("article") or "").strip().lower()
        local = lead_words.endswith(("'s", "’s")) or bool(set(lead_words.split()) & LOCAL_WORDS)
        if code is None and (local or office or ministry or role in {"governor", "mayor"} or role.startswith("head")):
            # a local office: the country of its place; an occupation authority: that country's opponent
            code = article.nearest_place_country(match.start())
            if "occupation" in lead_words.split():
                code = OPPONENTS.get(code or "")
        generic: Actor | None
        if role in {"soldier", "soldiers"}:
            generic = state_actor(code, kind="military", suffix="military") if code else None
        else:
            base = re.sub(r"s$", "", re.sub(r"\s+", " ", role)) if role not in {"authorities"} else role
            generic = make_actor(
                id=f"{(code or 'xx').lower()}.{slug(base)}",
                name=text[match.start() : role_match.end()].strip(),
                kind="ministry"
                if ministry
                else "organisation"
                if base in {"authorities", "administration", "command"}
                else "person",
                side=code,
                role=base,
            )
        if generic is not None:
            start = (
                match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
                if match.group(0)
                else role_match.start()
            )
            if match.group("place"):  # the place stays a place: the mention begins after it
                start = (
                    match.end("place")
                    + len(text[match.end("place") : role_match.start()])
                    - len(text[match.end("place") : role_match.start()].lstrip())
                )
            article.add(
                generic,
                start,
                role_match.end(),
                text[match.start() : role_match.end()].strip(),
            )


def _office_named_before(text: str, office: str, position: int) -> bool:
    return re.search(rf"\b(?:{'|'.join(LOCAL_WORDS)}|military)\s+{office}\b", text[:position]) is not None
