"""What a question asks for, and whether a sentence holds it.

A "when" question is answered by a date, "what time" by a clock time, "how long" by a duration, "how many"
by a number, "how much ... cost" by an amount, "where" by a place, "who" / "which organisation" by a name,
"what is the e-mail address / phone number" by one.
The sentence must hold such a thing that the question does not already say: "When did the November 2022
visit start?" is not answered by a sentence whose only date is "November 2022".

The cue words cover English and the languages of the sample corpus's press notes (Spanish, Italian,
Catalan, French), because questions may be asked in them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from programme_assistant.sentences import STOPWORDS, content_words, fold, question_parts

_MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december|"
           "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
                 "fifty|hundred|thousand|dozen|several|a few|half an?")

_SIGNALS: dict[str, re.Pattern[str]] = {
    "time": re.compile(r"\b\d{1,2}[:.h]\d\d\b|\b\d{1,2}\s?(?:am|pm)\b", re.IGNORECASE),
    "duration": re.compile(rf"\b(?:\d+|{_NUMBER_WORDS})[\s-]+(?:minutes?|hours?|days?|weeks?|months?|years?)\b"
                           r"|\b\d{1,2}[:.]\d\d\s*[-–]\s*\d{1,2}[:.]\d\d\b", re.IGNORECASE),
    "date": re.compile(rf"\b\d{{4}}-\d\d(?:-\d\d)?\b|\b(?:1[89]|20)\d\d\b|\b\d{{1,2}}\s+(?:{_MONTHS})\b"
                       rf"|\b(?:{_MONTHS})\s+\d{{1,2}}\b"
                       rf"|\b(?:early|mid|late|end of|beginning of|start of)\s+(?:{_MONTHS})\b", re.IGNORECASE),
    "count": re.compile(rf"\b\d[\d,.]*\b|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "phone": re.compile(r"(?:\+|\b00)\d[\d\s().-]{6,}\d\b|\(\d{2,5}\)\s?\d[\d\s-]{4,}\d\b"),
    "money": re.compile(r"[€$£¥]|\b(?:EUR|USD|JPY|GBP|yen|euros?|dollars?|million|billion|free of charge|free)\b",
                        re.IGNORECASE),
}

# (kind, cue) in priority order: the first cue found in the folded question decides what it asks for
_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"\be-?mail(?: address)?\b|\bcorreo electronico\b|\bcourriel\b|\bindirizzo e-?mail\b")),
    ("phone", re.compile(r"\b(?:phone|telephone) number\b|\bnumero de telefono\b|\bnumero di telefono\b"
                         r"|\bnumero de telephone\b")),
    ("time", re.compile(r"\b(what|which|at what) time\b(?!\s+(limit|frame|zone|difference|span|period|slot))"
                        r"|\ba (que|che) ora\b|\bquelle heure\b|\bhora\b|\bhorari")),
    ("duration", re.compile(r"\bhow long\b|\bfor how many (minutes|hours|days|weeks|months|years)\b"
                            r"|\bcuanto tiempo\b|\bquanto tempo\b|\bcombien de temps\b|\bquant de temps\b")),
    ("money", re.compile(r"\bhow much\b.*\b(cost|money|budget|fund|fee|pay|paid|worth|invest|mobilis|mobiliz"
                         r"|allocat|spend|spent|price)|\b(budget|fee|price|cost|costs|funding|presupuesto"
                         r"|bilancio|pressupost|coste?|costo)\b")),
    ("date", re.compile(r"\bwhen\b|\b(what|which|by what|on what|in what|since what|over what|over which) "
                        r"(?:(?:were|was|are|is) )?(?:the )?"
                        r"(?:(?:exact|precise|actual|specific|start|end|starting|closing|opening|first|last) )?"
                        r"(dates?|days?|years?|months?)\b"
                        r"|\bby when\b|\bsince when\b|\bcuando\b|\bquando\b|\bquan\b|\bquelle (date|annee)\b"
                        r"|\bdepuis quand\b|\bdepuis quelle annee\b|\ben que (fecha|ano)\b|\bque dia\b")),
    ("count", re.compile(r"\bhow many\b|\bhow much\b|\bnumber of\b|\bcuant[oa]s\b|\bquant[ie]\b|\bcombien\b"
                         r"|\bquant(s|es)\b")),
    ("place", re.compile(r"\bwhere\b|\b(which|what|in which|at which) (city|cities|country|countries|building"
                         r"|venue|island|place|location|site|town|hall|room)\b|\bdonde\b|\bdove\b|\bou\b"
                         r"|\bedificio\b|\bisla\b|\bisola\b|\bciudad\b|\bcitta\b|\bville\b|\bciutat\b|\bon es\b")),
    ("name", re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich\b|\bquien(es)?\b|\bchi\b|\bqui\b|\bquin(a|s|es)?\b"
                        r"|\bqual[ei]?\b|\bquel(le)?s?\b|\bque (organizacion|organisme)\b")),
]
_YES_NO = re.compile(r"^(is|are|was|were|did|does|do|can|could|has|have|had|will|should|would)\b"
                     r"(?!\s+(you|u)\b)")  # "Can you summarise ...?" asks for something, not yes or no
_DEFINITION = re.compile(
    r"what is meant by (?P<c>[^?]{2,60}?)\s*\??$"
    r"|what (?:does|do|did) (?:the (?:acronym|abbreviation|term) )?(?P<b>[^?]{2,40}?) (?:stand for|mean|refer to)"
    r"|^(?:.*[.!?]\s+)?(?:what|who)(?:'s| is| are| was| were)\s+(?:an?\s+|the\s+)?(?P<a>[^?]{2,60}?)\s*\??$",
    re.IGNORECASE)
_PRONOUN = re.compile(r"^(it|they|this|that|these|those|them|he|she)$", re.IGNORECASE)
_NAME = re.compile(r"\b(?:[A-Z][\w'’&-]*[A-Za-z]|[A-Z]{2,}\d*)\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&-]{1,9}\b")


@dataclass(frozen=True)
class QuestionFocus:
    expects: str  # email, phone, time, duration, money, date, count, place, name, yesno or "" (anything)
    term: str | None = None  # "What is X?" / "What does X stand for?": the X
    yes_no: bool = False  # "Was there a fee ...?": asks whether, whatever else it asks for


def analyse(question: str) -> QuestionFocus:
    folded = fold(question)
    first_clause = folded.split(",")[0] if len(folded) > 80 else folded
    term = None
    m = _DEFINITION.search(question.strip())
    if m:
        raw = next(g for g in (m.group("a"), m.group("b"), m.group("c")) if g)
        raw = re.sub(r"\s+(short for|an? (abbreviation|acronym)( of| for)?)$", "", raw.strip(" \"'“”‘’"))
        if re.match(r"(that|this|these|those|its|their)\b", raw, re.IGNORECASE):
            raw = ""  # "What does that acronym stand for?": the term is in the conversation, not here
        elif _PRONOUN.match(raw):  # "People keep mentioning KICK. What is it?": the name said before
            before = question.strip()[:m.start("a") if m.group("a") else m.start()]
            names = _ACRONYM.findall(before) or _NAME.findall(before)
            raw = names[-1] if names else ""
        if raw and (len(raw.split()) <= 3 or (len(raw.split()) <= 6 and re.search(r"[A-Z\"“]", raw))):
            term = raw
    yes_no = bool(_YES_NO.match(folded.lstrip("¿¡ ")))
    for kind, cue in _CUES:
        if cue.search(first_clause) or (kind != "name" and cue.search(folded)):
            return QuestionFocus(kind, term, yes_no)
    return QuestionFocus("yesno" if yes_no else "", term, yes_no)


_ABSENCE = re.compile(
    r"\bno\b[^.;:]{0,80}?\b(?:was|were|has been|have been|had been|is|are)\s+(?:\w+\s+)?(?:published|signed|given|"
    r"recorded|available|made public|released|announced|disclosed|agreed|minuted|kept)\b"
    r"|\b(?:not|never)\s+(?:been\s+|yet\s+)?(?:published|signed|given|recorded|available|made public|released|"
    r"announced|disclosed|minuted|documented|known)\b"
    r"|\bdoes not (?:give|state|record|mention|include|say|list|name|contain)\b"
    r"|\bwill be (?:communicated|announced|made available|decided|confirmed)\b"
    r"|\b(?:still|yet) to be (?:signed|published|decided|confirmed|announced|agreed|set|fixed)\b"
    r"|\bno (?:\w+[ -]){0,3}(?:figure|figures|record|records|data|information|details|date)\b(?:[^.;:]{0,40}\b"
    r"(?:published|given|available|recorded))?", re.IGNORECASE)


# "What is the name of the Governor of Aichi?", "Who was the DG REGIO Deputy Director-General?": a question
# asking which person holds a role, answered only by a person's name, not by the role restated
_PERSON_TITLES = (r"governor|director|director-general|deputy|minister|mayor|president|vice-president|ambassador"
                  r"|commissioner|chair|chairman|chairwoman|chairperson|secretary|secretary-general|rector|ceo"
                  r"|head|spokesperson|spokesman|spokeswoman|prefect|consul|manager|coordinator")
_ASKS_FOR_PERSON = re.compile(
    rf"\bname of (?:the |its |their )?(?:[\w-]+ ){{0,3}}?(?:{_PERSON_TITLES})\b"
    rf"|^who (?:is|was|were|are) (?:the |its |their )?(?:[\w-]+ ){{0,3}}?(?:{_PERSON_TITLES})\b", re.IGNORECASE)
# capitalised words that make a name an organisation's or a place's, not a person's
_NOT_PERSON = frozenset(
    "prefecture government region regional agency office centre center commission delegation ministry university "
    "association council bureau city science park plaza house building innovation cooperation programme program "
    "strategy partnership alliance cluster corridor valley airport institute foundation network group company "
    "chamber department directorate service team helpdesk summit expo island station hall room hotel union "
    "european japan japanese eu country meeting webinar visit report policy dialogue forum conference session "
    "agreement plan urban rural development research technology energy health level high-level directorate "
    "directorate-general exchange open world state states national international".split())
# a run of capitalised words, each whole ("High-Level" is one word, never "Level"), possessives trimmed
_TITLECASE_RUN = re.compile(r"(?<![\w'’-])[A-Z][a-z]+(?:-[A-Za-z]+)*(?:\s+[A-Z][a-z]+(?:-[A-Za-z]+)*)+(?![\w-])")


def asks_for_person(question: str) -> bool:
    """The question asks for the name of the person holding a role ("the name of the Governor of Aichi")."""
    return bool(_ASKS_FOR_PERSON.search(question.strip()))


def has_person_name(sentence: str, question: str) -> bool:
    """The sentence holds something that can be a person's name: two or more capitalised words in a row, none of
    them said by the question or naming an organisation or place ("Prefecture", "Bureau", "Park")."""
    asked = set(re.findall(r"[\w-]+", fold(question)))
    for m in _TITLECASE_RUN.finditer(sentence):
        words = [fold(re.sub(r"['’]s$", "", w)) for w in m.group().split()]
        if m.start() == 0:
            words = words[1:]  # a sentence's first word is capitalised anyway
        run = 0  # "Deputy Director-General Normunds Popens": the role is asked, the two words after it are a name
        for w in words:
            run = 0 if (w in asked or w in _NOT_PERSON or w in STOPWORDS) else run + 1
            if run >= 2:
                return True
    return False


# "Which hotel did they stay in?": kinds of place or thing that a document answering the question names as such
# ("stayed at the Hotel Granvia", "the Granvia hotel"); passages about the trip that never say "hotel" do not
# answer it. Kinds whose instances often go without the word (a building: "Keihanna Plaza") are not listed.
_NAMED_KINDS = ("hotel|hotels|restaurant|restaurants|airline|airlines|flight|flights|train|trains|museum|museums"
                "|newspaper|newspapers|bank|banks|university|universities|hospital|hospitals|school|schools"
                "|caterer|caterers|interpreter|interpreters|translator|translators")
_ASKS_FOR_KIND = re.compile(rf"^(?:which|what|in which|at which|on which|with which) ({_NAMED_KINDS})\b",
                            re.IGNORECASE)


def asked_kind(question: str) -> str | None:
    """The kind of thing a "which hotel / which airline ..." question asks for (singular), or None."""
    m = _ASKS_FOR_KIND.search(question.strip())
    if not m:
        return None
    kind = m.group(1).lower()
    return kind[:-3] + "y" if kind.endswith("ies") else kind.rstrip("s") if kind.endswith("s") else kind


def mentions_kind(sentence: str, kind: str) -> bool:
    stem = kind[:-1] if kind.endswith("y") else kind
    return bool(re.search(rf"\b{re.escape(stem)}\w{{0,3}}\b", sentence, re.IGNORECASE))


def _last_sentence(question: str) -> str:
    """What a question asks about is in its last sentence: "I read it was 2012. When was it?" does not ask
    about 2012."""
    sentences = [p for p in re.split(r"(?<=[.!?])\s+", question.strip()) if p]
    return sentences[-1] if sentences else question


def named_years(question: str) -> set[str]:
    """Years the question itself asks about (in its last sentence)."""
    return set(re.findall(r"\b(?:19|20)\d\d\b", _last_sentence(question)))


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
             "eleventh", "twelfth")
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def named_ordinals(question: str) -> set[str]:
    """Ordinals the question asks about (in its last sentence), as words ("the fifth exchange meeting", "the
    5th webinar" -> {"fifth"}); "first" is left out, being said of almost anything ("the first cycle")."""
    last = fold(_last_sentence(question))
    found = set(re.findall(rf"\b({'|'.join(_ORDINALS[1:])})\b", last))
    for number in re.findall(r"\b(\d{1,2})(?:st|nd|rd|th)\b", last):
        if 2 <= int(number) <= len(_ORDINALS):
            found.add(_ORDINALS[int(number) - 1])
    return found


def mentions_ordinal(text: str, ordinal: str) -> bool:
    """The text names that position: "fifth", "5th", "no. 5", "No 5", "#5"."""
    n = _ORDINALS.index(ordinal) + 1
    return bool(re.search(rf"\b{ordinal}\b|\b{n}{_ORDINAL_SUFFIX.get(n, 'th')}\b|\bno\.?\s*{n}\b|#\s*{n}\b",
                          fold(text)))


def has_several_parts(question: str) -> bool:
    """"When was that, and did they stop in Catalonia?": two questions in one."""
    return len(question_parts(question)) > 1


def states_absence(sentence: str) -> bool:
    """The sentence says that something was not published, not signed, is not recorded or is still to be
    decided: the documents' own word that what a question asks for does not exist in them."""
    return bool(_ABSENCE.search(sentence))


def _new_matches(pattern: re.Pattern[str], sentence: str, question_folded: str) -> list[str]:
    return [m.group() for m in pattern.finditer(sentence) if fold(m.group()) not in question_folded]


_NOT_NAMES = frozenset(f"{_MONTHS}|monday|tuesday|wednesday|thursday|friday|saturday|sunday".split("|"))


def new_names(sentence: str, question: str) -> list[str]:
    """Capitalised names and acronyms in ``sentence`` that the question does not mention (not counting the
    first word, days and months)."""
    q = fold(question)
    out = []
    for m in _NAME.finditer(sentence):
        word = m.group()
        folded = fold(word)
        if folded in STOPWORDS or folded in _NOT_NAMES or folded in q \
                or (m.start() == 0 and not _ACRONYM.fullmatch(word)):
            continue
        out.append(word)
    return out


def defines(term: str, sentence: str) -> bool:
    """The sentence defines ``term``: "KICK — Keihanna Open ...", "KICK: ...", "KICK is/stands for ...",
    "Keihanna Open Innovation Center (KICK)", "KICK (Keihanna Open Innovation Center)"."""
    t = re.escape(term)
    return bool(re.search(rf"^(?:the\s+)?{t}\s*(?:[—–:-]|\(|,)"
                          rf"|(?<![\w-]){t}(?:,)?\s+(?:is|was|are|were|stands? for|means|refers to)\b"
                          rf"|\((?:the\s+)?{t}\)|(?<![\w-]){t}\s*\(", sentence, re.IGNORECASE))


def answer_signal(focus: QuestionFocus, sentence: str, question: str) -> float:
    """1.0 when the sentence holds what the question asks for and does not already say; 0.0 when it does not;
    0.5 when the question gives no such expectation."""
    q = fold(question)
    if focus.term:
        return 1.0 if defines(focus.term, sentence) else 0.0
    if focus.expects == "count":  # a number that is not part of a date or a clock time
        undated = _SIGNALS["time"].sub(" ", _SIGNALS["date"].sub(" ", sentence))
        return 1.0 if _new_matches(_SIGNALS["count"], undated, q) else 0.0
    if focus.expects == "counted":  # "how many people": a number of people, not of something else
        undated = _SIGNALS["time"].sub(" ", _SIGNALS["date"].sub(" ", sentence))
        nouns = {w[:5] for w in content_words(question) if len(w) > 2}
        for m in _SIGNALS["count"].finditer(undated):
            if fold(m.group()) in q:
                continue
            following = content_words(" ".join(undated[m.end():].split()[:3]))
            if any(w[:5] in nouns for w in following):
                return 1.0
        return 0.0
    if focus.expects in _SIGNALS:
        return 1.0 if _new_matches(_SIGNALS[focus.expects], sentence, q) else 0.0
    if focus.expects == "place":
        return 1.0 if re.search(r"\b(at|in|on|to|from|near)\s+(the\s+)?[A-Z]", sentence) and new_names(
            sentence, question) else 0.0
    if focus.expects == "name":
        return 1.0 if new_names(sentence, question) else 0.0
    return 0.5
