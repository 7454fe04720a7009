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

from programme_assistant.text.dates import MONTH_ABBREVIATIONS, MONTHS, WEEKDAYS
from programme_assistant.text.letters import UPPER
from programme_assistant.text.sentences import PART_BREAK, STOPWORDS, content_words, fold

_MONTHS = "|".join(m.lower() for m in (*MONTHS, *MONTH_ABBREVIATIONS))
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
    # a postal address: "221B Baker Street", "Carrer de Sant Pau, 24", "Hauptstraße 5", "08001 Barcelona",
    # "SW1A 1AA", "P.O. Box 12", "〒100-0005"
    "address": re.compile(
        r"\b\d{1,5}[a-z]?,?\s+(?:[\w'’.-]+\s+){0,4}?(?:street|st\.|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?"
        r"|lane|square|drive|court|terrace)(?![\w-])"
        r"|\b(?:carrer|calle|c/|avenida|avinguda|av\.|via|viale|piazza|corso|rue|avenue|boulevard|plaza|pla[cç]a"
        r"|paseo|passeig"
        r"|rambla|ronda|stra(?:ss|ß)e|platz|ulica|cesta|trg)\s+(?:[\w'’.-]+,?\s+){0,5}?(?:n[o°º]\.?\s*)?\d{1,5}\b"
        r"|\b[\w-]+(?:stra(?:ss|ß)e|gasse|weg|platz)\s+\d{1,5}\b"
        r"|\b\d{5}\s+(?-i:[A-Z])[\w'’-]+|(?-i:\b[A-Z]{1,2}\d[A-Z\d]?\s+\d[A-Z]{2}\b)"
        r"|\bp\.?\s?o\.?\s+box\s+\d+|〒\s?\d{3}-?\d{4}|\b\d{1,2}-\d{1,2}-\d{1,3}\b|\b[\w-]+-ku\b", re.IGNORECASE),
    "money": re.compile(r"[€$£¥]|\b(?:EUR|USD|JPY|GBP|yen|euros?|dollars?|million|billion|free of charge|free)\b",
                        re.IGNORECASE),
}

# (kind, cue) in priority order: the first cue found in the folded question decides what it asks for
_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"\be-?mail(?: address)?\b|\bcorreo electronico\b|\bcourriel\b|\bindirizzo e-?mail\b")),
    ("phone", re.compile(r"\b(?:phone|telephone) number\b|\bnumero de telefono\b|\bnumero di telefono\b"
                         r"|\bnumero de telephone\b")),
    ("address", re.compile(r"\b(?:street|postal|mailing|physical|office|exact|full) address\b|\baddress of\b"
                           r"|\bwhat(?:'s| is| was) (?:the |its |their |his |her )?address\b|\bat what address\b"
                           r"|\bdireccion postal\b|\bindirizzo\b|\badresse postale\b|\badreca postal\b")),
    ("time", re.compile(r"\b(what|which|at what) time\b(?!\s+(limit|frame|zone|difference|span|period|slot))"
                        r"|\ba (que|che) ora\b|\bquelle heure\b|\bhora\b|\bhorari")),
    ("duration", re.compile(r"\bhow long\b|\bfor how many (minutes|hours|days|weeks|months|years)\b"
                            r"|\bcuanto tiempo\b|\bquanto tempo\b|\bcombien de temps\b|\bquant de temps\b")),
    ("money", re.compile(r"\bhow much\b.*\b(cost|money|budget|fund|fee|pay|paid|worth|invest|mobilis|mobiliz"
                         r"|allocat|spend|spent|price)|\b(budget|fee|price|cost|costs|funding|presupuesto"
                         r"|bilancio|pressupost|coste?|costo)\b")),
    ("date", re.compile(r"\b(what|which|by what|on what|in what|since what|over what|over which) "
                        r"(?:(?:were|was|are|is) )?(?:the )?"
                        r"(?:(?:exact|precise|actual|specific|start|end|starting|closing|opening|first|last) )?"
                        r"(dates?|days?|years?|months?)\b"
                        r"|\bquelle (date|annee)\b"
                        r"|\bdepuis quand\b|\bdepuis quelle annee\b|\ben que (fecha|ano)\b|\bque dia\b"
                        # "¿Cuál fue la fecha ...?", "Qual è la data ...?", "In che data ...?", "Quin dia ...?"
                        r"|\b(?:quel|quelle|cual|qual|quale|quin|quina|que|che)"
                        r"(?: (?:est|es|fue|era|e|fou))?(?: (?:la|le|el|il))?"
                        r" (?:date|fecha|data|dia|giorno|jour|annee|ano|anno|any|mes|mese|mois)\b")),
    ("count", re.compile(r"\bhow many\b|\bhow much\b|\bnumber of\b|\bcuant[oa]s\b|\bquant[ie]\b|\bcombien\b"
                         r"|\bquant(s|es)\b")),
    ("place", re.compile(r"\b(which|what|in which|at which) (city|cities|country|countries|building"
                         r"|venue|island|place|location|site|town|hall|room)\b"
                         r"|\bedificio\b|\bisla\b|\bisola\b|\bciudad\b|\bcitta\b|\bville\b|\bciutat\b|\bon es\b")),
    ("name", re.compile(r"\bwho\b|\bwhom\b|\bwhose\b|\bwhich\b|\bquien(es)?\b|\bchi\b|\bqui\b|\bquin(a|s|es)?\b"
                        r"|\bqual[ei]?\b|\bquel(le)?s?\b|\bque (organizacion|organisme)\b")),
]
# "when" and "where" ask for a date or a place where they are the first question word of a clause ("When did ...",
# "... and when?", "by when"); after another question word, or in a yes-or-no question, they open a clause that says
# which occasion or place the question is about and ask for nothing ("How should I refer to a document when I cite
# it?", "What did DG ENER say when it opened the webinar?", "the venue where the meeting was held").
_BARE_CUES = {"date": frozenset({"when", "cuando", "quando", "quand", "quan"}),
              "place": frozenset({"where", "donde", "dove"})}
# a clause ends at punctuation or a conjunction; the one-letter ones in small letters only, so that the English
# "I" ("How should I ...") is not the Catalan "i" (and)
_CLAUSE_BREAK = re.compile(r"[,;:?!.¿¡()]|\b(?:(?i:and|or|but|et|ou|y)|e|i|o)\b")
_QUESTION_WORD = re.compile(
    r"\b(?:how|what|which|who|whom|whose|why|when|where|que|qu|quoi|quel|quelle|quels|quelles|qual|quale|quali"
    r"|cual|cuales|quin|quina|quins|quines|qui|quien|quienes|chi|cosa|como|com|come|comment|cuant[oa]s?|quant[oaie]?s?"
    r"|combien|pourquoi|perche|cuando|quando|quand|quan|donde|dove)\b")


# the French "où" (where) folds to "ou" (or): read it as "where" before folding, so that "Où se trouve ...?" asks
# for a place and "Osaka ou Kyoto ?" does not
_OU = re.compile(r"\boù\b", re.IGNORECASE)


def _clause_openers(question: str) -> set[str]:
    """The first question word of each clause of the question that is not a yes-or-no one ("when" in "Who chaired
    it, and when?"); ``question`` with "où" already read as "where" (``analyse``)."""
    openers = set()
    for clause in _CLAUSE_BREAK.split(question):
        clause = fold(clause).strip()
        first = _QUESTION_WORD.search(clause) if clause and not _YES_NO.match(clause) else None
        if first:
            openers.add(first.group())
    return openers


_YES_NO = re.compile(r"^(is|are|was|were|did|does|do|can|could|has|have|had|will|should|would|est-ce que|est-ce qu')\b"
                     r"(?!\s+(you|u)\b)")  # "Can you summarise ...?" asks for something, not yes or no
_DEFINITION = re.compile(
    r"what is meant by (?P<c>[^?]{2,60}?)\s*\??$"
    r"|what (?:does|do|did) (?:the (?:acronym|abbreviation|term) )?(?P<b>[^?]{2,40}?) (?:stand for|mean|refer to)"
    r"|^(?:.*[.!?]\s+)?(?:what|who)(?:\s+(?:exactly|actually|precisely|really))?(?:'s| is| are| was| were)"
    r"\s+(?:an?\s+|the\s+)?(?P<a>[^?]{2,60}?)\s*\??$",
    re.IGNORECASE)
_PRONOUN = re.compile(r"^(it|they|this|that|these|those|them|he|she)$", re.IGNORECASE)
_NAME_WORD = rf"(?:{UPPER}[\w'’&-]*[^\W\d_]|{UPPER}{{2,}}\d*)"  # in any script with case: "Évora", "Ōita"
_NAME = re.compile(rf"\b{_NAME_WORD}\b")
# a name of several capitalised words: "the Palau Robert", "Val d'Oise" as one
_NAME_RUN = re.compile(rf"\b{_NAME_WORD}(?:\s+{_NAME_WORD})*\b")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9&-]{1,9}\b")


# a possessive or a preposition: "EURADA's job", "role of Casa Asia", "agreement with Kyoto"
_RELATION = re.compile(r"['’]s\b|\b(?:in|of|for|at|on|with|during|between|from|to|about|by|after|before)\b",
                       re.IGNORECASE)


def _quoted(term: str, question: str) -> bool:
    return bool(re.search(rf"[\"“‘']{re.escape(term)}[\"”’']", question))


def _is_proper_name(term: str) -> bool:
    """"Ministry of Land", "Region of Kyoto": every word but the small ones capitalised."""
    words = [w for w in re.findall(r"[\w'’-]+", term) if w.lower() not in STOPWORDS]
    return bool(words) and all(w[:1].isupper() or w[:1].isdigit() for w in words) and "'s" not in term \
        and "’s" not in term


@dataclass(frozen=True)
class QuestionFocus:
    expects: str  # email, phone, address, time, duration, money, date, count, place, name, yesno or "" (anything)
    term: str | None = None  # "What is X?" / "What does X stand for?": the X
    yes_no: bool = False  # "Was there a fee ...?": asks whether, whatever else it asks for
    attribute: str = ""  # the words of its wh-phrase that name what it asks for: "room" ("Which room ...?")


# --- the attribute a question asks for -----------------------------------------------------------------------
# "Which room at Europa House ...?", "How many delegates did ...?", "What were the dates of ...?": the noun after
# the question word names the kind of thing the answer is. A passage about Europa House that names no room does
# not answer it, however close it is to the question (the learned refusal reads whether the best candidates
# hold that word: ``answerability.py``).
_ATTRIBUTE_WH = re.compile(r"\b(how many|how much|which|what|whose)\s+", re.IGNORECASE)
# "what were the dates of X", "what is the capacity of X", "what's the best time to ...": the noun after "the"
_BE_THE = re.compile(r"^(?:is|are|was|were|'s|’s)\s+(?:the|its|their|his|her)\s+((?:[\w'’-]+\s+){0,2}?[\w'’-]+)"
                     r"\s*(?:\b(?:of|for|at|in|on|to)\b|[?,]|$)", re.IGNORECASE)
# words that end the wh-phrase: an auxiliary, a preposition, a determiner or pronoun, a verb
_PHRASE_END = frozenset(
    "is are was were did does do has have had will would can could should may might at in on of for from to with by "
    "about during after before between that which who the a an this these those its their it they we i you he she "
    "there exactly actually precisely really first last made make makes took take takes gave give gives went go goes "
    "came come saw see said say met meet ran run held hold spoke speak got get won win led lead sent send built "
    "build paid pay left leave became become".split())


def asked_attribute(question: str) -> str:
    """The noun words of the question's wh-phrase ("Which room ...?" -> "room", "How many delegates did ...?" ->
    "delegates", "What were the dates of ...?" -> "dates"), or "" when it names none ("Who ...?", "What did ...?",
    "When ...?", a question in another language). English question words only."""
    m = _ATTRIBUTE_WH.search(question)
    if not m:
        return ""
    rest = re.sub(r"^(?:kinds?|types?|sorts?)\s+of\s+", "", question[m.end():], flags=re.IGNORECASE)
    if m.group(1).lower() in ("what", "which", "whose"):
        be = _BE_THE.match(rest)
        if be:
            return be.group(1).lower()
    words: list[str] = []
    for word in re.findall(r"[\w'’-]+", rest)[:4]:
        folded = word.lower()
        if folded in _PHRASE_END or (words and folded.endswith("ed")):
            break
        words.append(folded)
    return " ".join(words)


def analyse(question: str) -> QuestionFocus:
    where_read = _OU.sub("where", question)
    folded = fold(where_read)
    first_clause = folded.split(",")[0] if len(folded) > 80 else folded
    term = None
    # "What is Keihanna and why does it matter?": the term is in the first part of a question of several
    first_part = PART_BREAK.split(question.strip())[0].strip()
    m = _DEFINITION.search(first_part)
    if m:
        raw = next(g for g in (m.group("a"), m.group("b"), m.group("c")) if g)
        raw = re.sub(r"\s+(short for|an? (abbreviation|acronym)( of| for)?)$", "", raw.strip(" \"'“”‘’"))
        if m.group("a") and re.match(r"(?:what|who)\s+(?:(?:exactly|actually|precisely|really)\s+)?(?:are|were)\b",
                                     m.group().lower().split(". ")[-1]) \
                and not re.search(r"[A-Z\"“‘']", raw):
            raw = ""  # "What were the 2023 webinars?": a plural of common words asks which, not what it means
        if raw and _RELATION.search(raw) and not _quoted(raw, question) and not _is_proper_name(raw):
            raw = ""  # "What was EURADA's job in the cooperation?", "What is the role of Casa Asia?": asks about
            # something of a thing, not what a term means
        if re.match(r"(that|this|these|those|its|their)\b", raw, re.IGNORECASE):
            raw = ""  # "What does that acronym stand for?": the term is in the conversation, not here
        elif _PRONOUN.match(raw):  # "People keep mentioning KICK. What is it?": the name said before
            before = question.strip()[:m.start("a") if m.group("a") else m.start()]
            # the names said before the question itself ("What exactly is it?" is not one of them)
            before = re.sub(r"(?:what|who)\b[^.!?]*$", "", before, flags=re.IGNORECASE)
            names = _ACRONYM.findall(before) or _NAME_RUN.findall(before)
            raw = names[-1] if names else ""
        if raw and (len(raw.split()) <= 3 or (len(raw.split()) <= 6 and re.search(r"[A-Z\"“]", raw))):
            term = raw
    yes_no = bool(_YES_NO.match(folded.lstrip("¿¡ ")))
    attribute = asked_attribute(first_part)
    openers = _clause_openers(where_read)
    for kind, cue in _CUES:
        if cue.search(first_clause) or (kind != "name" and cue.search(folded)) \
                or bool(_BARE_CUES.get(kind, frozenset()) & openers):
            return QuestionFocus(kind, term, yes_no, attribute)
    return QuestionFocus("yesno" if yes_no else "", term, yes_no, attribute)


def _new_matches(pattern: re.Pattern[str], sentence: str, question_folded: str) -> list[str]:
    return [m.group() for m in pattern.finditer(sentence) if fold(m.group()) not in question_folded]


_NOT_NAMES = frozenset([*_MONTHS.split("|"), *(d.lower() for d in WEEKDAYS)])


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
