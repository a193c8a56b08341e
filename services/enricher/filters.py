"""What keeps a cue from becoming a claim: hedges, negation, history, intentions, and the clause breaks that bound
them; and the formulas of not confirmed, not verified and rejected claims (used by ``verdicts``).

Each is a general English pattern searched in the cue's clause (see ``_claim_blocks.blocking_reason``).
"""

from __future__ import annotations

import re

from services.enricher._scan import first_characters

_HEDGE_WORDS = (
    r"could|might|may|would|will|shall|should|can|cannot|can['’]t|couldn['’]t|shouldn['’]t|must|won['’]t|wouldn['’]t|if|unless|whether|aims?|aimed|aiming|"
    r"plans?|planned|planning|intends?|intended|seeks?|seeking|sought|(?:try|tries|trying|tried|attempts?|attempted|"
    r"attempting)(?!\s+to$)|threatens?|threatened|threatening|hopes?|hoped|hoping|wants?|wanted|vows?|vowed|pledged?|"
    r"promis(?:e|es|ed|ing)|demands?|demanded|demanding|strategy|goal|objective|bid|efforts?|closer\s+to|"
    r"expected|likely|poised|set\s+to|about\s+to|going\s+to|risks?|risking|threat|danger|possible|possibly|"
    r"potential|prevent|preventing|avoid|for\s+further|for\s+future|ahead\s+of|looming|unable\s+to|"
    # a proposal's terms: "a ceasefire proposal that would see hostages freed and troops withdraw"
    r"proposals?|proposed|proposes|calls?\s+for|called\s+for|calling\s+for|under\s+the\s+(?:plan|deal|"
    r"agreement|proposal|terms)|"
    r"failed\s+to|fail\s+to|"
    # preparations and hearsay: "preparing to evacuate X", "talk of a push on X", "rumours of a landing near X"
    r"prepar(?:e|es|ed|ing)\s+(?:to|for)|rumou?rs?|speculation|talk\s+of"
)
HEDGE = re.compile(rf"\b{first_characters(_HEDGE_WORDS)}(?:{_HEDGE_WORDS})\b", re.IGNORECASE)
_NEGATION_WORDS = r"not|never|no|n['’]t|neither|nor|without"
NEGATION = re.compile(rf"\b{first_characters(_NEGATION_WORDS)}(?:{_NEGATION_WORDS})\b", re.IGNORECASE)
NEGATED_AFTER = re.compile(
    # "an evacuation of the city was not being considered", "a withdrawal is not planned", "... was ruled out"
    r"[^,;]{0,50}?\b(?:is|was|were|are|has\s+been|had\s+been|have\s+been)\s+(?:not|n['’]t)\s+(?:being\s+)?"
    r"(?:considered|planned|discussed|envisaged|on\s+the\s+table|under\s+consideration)\b"
    r"|[^,;]{0,50}?\b(?:was|were|is|are|has\s+been|had\s+been)\s+ruled\s+out\b",
    re.IGNORECASE,
)
NON_CONFIRMATION = re.compile(
    r"\b(?=[cdhnruy])(?:yet\s+to\s+(?:confirm|say|acknowledge|comment)|(?:has|have|had|did|does|do)\s*(?:not|n['’]t)\s*,?"
    r"(?:\s*\w+\s*,)?\s+(?:yet\s+)?(?:confirm\w*|say|said|acknowledge\w*)|(?:declined|refused)\s+to\s+(?:confirm|say|comment)|"
    r"(?:could|can)\s*(?:not|n['’]t)\s+confirm|unconfirmed|no\s+confirmation"
    # "Kyiv has not commented on the loss of X": the event is the other side's word
    r"|(?:has|have|had|did|does|do)\s*(?:not|n['’]t)\s+(?:yet\s+|publicly\s+|officially\s+|immediately\s+)?"
    r"(?:comment(?:ed)?|respond(?:ed)?|react(?:ed)?)\s+(?:on|to)|no\s+(?:immediate\s+|official\s+)?(?:comment|"
    r"reaction|response)\s+(?:from\s+(?:[\w’'-]+\s+){1,4}?)?(?:on|to))\b",
    re.IGNORECASE,
)
_CANNOT = (
    r"(?:could\s*not|cannot|can\s+not|can['’]t|couldn['’]t|(?:was|is|were|are|has\s+been|have\s+been)\s+(?:not\s+)?unable\s+to|"
    r"unable\s+to|(?:was|is|were|are|has|have|had)\s+not\s+(?:yet\s+)?(?:been\s+)?able\s+to|(?:did|does|do)\s*(?:not|n['’]t))"
)
_CHECK_ADVERB = r"(?:immediately|independently|yet|readily|separately|directly)"
UNVERIFIED = re.compile(
    # the wire formulas: "could not (immediately|independently) verify", "was not able to verify", "could not
    # immediately confirm" (a bare "could not confirm" is a speaker's, see NON_CONFIRMATION), "has not verified"
    rf"\b{_CANNOT}\s+(?:{_CHECK_ADVERB}\s+(?:(?:or|and)\s+)?)*verify\b"
    rf"|\b{_CANNOT}\s+(?:{_CHECK_ADVERB}\s+(?:(?:or|and)\s+)?)+confirm\b"
    rf"|\b(?:has|have|had)\s*(?:not|n['’]t)\s+(?:{_CHECK_ADVERB}\s+)*verified\b"
    rf"|\b(?:could|can)\s*(?:not|n['’]t)\s+be\s+(?:{_CHECK_ADVERB}\s+)?(?:verified|confirmed)\b"
    rf"|\b(?:was|were|is|are)\s+not\s+(?:{_CHECK_ADVERB}\s+)?verifiable\b"
    r"|\bnot\s+(?:been\s+)?independently\s+(?:verified|confirmed)\b"
    # "Neither account could be independently verified", "none of the claims has been verified"
    rf"|\b(?:neither|none)\b[^.;]{{0,40}}?\b(?:could|can|has|have|had|was|were|is|are)\s+(?:been\s+|be\s+)?"
    rf"(?:{_CHECK_ADVERB}\s+)?(?:verified|confirmed)\b"
    r"|\bno\s+(?:way\s+to\s+(?:independently\s+)?verify|independent\s+(?:verification|confirmation))\b"
    # the analysts' formula: "ISW has not observed visual confirmation of these claims", "has seen no evidence of"
    r"|\b(?:has|have|had)\s*(?:not|n['’]t)\s+(?:yet\s+)?(?:observed|seen)\s+(?:any\s+)?(?:visual\s+|"
    r"independent\s+|geolocated\s+)?(?:confirmation|evidence|proof|footage)\s+(?:of|for|to\s+(?:confirm|support))\b"
    r"|\b(?:has|have|had)\s+(?:observed|seen)\s+no\s+(?:visual\s+|independent\s+)?(?:confirmation|evidence|"
    r"proof)\s+(?:of|for)\b",
    re.IGNORECASE,
)
REJECTION = re.compile(
    r"\b(?:dismiss\w*|reject\w*|den(?:y|ied|ies|ying)|refut\w*|call\w*|brand\w*|label+\w*|describ\w*|termed)\b"
    r"[^.;]{0,80}?[\"“]?\b(?:false|fabricated|fabrication|untrue|fake|lies?|baseless|groundless|propaganda|"
    r"nonsense|disinformation|misinformation|fiction|fictional|invention|invented|fantasy|fantasies|hoax|myth)\b"
    r"|\b(?:den(?:y|ied|ies|ying)|refut\w+|reject\w*|dismiss(?:ed|es|ing)?|disput(?:ed|es|ing)|rebut\w*)\s+"
    r"(?:the\s+|these\s+|those\s+|such\s+|this\s+)?(?:(?:[A-Z][\w-]+|\w+['’]s)\s+)?"
    r"(?:claims?|reports?|assertions?|allegations?)\b"
    r"|\b(?:a|the)\s+(?:claim|report|assertion)\s+(?:that\s+)?[^.;]{0,60}?\b(?:\w+ly\s+)?(?:rejected|denied|"
    r"dismissed|refuted)\b"
    r"|\b(?:is|are|was|were)\s+(?:simply\s+|absolutely\s+|completely\s+)?(?:not\s+true|untrue|false|fake|"
    r"fabricated|a\s+lie|lies)\b"
    # the official formula: "the information does not correspond to reality"
    r"|\b(?:does|do|did)\s*(?:not|n['’]t)\s+correspond\s+(?:to|with)\s+(?:the\s+)?(?:reality|facts|truth)\b",
    re.IGNORECASE,
)
BACKGROUND = re.compile(
    r"\b(?=[abdefhimopsy])(?:(?:previously|eventually|had\s+earlier|earlier\s+(?:captured|seized|taken|fell)|back\s+in|"
    # "once a key hub", "formerly known as": the past of the place, not of the event
    r"formerly(?!\s+(?:known|called|named))|once(?!\s+(?:a|an|the|home|again|more|its|their|known|called|part|one|"
    r"\w+est)\b)|(?:in|during|at|since)\s+the\s+(?:(?:first|early|opening|initial)\s+(?:days|weeks|months|stages?|phase|hours)|"
    r"start|beginning|outset)\s+of\s+(?:the\s+)?(?:full|war|invasion|conflict|russian|2022)|"
    r"(?:after|since|before|following)\s+(?:the\s+)?(?:fall|capture|loss|liberation|seizure)\s+of|years?\s+ago|"
    r"months\s+ago|at\s+the\s+time|historically|in\s+the\s+past)\b|(?:earlier|"
    # "has already left" is done with; "were already pushing toward X" is under way
    r"(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)(?<!\bwere\s)already)\s*$)",
    re.IGNORECASE,
)
INFINITIVE_CUE = re.compile(
    # "continue to hold X" is the cue itself (not_captured.still_holding): an event, not an intention
    r"\b(?:(?<!continue\s)(?<!continues\s)(?<!continued\s)(?<!continuing\s)"
    r"to\s+(?:\w+ly\s+)?(?:(?:re)?capture|seize|take|liberate|encircle|surround|withdraw|retreat|strike|attack|"
    r"hold|shell|fall|fight|continue|pull|reach|clear|storm|occupy)"
    # "to launch a push toward X", "to mount an offensive on X": the advance is the purpose
    r"|to\s+(?:launch|mount|stage|begin|start|open|prepare)\s+(?:a|an|the|its|their|new|fresh|\w+ed)\s+"
    r"(?:[\w-]+\s+)?(?:push|offensive|drive|thrust|assault|advance|attack|march)"
    # "trying to push toward X": an offensive under way is an advance; "trying to capture X" stays an intention
    r"|(?<!trying\s)(?<!tried\s)(?<!attempting\s)(?<!attempted\s)to\s+(?:\w+ly\s+)?(?:advance|push|move|press))\b",
    re.IGNORECASE,
)
ABLE_TO = re.compile(
    r"\b(?:managed|succeeded|able|went\s+on|continues?|continued|continuing|keeps?|kept|began|begun|begins?|started|"
    r"starts?|forced|compelled|obliged|had|decided|decides|(?<!\ba\s)(?<!\bno\s)(?<!\bany\s)decision|maneuver|manoeuvre|"
    r"(?:ordered|orders|told|authori[sz]ed)(?:\s+[\w’'-]+){0,3}?|(?:granted|gave|given|received|got)\s+(?:\w+\s+)?"
    r"(?:permission|approval)(?:\s+[\w’'-]+){0,3}?)\s*$",
    re.IGNORECASE,
)
"""Before the infinitive of a cue (``INFINITIVE_CUE``), what makes it an event: "managed to capture", "continue to
advance", "were forced to withdraw", "ordered his troops to withdraw", "the decision to withdraw" (not "a decision
to withdraw": one still weighed)."""
CLAUSE_BREAK = re.compile(
    r"(?=[;,—\s])(?:;|\s[–—]\s|—|,\s+(?:while|but|whereas|although|though|as|and\s+is|and\s+has|which|who|where)\b|"
    # "in March 2022, when Russian troops seized X": a when-clause after a time is in that time (no break)
    r"(?<!invasion)(?<!\bwar)(?<!conflict)(?<!offensive)(?<!\d\d\d\d)(?<!ber)(?<!uary)(?<!March)(?<!April)(?<!May)"
    r"(?<!June)(?<!July)(?<!August)(?<!spring)(?<!summer)(?<!autumn)(?<!winter),\s+when\b|"
    r"\s(?:while|whereas|but|although)\s"
    # "Ukrainian drones hit refineries as Russia pounds Kyiv": a second side's action is a clause of its own
    r"|\sas\s(?=(?:russia|ukraine|moscow|kyiv|kiev|israel|hezbollah|hamas|russian|ukrainian|israeli)\b[^,;]{0,30}?"
    r"\b(?:pounds|pounded|strikes|struck|attacks|attacked|hits|shells|shelled|launches|launched|presses|pressed|"
    r"advances|advanced|captures|captured|seizes|seized)\b)"
    # "the biggest gain since its forces seized X in May last year": the since-clause has its own time
    r"|\s(?=since\s+(?:[\w’'-]+\s+){1,3}?(?:\w+ed|took|fell|began|won|lost|overran|retook|left|came)\b)"
    # "X, which Russia said it captured in July, Ukrainian soldiers say they are still fighting in": a new
    # subject with its reporting verb closes the relative clause before it
    r"|,\s+(?=(?:[\w’'-]+\s+){1,3}?(?:say|says|said|insist|insists|insisted|report|reports|reported)\s+(?:that\s+)?"
    r"(?:they|it|he|she|we)\b))",
    re.IGNORECASE,
)
CLAUSE_BREAK_LOWER = re.compile(CLAUSE_BREAK.pattern)
"""``CLAUSE_BREAK`` for ``caseless_lowered`` text (its letters are all lower case)."""
