"""General knowledge the actor finder starts from: states, their names and metonyms, well-known institutions,
outlets and leaders. Nothing here is keyed to particular articles; extend the tables freely."""

from __future__ import annotations

from dataclasses import dataclass

from newsmon.contracts.places import ActorKind


@dataclass(frozen=True, slots=True)
class StateEntry:
    names: tuple[str, ...]
    demonyms: tuple[str, ...]
    metonyms: tuple[str, ...] = ()


STATES: dict[str, StateEntry] = {
    "RU": StateEntry(
        ("Russia", "the Russian Federation"), ("Russian", "Russia-backed"), ("Moscow", "the Kremlin", "Kremlin")
    ),
    "UA": StateEntry(("Ukraine",), ("Ukrainian",), ("Kyiv", "Kiev")),
    "US": StateEntry(
        ("the United States", "the U.S.", "the US", "America"),
        ("American", "U.S.", "US"),
        ("Washington", "the White House", "the Pentagon"),
    ),
    "BY": StateEntry(("Belarus",), ("Belarusian",), ("Minsk",)),
    "KP": StateEntry(("North Korea",), ("North Korean",), ("Pyongyang",)),
    "CN": StateEntry(("China",), ("Chinese",), ("Beijing",)),
    "GB": StateEntry(
        ("Britain", "the United Kingdom", "the UK", "the U.K."), ("British",), ("London", "Downing Street")
    ),
    "FR": StateEntry(("France",), ("French",), ("Paris", "the Elysee")),
    "DE": StateEntry(("Germany",), ("German",), ("Berlin",)),
    "PL": StateEntry(("Poland",), ("Polish",), ("Warsaw",)),
    "IR": StateEntry(("Iran",), ("Iranian",), ("Tehran",)),
    "IL": StateEntry(("Israel",), ("Israeli",), ()),
    "TR": StateEntry(("Turkey", "Türkiye"), ("Turkish",), ("Ankara",)),
    # other conflicts the monitor may meet. A capital is a metonym only where it rarely means the city itself in
    # war reports (a metonym followed by "'s" or "said" is not a claim place: "Beirut's southern suburbs" would be).
    "LB": StateEntry(("Lebanon",), ("Lebanese",)),
    "SY": StateEntry(("Syria",), ("Syrian",)),
    "IQ": StateEntry(("Iraq",), ("Iraqi",)),
    "YE": StateEntry(("Yemen",), ("Yemeni",)),
    "PS": StateEntry(("the Palestinian territories", "Palestine"), ("Palestinian",)),
    "SD": StateEntry(("Sudan",), ("Sudanese",)),
    "SS": StateEntry(("South Sudan",), ("South Sudanese",)),
    "SA": StateEntry(("Saudi Arabia",), ("Saudi",), ("Riyadh",)),
    "AE": StateEntry(("the United Arab Emirates", "the UAE"), ("Emirati",), ("Abu Dhabi",)),
    "QA": StateEntry(("Qatar",), ("Qatari",), ("Doha",)),
    "EG": StateEntry(("Egypt",), ("Egyptian",), ("Cairo",)),
    "JO": StateEntry(("Jordan",), ("Jordanian",), ("Amman",)),
    "AZ": StateEntry(("Azerbaijan",), ("Azerbaijani",), ("Baku",)),
    "AM": StateEntry(("Armenia",), ("Armenian",), ("Yerevan",)),
    "MD": StateEntry(("Moldova",), ("Moldovan",), ("Chisinau",)),
    "ET": StateEntry(("Ethiopia",), ("Ethiopian",), ("Addis Ababa",)),
    "CD": StateEntry(("the Democratic Republic of Congo", "the DRC", "Congo"), ("Congolese",), ("Kinshasa",)),
    "RW": StateEntry(("Rwanda",), ("Rwandan",), ("Kigali",)),
    "ML": StateEntry(("Mali",), ("Malian",), ("Bamako",)),
    "MM": StateEntry(("Myanmar",), ("Myanmar",), ("Naypyidaw",)),
    "AF": StateEntry(("Afghanistan",), ("Afghan",), ("Kabul",)),
    "PK": StateEntry(("Pakistan",), ("Pakistani",), ("Islamabad",)),
    "IN": StateEntry(("India",), ("Indian",), ("New Delhi",)),
    "KR": StateEntry(("South Korea",), ("South Korean",), ("Seoul",)),
    "JP": StateEntry(("Japan",), ("Japanese",), ("Tokyo",)),
    "TW": StateEntry(("Taiwan",), ("Taiwanese",), ("Taipei",)),
    "IT": StateEntry(("Italy",), ("Italian",), ("Rome",)),
    "ES": StateEntry(("Spain",), ("Spanish",), ("Madrid",)),
    "NL": StateEntry(("the Netherlands",), ("Dutch",)),
    "HU": StateEntry(("Hungary",), ("Hungarian",), ("Budapest",)),
    "RO": StateEntry(("Romania",), ("Romanian",), ("Bucharest",)),
    "FI": StateEntry(("Finland",), ("Finnish",), ("Helsinki",)),
    "SE": StateEntry(("Sweden",), ("Swedish",), ("Stockholm",)),
    "LT": StateEntry(("Lithuania",), ("Lithuanian",), ("Vilnius",)),
    "LV": StateEntry(("Latvia",), ("Latvian",), ("Riga",)),
    "EE": StateEntry(("Estonia",), ("Estonian",), ("Tallinn",)),
}

DEMONYM_COMPOUNDS = ("installed", "backed", "appointed", "controlled", "led", "allied", "aligned", "sponsored")
"""``<demonym or country>-<word>`` names the same side: "Russian-installed officials", "Iran-backed militias"."""

OPPONENTS: dict[str, str] = {"RU": "UA", "UA": "RU", "SD": "RSF", "RSF": "SD", "CD": "M23", "M23": "CD"}
"""Belligerents of the conflicts the monitor follows: the default actor when a text names none (see docs). A side is
a country code, or the short name of an armed group that fights its own state (Sudan's Rapid Support Forces: "RSF")."""

FORCE_NOUNS = (
    "forces",
    "troops",
    "army",
    "soldiers",
    "units",
    "servicemen",
    "marines",
    "paratroopers",
    "artillery",
    "air force",
    "navy",
    "defenders",
    "fighters",
    "military",
    "armed forces",
    "drones",
    "missiles",
    "brigades",
    "brigade",
    "assault groups",
    "infantry",
    "special forces",
    "aviation",
    "air defence",
    "air defense",
    "warplanes",
    "fighter jets",
    "jets",
    "aircraft",
    "bombers",
    "helicopters",
    "warships",
    "tanks",
    "rockets",
    "strikes",
    "airstrikes",
    "air strikes",
    "attacks",
    "shelling",
    "bombardment",
)
"""Nouns that, after a demonym or a country's possessive, name that side's armed forces ("Israeli warplanes",
"Russia's strikes"): the agent of what they do."""

POLICE_NOUNS = (
    "police",
    "border guards",
    "border guard service",
    "border service",
    "national guard",
    "civil defence",
    "civil defense",
    "emergency services",
    "emergencies ministry",
    "emergency situations ministry",
    "security service",
    "intelligence service",
    "intelligence agency",
    "military intelligence",
    "health ministry",
    "interior ministry",
    "justice ministry",
    "energy ministry",
    "ministry of health",
    "ministry of internal affairs",
    "ministry of the interior",
    "ministry of emergency situations",
)
"""Other institutions of a state that report casualties, strikes and evacuations ("Lebanon's health ministry",
"Israeli police"): speakers with the state's side."""

ROLE_NOUNS = (
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "press secretary",
    "president",
    "president-elect",
    "prime minister",
    "foreign minister",
    "defense minister",
    "defence minister",
    "minister",
    "defense chief",
    "defence chief",
    "commander-in-chief",
    "commander",
    "chief of staff",
    "chief",
    "head",
    "chairman",
    "chairwoman",
    "director",
    "member",
    "officer",
    "governor",
    "mayor",
    "official",
    "blogger",
    "milblogger",
    "military blogger",
    "war blogger",
    "analyst",
    "general",
    "adviser",
    "advisor",
    "ambassador",
    "envoy",
    "secretary",
    "chancellor",
    "leader",
    "lawmaker",
    "deputy",
    "correspondent",
    "representative",
    "ombudsman",
    "prosecutor",
    "commissioner",
    "administrator",
    "expert",
    "researcher",
    "colonel",
    "major",
    "captain",
    "lieutenant",
    "sergeant",
    "gov.",
    "gen.",
    "lt. gen.",
    "maj. gen.",
    "col.",
)

GROUPINGS: dict[str, str | None] = {
    # Ukrainian operational-strategic groupings
    "Khortytsia": "UA",
    "Khortytsya": "UA",
    "Tavria": "UA",
    "Tavriya": "UA",
    "Odesa": "UA",
    "Siversk": "UA",
    # Russian groups of forces (their English names are in GROUPS_OF_FORCES)
    "Sever": "RU",
    "Zapad": "RU",
    "Tsentr": "RU",
    "Vostok": "RU",
    "Yug": "RU",
    "Dnepr": "RU",
}

GROUPS_OF_FORCES: dict[str, str] = {
    "North": "RU",
    "Centre": "RU",
    "Center": "RU",
    "South": "RU",
    "West": "RU",
    "East": "RU",
    "Dnieper": "RU",
}
"""Russian groups of forces by their English names: a side only in "the North group (of forces)" (a bare "North"
is no grouping)."""


@dataclass(frozen=True, slots=True)
class Known:
    id: str
    name: str
    kind: ActorKind
    side: str | None
    role: str | None = None
    key: str = ""


def _person(surname_key: str, actor_id: str, name: str, side: str, role: str) -> tuple[str, Known]:
    return surname_key, Known(actor_id, name, "person", side, role, surname_key)


# keys are actors.name_key(surname): kh->h, g->h, y/j->i, doubled letters folded
KNOWN_PEOPLE: dict[str, Known] = dict(
    (
        _person("putin", "person:vladimir-putin", "Vladimir Putin", "RU", "president"),
        _person("peskov", "person:dmitri-peskov", "Dmitri Peskov", "RU", "Kremlin spokesman"),
        _person("lavrov", "person:sergei-lavrov", "Sergei Lavrov", "RU", "foreign minister"),
        _person("belousov", "person:andrei-belousov", "Andrei Belousov", "RU", "defence minister"),
        _person("shoihu", "person:sergei-shoigu", "Sergei Shoigu", "RU", "security council secretary"),
        _person("herasimov", "person:valery-gerasimov", "Valery Gerasimov", "RU", "chief of the general staff"),
        _person("zaharova", "person:maria-zakharova", "Maria Zakharova", "RU", "foreign ministry spokeswoman"),
        _person("konashenkov", "person:igor-konashenkov", "Igor Konashenkov", "RU", "defence ministry spokesman"),
        _person("zelenski", "person:volodymyr-zelensky", "Volodymyr Zelensky", "UA", "president"),
        _person("sirski", "person:oleksandr-syrskyi", "Oleksandr Syrskyi", "UA", "commander-in-chief"),
        _person("iermak", "person:andriy-yermak", "Andriy Yermak", "UA", "head of the presidential office"),
        _person("sibiha", "person:andrii-sybiha", "Andrii Sybiha", "UA", "foreign minister"),
        _person("kuleba", "person:dmytro-kuleba", "Dmytro Kuleba", "UA", "foreign minister"),
        _person("umerov", "person:rustem-umerov", "Rustem Umerov", "UA", "defence minister"),
        _person("trump", "person:donald-trump", "Donald Trump", "US", "president"),
        _person("biden", "person:joe-biden", "Joe Biden", "US", "president"),
        _person("rubio", "person:marco-rubio", "Marco Rubio", "US", "secretary of state"),
        _person("blinken", "person:antony-blinken", "Antony Blinken", "US", "secretary of state"),
        _person("vitkof", "person:steve-witkoff", "Steve Witkoff", "US", "envoy"),
        _person("kelohh", "person:keith-kellogg", "Keith Kellogg", "US", "envoy"),
        _person("lukashenko", "person:alexander-lukashenko", "Alexander Lukashenko", "BY", "president"),
        _person("macron", "person:emmanuel-macron", "Emmanuel Macron", "FR", "president"),
        _person("starmer", "person:keir-starmer", "Keir Starmer", "GB", "prime minister"),
        _person("erdohan", "person:recep-tayyip-erdogan", "Recep Tayyip Erdogan", "TR", "president"),
    )
)


MEDIA: dict[str, Known] = {
    "TASS": Known("media:tass", "TASS", "media", "RU"),
    "RIA Novosti": Known("media:ria-novosti", "RIA Novosti", "media", "RU"),
    "RIA": Known("media:ria-novosti", "RIA Novosti", "media", "RU"),
    "Interfax": Known("media:interfax", "Interfax", "media", "RU"),
    "RT": Known("media:rt", "RT", "media", "RU"),
    "Izvestia": Known("media:izvestia", "Izvestia", "media", "RU"),
    "Ukrinform": Known("media:ukrinform", "Ukrinform", "media", "UA"),
    "Ukrainska Pravda": Known("media:ukrainska-pravda", "Ukrainska Pravda", "media", "UA"),
    "Suspilne": Known("media:suspilne", "Suspilne", "media", "UA"),
    "Kyiv Independent": Known("media:kyiv-independent", "The Kyiv Independent", "outlet", None),
    "Reuters": Known("media:reuters", "Reuters", "outlet", None),
    "Associated Press": Known("media:ap", "Associated Press", "outlet", None),
    "AFP": Known("media:afp", "AFP", "outlet", None),
    "CNN": Known("media:cnn", "CNN", "outlet", None),
    "BBC": Known("media:bbc", "BBC", "outlet", None),
    "The Epoch Times": Known("media:epoch-times", "The Epoch Times", "outlet", None),
    "Bloomberg": Known("media:bloomberg", "Bloomberg", "outlet", None),
    "The New York Times": Known("media:nyt", "The New York Times", "outlet", None),
    "Al Jazeera": Known("media:al-jazeera", "Al Jazeera", "outlet", None),
    # state news agencies speak for their state; monitors and independent outlets for nobody
    "SANA": Known("media:sana", "SANA", "media", "SY"),
    "WAFA": Known("media:wafa", "WAFA", "media", "PS"),
    "BelTA": Known("media:belta", "BelTA", "media", "BY"),
    "Xinhua": Known("media:xinhua", "Xinhua", "outlet", None),
    "Anadolu": Known("media:anadolu", "Anadolu Agency", "outlet", None),
    "Meduza": Known("media:meduza", "Meduza", "outlet", None),
    "Haaretz": Known("media:haaretz", "Haaretz", "outlet", None),
    "The Times of Israel": Known("media:times-of-israel", "The Times of Israel", "outlet", None),
    "DeepState": Known("media:deepstate", "DeepState", "media", "UA"),
}

ORGANISATIONS: dict[str, Known] = {
    "Institute for the Study of War": Known("org:isw", "Institute for the Study of War", "organisation", None),
    "ISW": Known("org:isw", "Institute for the Study of War", "organisation", None),
    "NATO": Known("org:nato", "NATO", "organisation", None),
    "United Nations": Known("org:un", "United Nations", "organisation", None),
    "IAEA": Known("org:iaea", "IAEA", "organisation", None),
    "MoD": Known("org:mod", "Ministry of Defence", "ministry", None),
    "European Union": Known("org:eu", "European Union", "organisation", None),
    "OSCE": Known("org:osce", "OSCE", "organisation", None),
    "UNIFIL": Known("org:unifil", "UNIFIL", "organisation", None),
    "Red Cross": Known("org:icrc", "International Committee of the Red Cross", "organisation", None),
    "ICRC": Known("org:icrc", "International Committee of the Red Cross", "organisation", None),
    "Human Rights Watch": Known("org:hrw", "Human Rights Watch", "organisation", None),
    "Amnesty International": Known("org:amnesty", "Amnesty International", "organisation", None),
    # armed forces and armed groups known by their own names; side: the state they fight for, or the group's own
    # short name where it fights its own state (a side of its own, see OPPONENTS)
    "Israel Defense Forces": Known("il.military", "Israeli armed forces", "military", "IL"),
    "IDF": Known("il.military", "Israeli armed forces", "military", "IL"),
    "Islamic Revolutionary Guard Corps": Known("ir.irgc", "Islamic Revolutionary Guard Corps", "military", "IR"),
    "Revolutionary Guards": Known("ir.irgc", "Islamic Revolutionary Guard Corps", "military", "IR"),
    "IRGC": Known("ir.irgc", "Islamic Revolutionary Guard Corps", "military", "IR"),
    "Wagner": Known("ru.wagner", "Wagner Group", "military", "RU"),
    "Hezbollah": Known("org:hezbollah", "Hezbollah", "military", "LB"),
    "Hamas": Known("org:hamas", "Hamas", "military", "PS"),
    "Houthis": Known("org:houthis", "Houthis", "military", "YE"),
    "Houthi": Known("org:houthis", "Houthis", "military", "YE"),
    "Sudanese Armed Forces": Known("sd.military", "Sudanese armed forces", "military", "SD"),
    "SAF": Known("sd.military", "Sudanese armed forces", "military", "SD"),
    "Rapid Support Forces": Known("org:rsf", "Rapid Support Forces", "military", "RSF"),
    "RSF": Known("org:rsf", "Rapid Support Forces", "military", "RSF"),
    "M23": Known("org:m23", "M23", "military", "M23"),
    # Myanmar's ethnic armed organisations fight the junta (MM) and have sides of their own (several at once:
    # outside the one-to-one OPPONENTS table)
    "Ta'ang National Liberation Army": Known("org:tnla", "Ta'ang National Liberation Army", "military", "TNLA"),
    "TNLA": Known("org:tnla", "Ta'ang National Liberation Army", "military", "TNLA"),
    "Myanmar National Democratic Alliance Army": Known("org:mndaa", "MNDAA", "military", "MNDAA"),
    "MNDAA": Known("org:mndaa", "MNDAA", "military", "MNDAA"),
    "Arakan Army": Known("org:arakan-army", "Arakan Army", "military", "AA"),
    "Kachin Independence Army": Known("org:kia", "Kachin Independence Army", "military", "KIA"),
    # a defence ministry named without its state: the side named last (see _actor_institutions.py, "MoD")
    "Defense Ministry": Known("org:mod", "Ministry of Defence", "ministry", None),
    "Defence Ministry": Known("org:mod", "Ministry of Defence", "ministry", None),
    "Ministry of Defense": Known("org:mod", "Ministry of Defence", "ministry", None),
    "Ministry of Defence": Known("org:mod", "Ministry of Defence", "ministry", None),
}
