"""Follow-up questions and small talk in a chat, planned before retrieval.

Without a chat model (``plan_question``):

- A message that is no question about the article ("hi", "مرحبا", "ok", "thanks"; or, with
  no earlier question, one without a content word such as "Where?") is answered with an
  invitation to ask about the article (``INVITATION``), abstained, no citations, no
  retrieval, ``extra["abstention_reason"] == "no-question"``.
- A question wrapped in a request ("Can you tell me who attended?", «ممكن تقولي مين حضر؟»,
  "…, please?") is asked as the question it wraps (``strip_request_frame``); a request
  about a topic ("Tell me about Haftar", «احكيلي عن حفتر») as "What about X?" / «ماذا عن X؟».
- A message asking several questions ("Who attended? Where was it held?", «من حضر المؤتمر
  وأين عقد؟») is cut into them (``split_questions``); ``qa.chain`` answers each in turn.
- A short follow-up (under two content words: "and when?", "ومتى؟", "ماذا قال؟") keeps its
  own words (its question word decides what is asked) and takes only the *topic* of the
  previous question: its content words (``qa.text.content_words``) without the verb right
  after its question word ("Who attended the conference?" + "and when?" -> "when?
  conference"; "من حضر المؤتمر؟" + "ومتى؟" -> "متى؟ المؤتمر"). The previous question is
  itself taken as folded, so a chain of follow-ups keeps its topic.
- A follow-up that only asks for more of the same ("who else?", «مين كمان؟», "more?":
  ``asks_for_more``) is the previous question asked again, without the quotes already given
  (below); when those were every sentence of the top passages, the other retrieved passages
  are read too (``ExtractiveAnswerer.answer``).
- A follow-up that asks again what the previous question asked (``asks_again``: the same
  question word, "else", a verb of saying) does not quote again what the previous answer
  quoted: those quotes go to ``ExtractiveAnswerer.answer(exclude=...)``. One that asks
  another thing ("and why?" after "Which country did not take part?") may quote them again
  where they hold the kind of answer it asks for (``repeat_kind``, ``qa.grounding.holds_kind``).
  Plain history holds only text, so they are
  recovered from the assistant message that answered the previous question: each «quote»
  in it is located in the articles (extractive answers quote sentences verbatim, which is
  what the web UI and ``Answer.text`` keep); when none can be located but the message
  looks like an answer (a «quote» or a ``[n]`` marker: a shortened or edited quote, a chat
  model's prose), the previous question is answered again extractively (about 25 ms) and
  its quotes are excluded. An abstention, an invitation or an error message excludes
  nothing.
- A follow-up with no content word of its own ("and when?") after an answer that said the
  article does not say abstains too (``extra["abstention_reason"] ==
  "follow-up-of-abstention"``): the fold drops the previous question's verb, which could
  otherwise turn "How much was the budget?" + "and when?" into a quotable question.

With a chat model, a follow-up is rewritten by the model instead (no quotes are excluded
then); when the rewrite fails it is folded as above. The invitation holds in both modes:
a greeting is not sent to the model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

from .answer import ABSTENTION
from .text import (DIALECT_QUESTION_WORDS, INVISIBLE, NUMBER, STOPWORDS, content_words, detect_language,
                   is_arabic_token, normalize)

History = list[dict[str, Any]]


def previous_question(history: History | None) -> str | None:
    """The last user message of a Gradio-style history (``[{"role", "content"}, ...]``)."""
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), str):
            return message["content"]
    return None


# What the bot says to a message that asks nothing about the article ("hi", "ok", "Tell me a
# joke"), per language of the message; "Where?" with nothing before it gets ``NO_ANTECEDENT``.
INVITATION = {
    "ar": "اسألني سؤالا عن المقال (من، ماذا، أين، متى، لماذا…) وسأجيب باقتباسات منه.",
    "en": "Ask me a question about the article (who, what, where, when, why…) and I will answer with quotes from it.",
    "fr": "Posez-moi une question sur l'article (qui, quoi, où, quand, pourquoi…) et je répondrai par des "
          "citations de l'article.",
}

# What the bot says to thanks alone ("thanks!", «شكرا»): the invitation answered them as if
# they had asked nothing (a trial).
THANKS_REPLY = {
    "ar": "عفوا. اسألني ما شئت عن المقال.",
    "en": "You're welcome. Ask me anything else about the article.",
    "fr": "Je vous en prie. Posez-moi toute autre question sur l'article.",
}


def is_thanks(text: str) -> bool:
    """True for thanks alone ("thanks!", "ok thank you", «شكرا جزيلا»): small talk
    (``is_small_talk``) holding a word of thanks; or thanks with a remark that asks nothing
    ("Thank you, that was helpful", «شكرا، كان ذلك مفيدا», "Great answer, thanks":
    ``is_thanks_remark``)."""
    return (is_small_talk(text) and any(t in _THANKS for t in _folded(text))) or is_thanks_remark(text)


def is_thanks_remark(text: str) -> bool:
    """True when ``text`` opens or closes with thanks (``strip_small_talk`` takes them off) and
    what is left asks nothing: no question mark, no question word, no word of a request
    ("tell", «احكيلي»: ``REQUEST_FRAME_WORDS``), no request for the whole article. A trial's
    "Thank you, that was helpful" was answered as the question "That was helpful" with quotes;
    "Thanks! Who attended?" and "Thanks, tell me about Haftar" still ask."""
    if not any(t in _THANKS for t in _folded(text)):
        return False
    rest = strip_small_talk(text)
    if rest == text or any(mark in rest for mark in "?؟"):
        return False
    words = _folded(rest)
    if words and words[0] in _AUXILIARIES:  # "Does the deal include …" asks, mark or not
        return False
    return not any(w in QUESTION_WORDS or (w in REQUEST_FRAME_WORDS and w not in STOPWORDS) for w in words) and not (
        is_overview_request(rest) or is_title_request(rest) or is_continue_request(rest))


# What the bot says to a goodbye alone ("bye", «مع السلامة»): the invitation to ask a question
# answered it as if the reader had asked nothing (a trial).
FAREWELL_REPLY = {
    "ar": "مع السلامة. عد متى شئت بسؤال عن المقال.",
    "en": "Goodbye. Come back with any question about the article.",
    "fr": "Au revoir. Revenez quand vous voulez avec une question sur l'article.",
}


def is_farewell(text: str) -> bool:
    """True for a goodbye alone ("bye", "ok, goodbye", «وداعا», «مع السلامة»), thanks with it
    or not: small talk (``is_small_talk``) holding a word of parting."""
    return is_small_talk(text) and any(t in _FAREWELL for t in _small_talk_words(text))


# What the bot says to a question in a script it cannot read (``qa.text.in_other_script``).
OTHER_SCRIPT = ("I read questions in Arabic or English (French too): please ask about the article in one of them. "
                "/ أقرأ الأسئلة بالعربية أو الإنجليزية (والفرنسية): اسأل عن المقال بإحداها.")

# What the bot says to a first message that asks about something not said ("What did he say?",
# «ماذا قال؟», "Where?" with no question before it): the invitation to ask a question read as if
# the question asked had not been one (a trial).
NO_ANTECEDENT = {
    "ar": "عمّ تسأل؟ لا سؤال قبله في هذه المحادثة يتابعه: اذكر في سؤالك من أو ما تقصد.",
    "en": "What does this refer to? There is no earlier question in this conversation for it to follow: "
          "say who or what you mean.",
    "fr": "De quoi parlez-vous ? Aucune question avant celle-ci dans cette conversation : précisez qui ou "
          "quoi vous voulez dire.",
}

_TOKEN = re.compile(r"\w+", re.UNICODE)
_DIGITS = re.compile(r"\d+")
QUOTE_PATTERN = re.compile(r"«(.+?)»", re.S)
MARKER_PATTERN = re.compile(r"\[\d+\]")
MIN_QUOTE_CHARS = 12  # a shorter «…» in an answer is not taken for a quoted sentence
# Question words (normalised): the word after one of these is the question's verb.
QUESTION_WORDS = frozenset(normalize(w) for w in (
    "who whom whose what which when where why how من ما ماذا متى أين اين كيف كم لماذا هل أي اي لمن ممن بماذا"
).split() + list(DIALECT_QUESTION_WORDS))
# Conjunctions that open a follow-up ("and when?", "so who?"); Arabic ones are prefixes ("ومتى", "فماذا").
_LEADING_CONJUNCTIONS = frozenset("and so but also then or".split()) | frozenset(
    normalize(w) for w in "لكن ولكن لكنْ بل بس".split())  # «شكرا، لكن أين عقد؟» (a trial: «لكن» was asked about)
# Negations, which reverse what a topic asks about: a follow-up keeps them. "and why?" after
# "Which country did not take part?" was retrieved as "why? take part" and quoted the
# delegations that did (a trial); "why? not take part" reaches Egypt's absence. English "n't"
# comes out of ``_TOKEN`` as a lone "t".
NEGATIONS = frozenset(normalize(w) for w in "not never no t لم لن لا ليس ليست غير".split())
# Greetings, thanks and acknowledgements: a message made only of these (and function words)
# asks nothing about the article, whatever came before.
SMALL_TALK = frozenset(normalize(w) for w in (
    "hi hello hey hiya howdy yo greetings thanks thank thx ty you very much lot ok okay k yes yeah yep no nope "
    "bye goodbye good morning evening afternoon night great nice cool fine sure please alright welcome cheers "
    "مرحبا مرحباً أهلا اهلا هلا هاي السلام سلام عليكم وعليكم صباح مساء الخير النور شكرا شكراً جزيلا لك لكم "
    "تسلم مشكور حسنا حسناً طيب تمام ممتاز جميل نعم لا أوكي اوكي وداعا sorry excuse عفوا معليش "
    "bonjour bonsoir salut coucou merci beaucoup"  # French too: the answers speak to French readers
).split())


# Greetings that are phrased as questions.
GREETING_PHRASES = tuple(sorted((normalize(p) for p in (
    "how are you", "how are you doing", "how is it going", "كيف حالك", "كيف الحال", "كيفك")), key=len, reverse=True))
# Goodbyes of several words (their words alone are no small talk: «السلامة» is "safety").
FAREWELL_PHRASES = tuple(sorted((normalize(p) for p in (
    "مع السلامة", "see you", "see you later", "au revoir")), key=len, reverse=True))


# Requests for what the article says as a whole ("Summarise it", "What is the article
# about?", "لخص المقال", "De quoi parle l'article ?"): answered with its opening sentences
# (``kind == "overview"``), not retrieved like a question. A vocabulary, not a tuned list:
# words that ask for a summary; words that ask what a text is about (with "about"/"عن" and a
# word naming the text); words naming the text itself; and the words a request is framed
# with. A request that also names something in the article ("Summarise what Hamza said") is
# a question about that, retrieved as usual.
def _vocabulary(words: str) -> frozenset[str]:
    """The normalised, lower-cased words of a space-separated list."""
    return frozenset(normalize(w).lower() for w in words.split())


def _folded(text: str) -> list[str]:
    """``text``'s words as the vocabularies hold them: normalised, lower-cased, a glued
    Arabic "و"/"ف" off a function word, apostrophes as spaces ("l'article", "what's")."""
    return [normalize(_strip_conjunction(t)).lower() for t in _tokens(text.replace("'", " ").replace("’", " "))]


SUMMARY_WORDS = _vocabulary(
    "summarize summarise summarizes summary summaries summarization summarisation sum tldr tl dr gist overview "
    "recap outline point points takeaways highlights idea ideas résume résumer résumé resume synthèse "
    "لخص لخصلي تلخيص ملخص ملخصا الملخص خلاصة الخلاصة اختصر باختصار النقاط الفكرة فكرة"
)
TOPIC_WORDS = _vocabulary(
    "topic subject main key points point idea ideas takeaways story parle sujet "
    "موضوع الموضوع يتحدث تتحدث يدور الفكرة الرئيسية فكرة النقاط اهم أهم جاء يقول"
)
ABOUT_WORDS = _vocabulary("about عن عما عم sur quoi")
ARTICLE_WORDS = _vocabulary(
    "article articles text texts story stories piece document documents news report page file it this them "
    "these those l la le les de du cet cette "
    "المقال المقاله للمقال بالمقال المقالات المقالين النص للنص الخبر التقرير الوثيقة الملف هذا هذه"
)
REQUEST_WORDS = _vocabulary(
    "please tell me give can could you would one sentence sentences short brief briefly quick quickly in a few up "
    "words what whats is are was the do does an of me lui quel quelle est "
    "ممكن اعطني أعطني اريد أريد لي من فضلك فضلك لو سمحت جملة جمل قصير باختصار ايش شو ماذا ما هو هي"
)


def is_overview_request(text: str) -> bool:
    """True when ``text`` asks what the article says as a whole and names nothing else: a
    summary word ("Summarize them", "ممكن ملخص؟", "TLDR"), or a topic word or "about" with a
    word naming the text ("What is this article about?", "ما هو موضوع هذا المقال؟", "عن ايش
    المقال؟", "De quoi parle l'article ?"); not "Summarise what Hamza said"."""
    tokens = _folded(text)
    if not tokens:
        return False
    summary = any(t in SUMMARY_WORDS for t in tokens)
    topic = any(t in TOPIC_WORDS or t in ABOUT_WORDS for t in tokens) and any(t in ARTICLE_WORDS for t in tokens)
    allowed = SUMMARY_WORDS | TOPIC_WORDS | ABOUT_WORDS | ARTICLE_WORDS | REQUEST_WORDS
    return (summary or topic) and all(t in allowed or t in STOPWORDS or len(t) < 2 for t in tokens)


# Words naming an article's title: "What is the title of the article?", «ما عنوان المقال؟»,
# "Quel est le titre ?" ask for its headline, which the overview quotes first.
TITLE_WORDS = _vocabulary("title titles headline headlines heading titre titres عنوان العنوان عنوانه عناوين")


# Words asking what something is called: a title request when they name the text itself
# ("What is the article called?", «ما اسم المقال؟»), not "What is it called?".
NAME_WORDS = _vocabulary("called named name اسم يسمى")
ARTICLE_NOUNS = _vocabulary("article story piece document report المقال المقاله للمقال الخبر التقرير النص")


def is_title_request(text: str) -> bool:
    """True when ``text`` asks for the article's title and names nothing else ("What's the
    headline?", «ما هو عنوان هذا المقال؟», "Quel est le titre de l'article ?", "What is the
    article called?"); not "Who won the title?" (its other words ask something else), «ما
    عنوان الشركة؟» (an address) nor "What is it called?"."""
    tokens = _folded(text)
    allowed = TITLE_WORDS | NAME_WORDS | ARTICLE_WORDS | REQUEST_WORDS | PARAGRAPH_ASKING
    asks = any(t in TITLE_WORDS for t in tokens) or (any(t in NAME_WORDS for t in tokens)
                                                     and any(t in ARTICLE_NOUNS for t in tokens))
    return asks and all(t in allowed or t in STOPWORDS or len(t) < 2 for t in tokens)


# Words asking who wrote the article: a noun naming its writer ("Who is the author?", «من
# كاتب المقال؟»), or a verb of writing with a word naming the text ("Who wrote the article?",
# «من كتب المقال؟», which was refused: «كتب» is no word of the article). Its byline answers.
AUTHOR_NOUNS = _vocabulary(
    "author authors writer writers byline reporter reporters journalist journalists correspondent auteur "
    "auteurs journaliste كاتب الكاتب كاتبه كاتبة مؤلف المؤلف مؤلفه محرر المحرر محرره مراسل المراسل صحفي الصحفي "
    "بقلم"
)
WRITING_VERBS = _vocabulary("wrote write writes written penned authored écrit كتب كتبه كتبت كتبها يكتب")
AUTHOR_ASKING = _vocabulary("who whom whose by من مين منو شكون qui")
# "it" and "this" name the article in a first question ("Who wrote it?"), as the "it" of «كتبه» does.
_POINTING_AT_TEXT = _vocabulary("it this كتبه كتبها")


def is_author_request(text: str, first: bool = False) -> bool:
    """True when ``text`` asks who wrote the article and names nothing else ("Who wrote the
    article?", "Who is the author?", «من كتب المقال؟», «من هو كاتب المقال؟», "Qui a écrit
    l'article ?"); not "Who wrote the letter?" (another text). "Who wrote it?" / «من كتبه؟»
    only as a ``first`` question: after another, "it" may be what that one was about."""
    tokens = _folded(text)
    named = ARTICLE_NOUNS | (_POINTING_AT_TEXT if first else frozenset())
    asks = any(t in AUTHOR_NOUNS for t in tokens) or (
        any(t in WRITING_VERBS for t in tokens) and any(t in named for t in tokens))
    allowed = AUTHOR_NOUNS | WRITING_VERBS | AUTHOR_ASKING | ARTICLE_WORDS | REQUEST_WORDS | NAME_WORDS
    return asks and all(t in allowed or t in STOPWORDS or len(t) < 2 for t in tokens)


# Requests for one paragraph by its place ("What does the first paragraph say?", «ماذا تقول
# الفقرة الثالثة؟», "paragraph 4", "¶4"): the article panel and every citation number the
# paragraphs ¶1..¶n (the headline is ¶1), and a request counts the same way. A vocabulary:
# words naming a paragraph, ordinals (-1: the last), and the words such a request is framed with.
PARAGRAPH_WORDS = _vocabulary("paragraph paragraphs para paragraphe paragraphes فقرة الفقرة الفقرات فقرات فقراته فقره الفقره "
                              "فقرتين الفقرتين فقرتان الفقرتان")
# The Arabic dual names two paragraphs («أول فقرتين»: the first two).
_DUAL = _vocabulary("فقرتين الفقرتين فقرتان الفقرتان")
# Places ``qa.grounding.ordinals`` does not read (it reads "first" to "tenth", "2nd" and the
# Arabic ordinals): counted from the end, "opening", and French ordinals.
PLACE_WORDS = {normalize(w).lower(): n for words, n in (
    ("opening premier premiere première premiers premières", 1), ("deuxième deuxieme seconde", 2), ("troisième troisieme", 3),
    ("quatrième quatrieme", 4), ("cinquième cinquieme", 5), ("sixième sixieme", 6), ("septième septieme", 7),
    ("huitième huitieme", 8), ("neuvième neuvieme", 9), ("dixième dixieme", 10),
    ("last final closing concluding dernier dernière derniere derniers dernières الأخيرة الاخيرة أخيرة الأخير آخر", -1),
    ("penultimate", -2),
) for w in words.split()}
# Cardinals count only right after the noun, as digits do ("paragraph two", «الفقرة 3»): "in
# one paragraph" and "in 2 paragraphs" ask for a length, not a place.
CARDINALS = {normalize(w).lower(): n for words, n in (
    ("one un une واحد", 1), ("two deux اثنان اثنين", 2), ("three trois ثلاثة ثلاث", 3), ("four quatre أربعة اربعة أربع اربع", 4),
    ("five cinq خمسة خمس", 5), ("six ستة ست", 6), ("seven sept سبعة سبع", 7), ("eight huit ثمانية ثماني", 8),
    ("nine neuf تسعة تسع", 9),
    ("ten dix عشرة", 10),
) for w in words.split()}
PARAGRAPH_ASKING = _vocabulary(
    "say says said saying read reads show display quote contain contains number no que dit dire lire montre "
    "تقول يقول يقوله تقوله قال ذكر تذكر يذكر اقرأ اقرا اعرض نص رقم مضمون محتوى مكتوب ورد")
_PILCROW = re.compile(r"¶\s*(\d+)")
# Words asking how many paragraphs there are ("How many paragraphs does it have?", «كم عدد
# فقرات المقال؟»): such a request gets the count (``paragraph_request`` -> 0).
COUNT_WORDS = _vocabulary("many number count combien nombre كم عدد")
# A paragraph is read at most this far from the start by its ordinal word ("the eleventh
# paragraph", «الفقرة الحادية عشرة»); past it, digits ("paragraph 24", "¶24").
ORDINAL_PARAGRAPHS = 20
# The paragraph after or before the one the previous answer quoted ("next paragraph", «الفقرة
# التالية», "the previous paragraph"): its step.
STEP_WORDS = {normalize(w).lower(): n for words, n in (
    ("next following after suivant suivante suivants التالية التالي اللاحقة الموالية بعدها تليها يليها التاليتين "
     "التاليين", 1),
    ("previous preceding before précédent précédente precedent precedente السابقة السابق قبلها الماضية السابقتين "
     "السابقين", -1),
    # the same paragraph(s) again ("read it again", «أعد الفقرة»)
    ("again repeat reread re-read encore أعد اعد كرر مجددا", 0),
) for w in words.split()}


# Words joining the ends of a range of paragraphs ("paragraphs 2 to 4", «الفقرات من 2 إلى 4»).
RANGE_WORDS = _vocabulary("to through thru until till à au jusqu من إلى الى حتى")
# Words between the noun and its number ("paragraph number 3", «الفقرة رقم ٣»): passed over.
NUMBER_WORDS = _vocabulary("number no nr numero numéro رقم")
# "the paragraph before the last", «الفقرة ما قبل الأخيرة»: one more from the end.
BEFORE_WORDS = _vocabulary("before قبل")
# "Read the whole article", «اقرأ المقال كاملا»: its paragraphs from the first.
WHOLE_WORDS = _vocabulary("whole entire full complete all entier entière entièrement tout كامل كاملا كاملة كامله كله "
                          "بالكامل كلها")
_DIGIT_RANGE = re.compile(r"(\d+)\s*[-–—]\s*(\d+)")
# At most this many paragraphs are read at once ("paragraphs 1 to 40": the first ones; "more" goes on).
MAX_PARAGRAPHS = 5


def _paragraph_words(text: str) -> tuple[list[int], str, list[str], list[int]]:
    """What ``paragraph_request`` and ``paragraph_scope`` read of ``text``: the numbers of
    its "¶N", the text without them, its words (``_folded``) without ordinals and without
    the words between a noun and its number ("رقم", "number"), and the numbers said right
    after a paragraph noun ("paragraph two", «الفقرة 3»)."""
    from .grounding import without_ordinals

    pilcrows = [int(m) for m in _PILCROW.findall(text)]
    text = _PILCROW.sub(" ", text)
    tokens = [t for t in _folded(without_ordinals(text, ORDINAL_PARAGRAPHS)) if t not in NUMBER_WORDS]
    after_noun = [t for before, t in zip(tokens, tokens[1:]) if before in PARAGRAPH_WORDS]
    numbers = [int(t) if t.isdigit() else CARDINALS[t] for t in after_noun if t.isdigit() or t in CARDINALS]
    return pilcrows, text, tokens, numbers


def paragraph_request(text: str) -> int | tuple[int, ...] | None:
    """The paragraph(s) that ``text`` asks for by place, when it names nothing else: a number
    as the article panel shows it (``Citation.paragraph``: 1 is the headline), ``-1`` for
    the last one and ``-2`` for the one before, ``0`` when it asks how many there are; a
    tuple of such numbers (at most ``MAX_PARAGRAPHS``) for several ("the first two
    paragraphs" (1, 2), «آخر فقرتين» (-2, -1), "paragraphs 2-4" (2, 3, 4), «الفقرتين الأولى
    والثانية» (1, 2)); ``None`` for any other message. "What does the first paragraph say?"
    -> 1, «ماذا تقول الفقرة الثالثة؟» -> 3, «الفقرة الحادية عشرة» -> 11, "Read paragraph 4"
    and "¶4" -> 4, "Summarise the last paragraph" -> -1, "How many paragraphs are there?"
    -> 0; "What does the first paragraph say about Egypt?" -> ``None`` (a question about
    Egypt), "Summarize it in 2 paragraphs" -> ``None`` (a length)."""
    from .grounding import ordinals
    from .preface import TRANSLATION_WORDS  # "Translate the first paragraph": it is quoted, as written

    pilcrows, text, tokens, numbers = _paragraph_words(text)
    ranged = _DIGIT_RANGE.search(text)
    named = any(t in PARAGRAPH_WORDS for t in tokens)
    allowed = (PARAGRAPH_WORDS | PARAGRAPH_ASKING | SUMMARY_WORDS | TOPIC_WORDS | ABOUT_WORDS | ARTICLE_WORDS
               | REQUEST_WORDS | set(PLACE_WORDS) | set(CARDINALS) | TRANSLATION_WORDS | COUNT_WORDS | RANGE_WORDS
               | BEFORE_WORDS | WHOLE_WORDS)
    if not all(t in allowed or t in STOPWORDS or t.isdigit() or len(t) < 2 for t in tokens):
        return None
    if (not named and any(t in WHOLE_WORDS for t in tokens) and any(t in ARTICLE_NOUNS for t in tokens)
            and any(t in PARAGRAPH_ASKING for t in tokens)):
        return tuple(range(1, MAX_PARAGRAPHS + 1))  # "Read the whole article": from the top, "more" goes on
    places = sorted(ordinals(text, ORDINAL_PARAGRAPHS)) + [PLACE_WORDS[t] for t in tokens if t in PLACE_WORDS]
    if -1 in places and (len(places) == 2 and min(p for p in places if p != -1) >= 2):
        places = [-max(places)]  # "the second to last paragraph": -2, "the third to last": -3
    elif places == [-1] and any(t in BEFORE_WORDS for t in tokens):
        places = [-2]  # "the paragraph before the last", «الفقرة ما قبل الأخيرة»
    # a count with "first" or "last": "the first two paragraphs", «آخر ثلاث فقرات», «أول فقرتين»
    counts = [int(t) if t.isdigit() else CARDINALS[t] for t in tokens if t.isdigit() or t in CARDINALS]
    count = counts[0] if len(counts) == 1 and not numbers else 2 if any(t in _DUAL for t in tokens) else None
    asked: list[int] = []
    if named and count and count > 1 and places in ([1], [-1]):
        asked = list(range(1, count + 1)) if places == [1] else list(range(-count, 0))
    elif named and ranged and len(counts) == 2:  # "paragraphs 2-4"
        asked = list(range(int(ranged.group(1)), int(ranged.group(2)) + 1))
    elif named and len(counts) == 2 and any(t in RANGE_WORDS for t in tokens):
        first, last = counts  # "paragraphs 2 to 4", «الفقرات من 2 إلى 4»
        asked = list(range(first, last + 1))
    elif named and len(places) == 2 and min(places) > 0 and not counts and any(t in RANGE_WORDS for t in tokens):
        asked = list(range(min(places), max(places) + 1))  # «الفقرات من الثانية إلى الرابعة»
    else:
        # "paragraphs 2 and 5": every number, once the noun is followed by one
        listed = counts if numbers and len(counts) > 1 else numbers
        asked = pilcrows[:1] + (listed + places if named else [])
    if not asked and named and any(t in COUNT_WORDS for t in tokens):
        asked = [0]
    if not asked or (len(set(asked)) > 1 and 0 in asked):
        return None
    several = sorted(set(asked))[:MAX_PARAGRAPHS]
    return several[0] if len(several) == 1 else tuple(several)


def paragraph_scope(text: str) -> tuple[int, ...] | None:
    """The paragraphs a question about something else names as where to look ("What does
    the last paragraph say about Haftar?" (-1,), «من ذكر في الفقرة الثالثة؟» (3,), "In
    paragraph 2, who attended?" (2,)): numbers as ``paragraph_request`` gives them (-1 the
    last); ``None`` when it names no paragraph, or is itself a request for paragraphs
    (``paragraph_request``). Only places said with the noun count: "Who attended the first
    conference?" names none."""
    from .grounding import ordinals

    pilcrows, text_only, tokens, numbers = _paragraph_words(text)
    # asked of every question: the words first, the full reading only when a paragraph is named
    if not pilcrows and not any(t in PARAGRAPH_WORDS for t in tokens):
        return None
    if paragraph_request(text) is not None:
        return None
    text = text_only
    # an ordinal or a word of place next to the noun ("the last paragraph", «الفقرة الثالثة»)
    near = {w for before, t in zip(tokens, tokens[1:]) for w in (before, t) if before in PARAGRAPH_WORDS or t in PARAGRAPH_WORDS}
    places = [PLACE_WORDS[t] for t in near if t in PLACE_WORDS]
    written = sorted(ordinals(text, ORDINAL_PARAGRAPHS))
    found = sorted(set(pilcrows + numbers + places + written))
    return tuple(found) if found and 0 not in found else None


def paragraph_step(text: str, bare: bool = False) -> int | None:
    """``1`` when ``text`` asks for the paragraph after the one last quoted ("next paragraph",
    "Read the following paragraph", «الفقرة التالية»), ``-1`` for the one before ("previous
    paragraph", «الفقرة السابقة»), when it names nothing else; else ``None``. With ``bare``
    (after a paragraph was read: ``step_after``) the word "paragraph" may be left out ("and
    the next one?", «والتي بعدها؟»). Which paragraph that is, the conversation says
    (``qa.chain``)."""
    tokens = _folded(text)
    steps = {STEP_WORDS[t] for t in tokens if t in STEP_WORDS}
    if len(steps) != 1 or not (bare or any(t in PARAGRAPH_WORDS for t in tokens)):
        return None
    allowed = (PARAGRAPH_WORDS | PARAGRAPH_ASKING | ARTICLE_WORDS | REQUEST_WORDS | set(STEP_WORDS) | CONTINUE_WORDS
               | _ONE_WORDS | set(CARDINALS))
    return steps.pop() if all(t in allowed or t in STOPWORDS or t.isdigit() or len(t) < 2 for t in tokens) else None


def step_count(text: str) -> int:
    """How many paragraphs a step asks for: "the next two paragraphs" 2, «الفقرتين
    التاليتين» 2 (the dual), "next paragraph" 1; at most ``MAX_PARAGRAPHS``."""
    tokens = _folded(text)
    counts = [int(t) if t.isdigit() else CARDINALS[t] for t in tokens if t.isdigit() or t in CARDINALS]
    count = counts[0] if counts else 2 if any(t in _DUAL for t in tokens) else 1
    return max(1, min(count, MAX_PARAGRAPHS))


# "the next one", «التي بعدها»: words standing for the paragraph in a bare step.
_ONE_WORDS = _vocabulary("one it that التي الذي التاليه")


def step_after(question: str, previous_query: str | None) -> int | None:
    """The paragraph step ``question`` asks for (``paragraph_step``), its bare form only
    when ``previous_query`` (the message the previous answer answered) read a paragraph by
    its place or by a step: «والتي بعدها؟» after «اقرأ الفقرة الثالثة» is ¶4 (it was read as
    a question and quoted ¶2, a trial); "next" after a summary still reads on sentence by
    sentence (``is_continue_request``)."""
    step = paragraph_step(question)
    if step is not None or previous_query is None:
        return step
    read_paragraph = paragraph_request(previous_query) not in (None, 0) or paragraph_step(previous_query, bare=True) is not None
    return paragraph_step(question, bare=True) if read_paragraph else None


def _strip_conjunction(token: str) -> str:
    """``"ومتى"`` -> ``"متى"``: an Arabic "و"/"ف" glued to a function word goes."""
    if len(token) > 1 and token[0] in "وف" and normalize(token[1:]) in (STOPWORDS | QUESTION_WORDS | SMALL_TALK):
        return token[1:]
    return token


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(INVISIBLE.sub("", text))


def _small_talk_words(text: str) -> list[str]:
    """The normalised words of ``text``, a greeting phrase as "hello" and a goodbye phrase as
    "bye" ("how are you" holds a question word, but asks nothing)."""
    folded = f" {' '.join(normalize(t) for t in _tokens(text))} "
    for phrases, word in ((GREETING_PHRASES, "hello"), (FAREWELL_PHRASES, "bye")):
        for phrase in phrases:
            folded = folded.replace(f" {phrase} ", f" {word} ")
    return [normalize(_strip_conjunction(t)) for t in folded.split()]


def is_small_talk(text: str) -> bool:
    """True for greetings, thanks and acknowledgements ("hi", "مرحبا", "ok thanks", "شكرا جزيلا")."""
    words = _small_talk_words(text)
    return (any(w in SMALL_TALK for w in words)
            and all(w in SMALL_TALK or (w in STOPWORDS and w not in QUESTION_WORDS) for w in words))


# The words a closing "thanks" starts with (a run of small talk after the question without a
# mark is taken off only from one of these: "Who are you" keeps its "you").
_THANKS = _vocabulary("thanks thank thx ty cheers merci شكرا شكراً مشكور مشكورين تسلم يعطيك")
# English auxiliaries: opening a sentence, they make it a question (subject-auxiliary inversion).
_AUXILIARIES = _vocabulary("do does did is are was were am can could will would shall should has have had may might must")
# Words of parting (``is_farewell``; the phrases of ``FAREWELL_PHRASES`` read as "bye").
_FAREWELL = _vocabulary("bye goodbye farewell ciao وداعا")

# What the bot says to praise of its answer ("Great answer", «إجابة ممتازة»): "you're
# welcome" reads oddly after no thanks; a trial's "Great answer" had been asked as "Answer".
PRAISE_REPLY = {
    "ar": "يسعدني ذلك. اسألني ما شئت عن المقال.",
    "en": "Glad it helped. Ask me anything else about the article.",
    "fr": "Tant mieux. Posez-moi toute autre question sur l'article.",
}
# Words that praise (English, Arabic in both genders, French) and words naming what the bot
# gave: a message of these and small talk only, with a word of praise, judges the answer.
PRAISE_WORDS = _vocabulary(
    "great good nice excellent perfect awesome amazing brilliant wonderful fantastic superb super helpful useful "
    "clear done well bravo wow interesting fascinating "
    "ممتاز ممتازة رائع رائعة جميل جميلة أحسنت احسنت عظيم مفيد مفيدة واضح واضحة برافو "
    "parfait parfaite génial géniale excellente utile"
)
REPLY_NOUNS = _vocabulary(
    "answer answers reply response job work explanation question point جواب الجواب إجابة اجابة الإجابة الاجابة "
    "رد الرد شرح سؤال réponse travail"
)


# What the bot says to a complaint about its answer ("That's wrong", «إجابة خاطئة», "Not
# helpful"): it had been asked as a question and got quotes (a trial).
COMPLAINT_REPLY = {
    "ar": "عذرا على ذلك. لا أجيب إلا باقتباس المقال: جرّب صياغة أخرى لسؤالك، أو اقرأ الفقرات المقتبسة كاملة.",
    "en": "Sorry about that. I can only quote the article: try asking in other words, or read the quoted "
          "passages in full.",
    "fr": "Désolé. Je ne peux que citer l'article : reformulez votre question, ou lisez en entier les "
          "passages cités.",
}
COMPLAINT_WORDS = _vocabulary(
    "wrong incorrect bad useless unhelpful false nonsense mistaken inaccurate terrible awful poor "
    "خطأ خطا خاطئ خاطئة خاطىء غلط سيء سيئة سيئ faux fausse mauvais mauvaise incorrecte inutile"
)
# Words that complain under a negation ("That's not right", «الإجابة غير صحيحة», «مش مفيد», "I
# don't understand"), the negations a complaint is said with (dialect «مش» too), the pieces of
# English contractions ("you're" folds to "you re") and intensifiers ("really helpful").
NEGATED_COMPLAINTS = _vocabulary(
    "right correct true accurate sense understand helpful useful clear "
    "صحيح صحيحة صح دقيق دقيقة مفيد مفيدة واضح واضحة فهمت مفهوم فاهم فاهمة"
)
_COMPLAINT_NEGATIONS = NEGATIONS | _vocabulary("مش مو doesn don isn wasn didn")
_REMARK_FILLERS = _vocabulary("s re m ve d ll i you your my really very quite truly makes make")
# Greetings that hold a word of praise ("Good morning"): a greeting, not praise.
_GREETING_WORDS = _vocabulary("morning evening afternoon night hello hi hey صباح مساء مرحبا")


def is_complaint(text: str) -> bool:
    """True when ``text`` only judges the answer badly ("That's wrong", "Not helpful",
    «إجابة خاطئة», "Bad answer"): its words are complaint words (``COMPLAINT_WORDS``), praise
    under a negation, words naming a reply, small talk and function words; it holds no question
    mark and a complaint word or a negated word of praise."""
    if any(mark in text for mark in "?؟"):
        return False
    words = _folded(text)
    negated = any(w in _COMPLAINT_NEGATIONS for w in words)
    allowed = (COMPLAINT_WORDS | PRAISE_WORDS | REPLY_NOUNS | SMALL_TALK | _COMPLAINT_NEGATIONS | NEGATED_COMPLAINTS
               | _REMARK_FILLERS)
    # "Not bad" is praise: a complaint word under a negation, and nothing else judged
    judged = (any(w in COMPLAINT_WORDS for w in words) and not negated) or (
        negated and any(w in PRAISE_WORDS or w in NEGATED_COMPLAINTS for w in words))
    return judged and all(w in allowed or (w in STOPWORDS and w not in QUESTION_WORDS) for w in words)


# What the bot says when its answer is doubted ("Are you sure?", "Is that right?", «متأكد؟»):
# "Are you sure?" had got the invitation and «متأكد؟» "the article does not say" (a trial).
DOUBT_REPLY = {
    "ar": "أجيب بكلمات المقال نفسها: كل اقتباس مرقّم في الإجابة منقول حرفيا من الفقرة التي يستند إليها، "
          "وتجد الفقرات كاملة في المصادر تحت الإجابة. وإن لم تجب الاقتباسات عن سؤالك فجرّب صياغة أخرى.",
    "en": "I answer only with the article's own words: each numbered quote in the answer is copied from the "
          "passage it rests on, and the sources under the answer show those passages in full. If the quotes "
          "do not answer your question, try asking it in other words.",
    "fr": "Je réponds uniquement avec les mots de l'article : chaque citation numérotée de la réponse est "
          "copiée du passage sur lequel elle repose, et les sources sous la réponse montrent ces passages "
          "en entier. Si les citations ne répondent pas à votre question, reformulez-la.",
}
# The same when a chat model wrote the answer: its words are the model's, each claim marked
# with the passage it rests on.
DOUBT_REPLY_MODEL = {
    "ar": "كل جملة في الإجابة تحمل رقم الفقرة التي تستند إليها من المقال، والمصادر تحت الإجابة تعرض تلك الفقرات "
          "كاملة لتتحقق منها. وإن لم تؤيدها فجرّب صياغة أخرى لسؤالك.",
    "en": "Each claim in the answer carries the number of the passage of the article it rests on, and the "
          "sources under the answer show those passages in full, so you can check it there. If they do not "
          "bear it out, try asking in other words.",
    "fr": "Chaque affirmation de la réponse porte le numéro du passage de l'article sur lequel elle repose,"
          " et les sources sous la réponse montrent ces passages en entier pour que vous puissiez vérifier."
          " S'ils ne la confirment pas, reformulez votre question.",
}
# The same after a refusal ("Are you sure?" after "The article does not say."): there are no
# quotes to point at (a trial got the reply above there).
AFTER_REFUSAL_REPLY = {
    "ar": "لم أجد في المقال فقرة تجيب عن ذلك، فقلت ذلك بدل أن أخمّن. وإن كنت ترى أن المقال يذكره فجرّب صياغة أخرى "
          "للسؤال.",
    "en": "I found no passage of the article that answers it, so I said so rather than guess. If you think the "
          "article does say it, try asking in other words.",
    "fr": "Je n'ai trouvé aucun passage de l'article qui y réponde, et je l'ai dit plutôt que de deviner. "
          "Si vous pensez que l'article le dit, reformulez la question.",
}


def last_answer(history: History | None, refusals: tuple[str, ...] = tuple(ABSTENTION.values())) -> str:
    """The last assistant message of a Gradio-style history that answered (it holds a marker
    ``[n]``) or refused (one of ``refusals``), passing over the chat replies after it (a doubt's
    reply, thanks); "" when there is none."""
    for message in reversed(history or []):
        if isinstance(message, dict) and message.get("role") == "assistant" and isinstance(message.get("content"), str):
            content = message["content"].strip()
            if MARKER_PATTERN.search(content) or content in refusals:
                return content
    return ""


# Words that ask whether the last answer holds ("sure", "right", «متأكد», «صحيح», «بجد»).
DOUBT_WORDS = _vocabulary(
    "sure certain right correct true wrong really seriously accurate confident so "
    "متأكد متأكدة متاكد متاكدة أكيد اكيد صحيح صحيحة صح بجد جد حقا حقاً فعلا فعلاً خطأ غلط دقيق "
    "sûr sûre vrai vraiment correct exact"
)
# Pronouns a doubt is said with (Arabic, dialect too) and «هل», the yes-no particle.
_DOUBT_FILLERS = _vocabulary("هل أنت انت انتي إنت هذا هذه ذلك ذاك هاد هيك كده الإجابة الاجابة الجواب c est ce tu es vous êtes")
_HAL = normalize("هل")
_MIN = normalize("من")


def _asked(text: str, words: list[str]) -> bool:
    """True when ``text`` (its ``_folded`` ``words``) is asked: a question mark, or an opening
    auxiliary or «هل» ("Is that right" without its mark)."""
    return any(mark in text for mark in "?؟") or bool(words and (words[0] in _AUXILIARIES or words[0] == _HAL))


def is_doubt(text: str) -> bool:
    """True when ``text`` only asks whether the last answer holds ("Are you sure?", "Is that
    right?", "Really?", «متأكد؟», «هل هذا صحيح؟»): a word of doubt (``DOUBT_WORDS``) with only
    auxiliaries, pronouns, negations and function words beside it, no question word but
    «هل»; "Is it true that Egypt was absent?" and "What went wrong?" ask the article."""
    words = _folded(text)
    # asked ("Sure" and "Right" alone acknowledge)
    if not any(w in DOUBT_WORDS for w in words) or not _asked(text, words):
        return False
    allowed = DOUBT_WORDS | _AUXILIARIES | _REMARK_FILLERS | _COMPLAINT_NEGATIONS | REPLY_NOUNS | _DOUBT_FILLERS
    # «متأكد من ذلك؟»: «من» after the first word is "of", not "who"
    return all(w in allowed or (w in STOPWORDS and w not in QUESTION_WORDS) or (w in SMALL_TALK and w not in QUESTION_WORDS)
               or (i and w == _MIN) for i, w in enumerate(words))


# Words asking whether the last answer is the whole of it ("Is that all?", «هل هذا كل شيء؟»,
# «بس كذا؟»): the previous question again, for the answers not yet given (``is_that_all``).
ALL_WORDS = _vocabulary("all everything only كل فقط بس كذا")
_ALL_FILLERS = _vocabulary("that this it there thats شيء شي اشي حاجة هذا هذه ذلك ده دي هاد هيك كده كدا يعني")


def is_that_all(text: str) -> bool:
    """True when ``text`` only asks whether the last answer was all there is ("Is that all?",
    "That's everything?", «هل هذا كل شيء؟», «بس كذا؟»): a word of ``ALL_WORDS``, asked (a
    mark, an auxiliary or «هل»), with only pronouns, auxiliaries and fillers beside it and no
    question word but «هل». "Who are all the attendees?" and "Did all countries attend?" ask the
    article. «هل هذا كل شيء؟» had been refused as words the article lacks, and "Is that all?"
    answered from the conference alone (a probe of chat habits)."""
    words = _folded(text)
    if not any(w in ALL_WORDS for w in words) or not _asked(text, words):
        return False
    allowed = ALL_WORDS | _ALL_FILLERS | _AUXILIARIES | _REMARK_FILLERS | {_HAL}
    return all(w in allowed for w in words)


# What the bot says, without a chat model, when asked to explain its answer ("What do you
# mean?", "Can you explain?", «يعني إيش؟», «وضح أكثر»): it had quoted other passages for them,
# or said the article does not say, or invited a question (a probe of chat habits).
CLARIFY_REPLY = {
    "ar": "لا أستطيع قول ذلك بكلماتي: أجيب باقتباس المقال فقط. السطر الأول من الإجابة هو أقرب ما في المقال "
          "إلى سؤالك، والمصادر تحتها تعرض الفقرات كاملة. يمكنك أيضا أن تسأل عن جزء منها (من، أين، لماذا…).",
    "en": "I can't put it in other words: I answer only by quoting the article. The first line of the answer is "
          "the passage closest to your question, and the sources under it show the whole paragraphs. You can "
          "also ask about one part of it (who, where, why…).",
    "fr": "Je ne peux pas le dire avec mes propres mots : je réponds uniquement en citant l'article. La "
          "première ligne de la réponse est le passage le plus proche de votre question, et les sources "
          "dessous montrent les paragraphes entiers. Vous pouvez aussi demander une partie (qui, où, "
          "pourquoi…).",
}
# Words asking to have the last answer explained (the verbs of meaning and explaining).
CLARIFY_WORDS = _vocabulary(
    "mean means meaning meant explain explanation elaborate clarify clarification simpler simply simplify "
    "يعني تعني تقصد قصدك بتقصد وضح وضّح توضح توضحلي توضيح اشرح إشرح اشرحلي تشرح فسر فسّر تفسير بسط بسّط "
    "expliquer explique explication dire"
)
# What such a request is said with besides function words: "what", «إيش», "more", "please".
_CLARIFY_FILLERS = _vocabulary(
    "what how it that this ما ماذا ايش إيش شو وش هذا ذلك هاد هيك more أكثر اكثر شوي شوية veux voulez words other")


def is_clarification(text: str) -> bool:
    """True when ``text`` only asks to have the last answer explained ("What do you mean?",
    "Can you explain?", "Explain more please", «يعني إيش؟», «وضح أكثر», «ماذا تقصد؟»): a word
    of explaining (``CLARIFY_WORDS``) with only request words, auxiliaries, "what" and
    function words beside it; "Explain why Egypt was absent" and "What does «المحاور» mean?"
    name what to explain and ask the article."""
    words = _folded(text)
    allowed = CLARIFY_WORDS | _CLARIFY_FILLERS | _AUXILIARIES | _REMARK_FILLERS | REQUEST_WORDS | REQUEST_FRAME_WORDS
    return any(w in CLARIFY_WORDS for w in words) and all(
        w in allowed or (w in STOPWORDS and w not in QUESTION_WORDS) or (w in SMALL_TALK and w not in QUESTION_WORDS)
        for w in words)


# Where a judgement of the last answer ends before a question ("That's wrong. Who attended?").
_JUDGED_HEAD = re.compile(r"[,،.!]\s+(?=\w)")


def is_remark(text: str) -> bool:
    """True when ``text`` only remarks on the last answer and asks nothing of the article:
    thanks with a remark, praise, a complaint or a doubt (``is_thanks_remark``, ``is_praise``,
    ``is_complaint``, ``is_doubt``); such a message is read whole, not stripped of small talk."""
    return is_thanks_remark(text) or is_praise(text) or is_complaint(text) or is_doubt(text)


def opens_with_complaint(text: str) -> bool:
    """True when ``text`` opens with a complaint about the last answer before its question
    ("That's wrong. Who attended?", "Wrong, who attended?", «خطأ، من حضر؟»)."""
    head = _JUDGED_HEAD.search(text)
    return bool(head) and is_complaint(text[:head.start()])


def earlier_asking(history: History | None, query: str) -> int | None:
    """The index of the latest user message of ``history`` that asked ``query`` (the same
    words once small talk, a complaint and case are set aside), else ``None``."""
    def key(text: str) -> str:
        return " ".join(_folded(strip_small_talk(text)))

    wanted = key(query)
    for i in range(len(history or []) - 1, -1, -1):
        message = history[i]
        if (isinstance(message, dict) and message.get("role") == "user" and isinstance(message.get("content"), str)
                and key(message["content"]) == wanted):
            return i
    return None


def is_praise(text: str) -> bool:
    """True when ``text`` only praises the answer ("Great answer!", "Well done", "Perfect,
    very clear", «إجابة ممتازة», «أحسنت»): its words are praise (``PRAISE_WORDS``), words
    naming a reply (``REPLY_NOUNS``), small talk and function words; it holds a word of
    praise, no question mark and no negation ("not a good answer" is a complaint)."""
    if any(mark in text for mark in "?؟"):
        return False
    words = _folded(text)
    if any(w in _GREETING_WORDS for w in words):
        return False  # "Good morning" greets
    allowed = PRAISE_WORDS | REPLY_NOUNS | SMALL_TALK | _REMARK_FILLERS | _COMPLAINT_NEGATIONS | COMPLAINT_WORDS
    negated = any(w in _COMPLAINT_NEGATIONS for w in words)
    praised = (any(w in PRAISE_WORDS for w in words) and not negated) or (
        negated and any(w in COMPLAINT_WORDS for w in words) and not any(w in PRAISE_WORDS for w in words))
    return praised and all(w in allowed or (w in STOPWORDS and w not in QUESTION_WORDS) for w in words)


def strip_small_talk(text: str) -> str:
    """``text`` without the greetings or acknowledgements it opens with ("طيب ومين غاب؟" ->
    "ومين غاب؟", "ok, and who came?" -> "and who came?") or closes with after its question
    ("Who came? Thanks!" -> "Who came?", «من حضر؟ شكرا» -> «من حضر؟»); ``text`` itself when
    nothing else is left (then it is small talk, ``is_small_talk``)."""
    tokens = list(re.finditer(r"\w+", text))
    judged = False  # "Good job, and who else?", "Wrong, who attended?", «جواب غلط، مين حضر؟»
    for i, match in enumerate(tokens):
        word = normalize(match.group()).lower()
        if word in PRAISE_WORDS or word in COMPLAINT_WORDS or word in REPLY_NOUNS:
            judged = True
            continue
        if word not in SMALL_TALK:
            rest = text[match.start():].strip()
            if judged and i and not re.search(r"[,،!.:;]", text[tokens[i - 1].end():match.start()]) and not (
                    normalize(_strip_conjunction(match.group())).lower() in QUESTION_WORDS
                    or word in _LEADING_CONJUNCTIONS):
                break  # "Answer the question", "Response to the crisis…": no remark before a question
            # a capitalised word right after the run, with no mark between, makes a name of it:
            # "Great Britain", "Super Bowl 50", "Good Friday" are no praise ("Good, who…", "hi Who
            # came", "please list…" and «طيب ومين غاب؟» still lose theirs)
            parted = bool(re.search(r"[,،!.:;]", text[tokens[i - 1].end():match.start()])) if i else False
            if i and not parted and match.group()[:1].isupper() and not (
                    word in QUESTION_WORDS or word in _LEADING_CONJUNCTIONS or word in REQUEST_FRAME_WORDS):
                break
            if i and rest:  # the question starts as a question would ("Please, when…" -> "When…")
                text = rest[:1].upper() + rest[1:]
                # «شكرا، لكن أين عقد؟»: after thanks «لكن» ("but") goes on from the answer, as «و»
                # does; the policy read «لكن» as a word the article lacks and refused it (a trial)
                but = re.match(r"(?:و?لكن|بل|بس)\s+(?=\w)", text)
                if but:
                    text = "و" + text[but.end():]
            break
    # a judgement of the last answer before the question ("That's wrong. Who else attended?",
    # "This is wrong, who attended?"): the question alone
    head = _JUDGED_HEAD.search(text)
    if head and (is_complaint(text[:head.start()]) or is_praise(text[:head.start()])):
        rest = text[head.end():].strip()
        if rest and not is_small_talk(rest):
            text = rest[:1].upper() + rest[1:]
    # a closing sentence of small talk after the question ("… absent? Thanks!", "… absent. Thanks!")
    mark = max(text.rfind(c, 0, len(text.rstrip(" !.…"))) for c in "?؟.!")
    if 0 < mark < len(text) - 1 and is_small_talk(text[mark + 1:]):
        return text[:mark + 1].strip()
    # or thanks closing it without a mark ("Who came thanks", «من حضر شكرا»)
    tokens = list(re.finditer(r"\w+", text))
    for i in range(len(tokens) - 1, 0, -1):
        if normalize(tokens[i].group()).lower() in _THANKS and is_small_talk(text[tokens[i].start():]) \
                and not is_small_talk(text[:tokens[i].start()]):
            return text[:tokens[i].start()].rstrip(" ,،")
    return text


# The frame a chat message may wrap a question in: a request to be told ("Can you tell me
# who attended?", «ممكن تقولي مين حضر؟»), a wish to know ("I'd like to know why…", «بدي
# أعرف ليش…») or politeness («لو سمحت», "please"). A vocabulary of the words such frames are
# made of, not a list of phrasings: only a run of them *before a question word* is a frame,
# so "Can you tell me a joke?" and "Tell me about Haftar" keep their words. Measured with
# ``article-qa eval`` on XQuAD with each question wrapped (README, "Chat phrasing"): the
# wrapper raised Arabic false abstention from 0.013 to 0.039, its words judged missing from
# the article, and moved the query's embedding off the answer.
REQUEST_FRAME_WORDS = _vocabulary(
    "can could would will you u please pls plz tell me let us know i id d ll m want wanted like wonder wondering "
    "was were am do did happen to any idea clue explain show give say just quick question hey mind telling "
    "هل يمكنك يمكن ممكن بإمكانك بامكانك تستطيع تقدر أن ان تخبرني تخبرنا تقولي تقول تقوللي قولي قل قلي "
    "لي لنا أريد اريد أود اود بدي ابي أبي ابغى أبغى عايز عاوز حاب أعرف اعرف نعرف تعرف تعرفي وضح وضحي "
    "بتعرف بتعرفي تعرفين بتقدر تشرح تشرحي تشرحلي تشرحيلي تقلي تقللي تقليلي "
    # requests for what the article says of a topic ("Tell me about …", «احكيلي عن …»)
    "talk info information details detail something anything more "
    "احكيلي حكيلي احكي احكيلنا كلمني كلمنا حدثني حدثنا حدثيني عطني اعطني أعطني نبذة معلومات شي شيء "
    "أبغى نبي نبغى "
    "اشرح اشرحي اشرحلي لو سمحت سمحتي من فضلك فضلكم سؤال سريع يا ريت ياريت"
)
_QUOTES = "\"“”«»'‘’"
# After a frame, the Arabic particles that embed a yes/no question ("if", "whether").
_WHETHER = _vocabulary("إذا اذا إن ان لو")
# The word after a request that names a topic instead of a question ("Tell me about Haftar",
# «احكيلي عن حفتر»), and the question such a request is asked as (``strip_request_frame``).
_TOPIC_WORDS = _vocabulary("about on regarding concerning عن على حول بخصوص بشأن")
# a message may open with one of these ("About the delegations?", «بخصوص تبادل المعلومات»);
# "On …" and «على …» open too many other sentences
_OPENING_TOPIC_WORDS = _vocabulary("about regarding concerning عن حول بخصوص بشأن")
TOPIC_QUESTION = {"ar": "ماذا عن {}؟", "en": "What about {}?"}
# «من» is "who" and also the "من" of «من فضلك» (please): the phrase is read first.
_POLITE_PHRASES = tuple(normalize(p) for p in ("من فضلك", "من فضلكم"))


def _closing_mark(cut: str) -> str:
    """The question mark a closing frame cut off (``cut``), kept for the question: ``"؟"``,
    ``"?"`` or ``""``."""
    return "؟" if "؟" in cut else "?" if "?" in cut else ""


def strip_request_frame(text: str) -> str:
    """``text`` without the request it wraps its question in: the leading run of
    ``REQUEST_FRAME_WORDS`` when a question word follows it ("Can you tell me who attended?"
    -> "Who attended?", capitalised as a question starts; «هل يمكنك أن تخبرني من حضر؟» ->
    «من حضر؟»), and a closing "please" / «لو سمحت» / «من فضلك» ("Who attended, please?" ->
    "Who attended?"), a closing "if you know" («… إذا بتعرف؟»). A request about a topic, the
    frame then "about"/«عن» (``_TOPIC_WORDS``) and no question word, is asked as
    ``TOPIC_QUESTION`` ("Tell me about Haftar" -> "What about Haftar?", «احكيلي عن حفتر» ->
    «ماذا عن حفتر؟»). The frame is kept when neither follows it (a request about the bot, "Can
    you tell me a joke?", is left to the rest of the plan) and when it is made of function
    words alone ("To what …"). Never empty: ``text`` when nothing would be left."""
    tokens = list(re.finditer(r"\w+", text))
    folded = [normalize(_strip_conjunction(m.group())).lower() for m in tokens]
    i = 0
    while i < len(tokens):
        pair = " ".join(folded[i:i + 2])
        if pair in _POLITE_PHRASES:
            i += 2
        elif folded[i] in REQUEST_FRAME_WORDS and not (folded[i] in QUESTION_WORDS and folded[i] != "هل"):
            i += 1
        else:
            break
    core = text
    # a frame ends where its question starts; "هل" opens the frame («هل يمكنك…»), so it is no start
    # a run of function words alone ("To what …", «هل من …») frames nothing
    requested = any(w not in STOPWORDS for w in folded[:i])
    if i + 1 < len(tokens) and folded[i] in (_TOPIC_WORDS if requested else _OPENING_TOPIC_WORDS) \
            and (requested or i == 0) and not any(w in QUESTION_WORDS for w in folded[i + 1:]):
        # a request about a topic asks what the article says of it: "Tell me about Haftar" is
        # asked as "What about Haftar?" (the words of the request were judged missing from the
        # article, and moved the query's embedding off the topic: README, "Topic requests")
        topic = text[tokens[i + 1].start():].strip().rstrip("?؟.!…").strip()
        if content_words(topic):
            return TOPIC_QUESTION["ar" if is_arabic_token(tokens[i + 1].group()) else "en"].format(topic)
    if 0 < i < len(tokens) and requested and folded[i] in _WHETHER and is_arabic_token(tokens[i].group()):
        # «ممكن تقولي إذا حضرت مصر؟» embeds a yes/no question: asked as «هل حضرت مصر؟»
        core = "هل " + text[tokens[i].end():].lstrip()
    elif 0 < i < len(tokens) and requested and folded[i] in QUESTION_WORDS and folded[i] != "هل":
        core = text[tokens[i].start():].rstrip()
        # the embedding is case-sensitive: the question starts as a question would
        core = core[:1].upper() + core[1:]
        # 'Can you tell me "who came"?': the quote that opened in the frame closes in the core
        opened = [c for c in text[tokens[i - 1].end():tokens[i].start()] if c in _QUOTES]
        if opened:
            close = max(core.rfind(c) for c in _QUOTES)
            core = core[:close] + core[close + 1:] if close >= 0 else core
    # a frame closing the question after a comma ("Who came, can you tell me?", «من حضر، ممكن تقولي؟»)
    comma = max(core.rfind(","), core.rfind("،"))
    if comma > 0:
        closing = [normalize(w).lower() for w in re.findall(r"\w+", core[comma + 1:])]
        if closing and all(w in REQUEST_FRAME_WORDS for w in closing) and any(w not in STOPWORDS for w in closing):
            core = core[:comma].rstrip() + _closing_mark(core[comma + 1:])
    # a closing "if you know" after the question ("Who came if you know?", «من حضر إذا بتعرف؟»)
    tail = list(re.finditer(r"\w+", core))
    words = [normalize(_strip_conjunction(m.group())).lower() for m in tail]
    for k in range(1, len(words) - 1):
        if words[k] in _WHETHER | {"if"} and all(w in REQUEST_FRAME_WORDS for w in words[k + 1:]) \
                and any(w not in STOPWORDS for w in words[k + 1:]):
            core = core[:tail[k].start()].rstrip(" ,،") + _closing_mark(core[tail[k].start():])
            break
    # a closing "please" (", please?", «… لو سمحت؟»)
    tail = list(re.finditer(r"\w+", core))
    words = [normalize(m.group()).lower() for m in tail]
    for n in (2, 1):
        if len(words) > n + 1 and " ".join(words[-n:]) in {"please", "plz", "pls", "لو سمحت", *_POLITE_PHRASES}:
            cut = tail[-n - 1].end()
            core = core[:cut] + _closing_mark(core[cut:])
            break
    return core.strip() or text


# A run of question and exclamation marks, or a space before one.
_MARK_RUN = re.compile(r"\s*([?؟!])[?؟!]*")


def tidy_marks(text: str) -> str:
    """``text`` with each run of question and exclamation marks made one mark, a question
    mark where the run holds one, and no space before it: "Who attended the conference ?"
    and "…conference???" are asked as "…conference?". The policy and the span scorer were
    fitted on questions with one mark after the last word, and the embedding reads the
    others as other text: "What was the conference budget???" was answered (p 0.23) where
    "…budget?" is refused, and "…conference ?" led with another clause (a trial)."""
    return _MARK_RUN.sub(lambda m: next((c for c in m.group() if c in "?؟"), m.group(1)), text)


def question_as_asked(message: str) -> tuple[str, str]:
    """``(typed, asked)``: the message with its dialect question words in their standard
    form (``standard_question_words``; what the chat-request check reads) and its marks
    tidied (``tidy_marks``), and the question it asks, the request frame off and its
    question mark on (``strip_request_frame``, ``with_question_mark``; what is retrieved and
    judged). The one order of these steps, for the question asked now (``qa.chain``) and for
    the earlier ones replayed from the history."""
    typed = tidy_marks(standard_question_words(message))
    return typed, with_question_mark(strip_request_frame(typed))


# Questions answered from one message; more are left for another message (a product limit:
# each is retrieved and decided on its own, and the answer grows by one section each).
MAX_QUESTIONS = 4


def split_questions(message: str) -> list[str]:
    """The questions one chat message asks, in order: ``["Who attended the conference?",
    "Where was it held?"]`` for "Who attended the conference? Where was it held?";
    ``[message]`` when it asks one question or none.

    The message is cut into sentences by the project's sentence splitter
    (``qa.splitting.split_sentences``: pysbd, and the Arabic ``؟``), keeping short ones
    ("Where?"). Each sentence ending in a question mark (past closing quotes) that is not
    small talk ("how are you?") ends a question; the sentences before it that end in no
    mark ("Hi!", "I read the article.") open it, and those after the last question
    ("Thanks!") close it. A second question that adds nothing of its own ("وأين عقد؟") is
    answered as a follow-up of the first (``qa.chain``), as if asked in the next turn.

    Returns:
        At least one string; two or more only when the message holds two or more questions.
    """
    from .splitting import split_sentences

    sentences = [s.text for s in split_sentences(message, min_words=1)]
    parts: list[str] = []
    pending: list[str] = []
    for sentence in sentences:
        pending.append(sentence)
        if sentence.rstrip(_QUOTES + " ").endswith(("?", "؟")) and not is_small_talk(sentence):
            parts.append(" ".join(pending))
            pending = []
    if pending and parts:
        parts[-1] = " ".join([parts[-1], *pending])
    parts = [piece for part in parts for piece in _joined_questions(part)]
    # the same question twice (a paste repeated, a trial: twenty copies got four answers and
    # "only the first 4 are answered") is asked once, where it first comes
    unique: dict[str, str] = {}
    for part in parts:
        unique.setdefault(normalize(part).lower(), part)
    if len(unique) < 2:
        return list(unique.values()) if len(parts) > len(unique) else [message.strip()]
    return list(unique.values())


# Question words that open a second question joined by "and" / «و» ("Where was it held and who
# attended?", «من حضر المؤتمر وأين عقد؟»). Arabic «من» and «ما» are left out: behind «و» they are
# as often "and from" / "and not" («من تونس ومن الجزائر»).
_JOINING_QUESTION_WORDS = _vocabulary("who what where when why how which أين متى لماذا كيف كم ماذا هل")
_AND_QUESTION = re.compile(r"(?:,\s*|\s+)(?:and\s+(\w+)|و(\w+))", re.IGNORECASE)


def _joined_questions(question: str) -> list[str]:
    """One question sentence cut where "and" / «و» joins a second question to it, when both
    halves open with a question word and hold a content word of their own ("Where was it held
    and who attended?" -> "Where was it held?", "Who attended?"; "Who attended and why?" and
    «من حضر ولماذا؟» stay whole: "why" alone is a follow-up of the same question)."""
    greeted = strip_small_talk(question)  # "Hi, who attended and why…?" was left whole (a trial)
    if greeted != question and not is_small_talk(greeted):
        parts = _joined_questions(greeted)
        return parts if len(parts) > 1 else [question]
    tokens = re.findall(r"\w+", question)
    first = normalize(_strip_conjunction(tokens[0])).lower() if tokens else ""
    if first not in QUESTION_WORDS:
        return [question]
    mark = "؟" if question.rstrip().endswith("؟") else "?"
    for match in _AND_QUESTION.finditer(question):
        word = match.group(1) or match.group(2)
        standard = DIALECT_QUESTION_WORDS.get(word, word) or ""
        if normalize(standard).lower() not in _JOINING_QUESTION_WORDS:
            continue
        head = question[:match.start()].rstrip(" ,،")
        # «وأين عقد؟» keeps its «و» (the planner reads it as the follow-up it is); an English "and"
        # goes: the embedding reads it ("And when did the conference end?" p 0.17, without 0.07)
        tail = re.sub(r"^and\s+", "", question[match.start():].strip(" ,،"), flags=re.IGNORECASE)
        if content_words(head) and content_words(tail):
            head = head.rstrip("?؟") + mark
            return [head, *_joined_questions(tail[:1].upper() + tail[1:])]
    return [question]


def with_question_mark(text: str) -> str:
    """``text`` ending in a question mark when it opens with a question word and holds none
    ("who attended the conference" -> "who attended the conference?", «من حضر.» -> «من حضر؟»;
    the Arabic mark after an Arabic last word). The embedding reads the mark, and every
    question the policy was fitted on has one: without it XQuAD's hit@1 is 0.918 / 0.817
    against 0.928 / 0.835 (README, "Chat phrasing"). Other text is returned as it is."""
    tokens = list(re.finditer(r"\w+", text))
    if not tokens or "?" in text or "؟" in text:  # a mark anywhere: the question has its own
        return text
    if normalize(_strip_conjunction(tokens[0].group())).lower() not in QUESTION_WORDS:
        return text
    return text.rstrip().rstrip(".!…").rstrip() + ("؟" if is_arabic_token(tokens[-1].group()) else "?")


def question_topic(question: str, inherited: tuple[str, ...] | list[str] = ()) -> list[str]:
    """The topic of a question, for the follow-ups after it: its content words as written
    (``qa.text.content_words`` decides which) and numbers, without the verb right after its opening
    question word when other topic words remain, then the ``inherited`` topic (of the
    question a follow-up continues) words it lacks.

    ``question_topic("Who attended the conference?") == ["conference"]``,
    ``question_topic("من ألقى الكلمة الافتتاحية؟") == ["الكلمة", "الافتتاحية"]``,
    ``question_topic("Where was the conference held?") == ["conference", "held"]``,
    ``question_topic("Which country did not take part?") == ["not", "take", "part"]``,
    ``question_topic("ماذا قال؟", ["الكلمة", "الافتتاحية"]) == ["الكلمة", "الافتتاحية"]``,
    ``question_topic("ومن غاب؟", ["المؤتمر"]) == ["غاب", "المؤتمر"]``.
    """
    tokens = [_strip_conjunction(t) if i == 0 else t for i, t in enumerate(_tokens(question))]
    # the auxiliary of a contraction ("didn" of "didn't") is no topic word: its "t" is the negation
    contracted = {i for i in range(len(tokens) - 1) if normalize(tokens[i + 1]) == "t" and tokens[i].lower().endswith("n")}
    kept = [(i, t) for i, t in enumerate(tokens) if (content_words(t) or NUMBER.fullmatch(t)) and i not in contracted
            and t.lower() not in _LEADING_CONJUNCTIONS]  # "but" is no topic of "Thanks, but where was it held?"
    # a follow-up's only word keeps it though a topic is inherited: «ومن غاب؟» after «من حضر
    # المؤتمر؟» is about who was absent, and «ولماذا؟» after it had asked why of the conference
    # alone and quoted the delegations (a trial)
    if kept and kept[0][0] == 1 and normalize(tokens[0]) in QUESTION_WORDS and len(kept) > 1:
        kept = kept[1:]
    if kept:  # a negation inside the question stays with its topic (``NEGATIONS``), as "not"
        kept = sorted(kept + [(i, "not" if normalize(t) == "t" else t) for i, t in enumerate(tokens)
                              if i > 0 and normalize(t) in NEGATIONS])
    own = [t for _, t in kept]
    have = {normalize(t) for t in tokens}
    return own + [t for t in inherited if normalize(t) not in have]


def fold_followup(question: str, topic: tuple[str, ...] | list[str]) -> str:
    """A short follow-up completed with the previous question's ``topic``
    (``question_topic``): the follow-up's own words as a question (minus an opening
    "and"/"و"), then the topic words it lacks, e.g. "and when?" after "Who attended the
    conference?" is ``"when? conference"`` and "ماذا قال؟" after "من ألقى الكلمة
    الافتتاحية؟" is ``"ماذا قال؟ الكلمة الافتتاحية"``.

    The question comes first and stays a question of its own: on the seed article this
    order gives the best sentence a higher cosine than "ماذا قال الكلمة الافتتاحية؟"
    (0.817 against 0.808), which matters where the extractive answerer abstains on one
    unknown word ("قال") under a cosine of 0.81.
    """
    words = _tokens(question)
    if words and normalize(words[0]) in _LEADING_CONJUNCTIONS:
        words = words[1:]
    if words:
        words[0] = _strip_conjunction(words[0])
    have = {normalize(w) for w in words}
    mark = "؟" if detect_language(question) == "ar" else "?"
    topic = " ".join(w for w in topic if normalize(w) not in have)
    if not words:
        return topic + mark
    return f"{' '.join(words)}{mark} {topic}".strip()


@dataclass(frozen=True)
class QuestionPlan:
    """How a message is handled before retrieval.

    Attributes:
        kind: ``"question"`` (retrieved as asked), ``"followup"`` (folded with the
            previous question's topic), ``"overview"`` (what the article says as a whole:
            ``is_overview_request``; its title: ``is_title_request``) or ``"no-question"`` (answered with ``INVITATION``).
        query: the retrieval query (the question itself unless folded).
        topic: the topic a follow-up to this message inherits (``question_topic``).
        previous: index in the history of the user message a follow-up continues, else None.
        previous_query: that message as it was retrieved (itself folded when it was a follow-up).
        folded: for a question that points back and has words of its own ("what came out of
            that trip?", «وهو رتبته إيه؟»), the follow-up reading (folded as a short
            follow-up is): ``qa.chain`` retrieves it when the policy refuses the question as
            asked; else ``None``.
        reads_on: for an ``"overview"`` that goes on reading the article where the previous
            answer was: ``"answer"`` after an answer ("Tell me more", «المزيد»: the sentences
            after its first quote, the short answer's), ``"text"`` after such a reading
            (after its last quote); ``None`` otherwise.
        again: for a follow-up that asks ``previous_query`` again ("who else?", "Is that
            all?"), the indices of the earlier user messages that asked it too, before
            ``previous``: their answers' quotes are left out as well (``qa.chain``).
    """

    kind: str
    query: str
    topic: tuple[str, ...] = ()
    previous: int | None = None
    previous_query: str | None = None
    folded: str | None = None
    reads_on: str | None = None
    again: tuple[int, ...] = ()


# Words that point back to something said before: English pronouns and determiners, and the
# Arabic attached pronouns (ـه، ـها، ـهم، ـهما، ـهن) on a content word ("ميزانيته", its budget).
_REFERRING = frozenset("he she it they him her his hers its them their theirs this that these those there".split())
_ARABIC_SUFFIX = re.compile(r"\w{2,}(?:ه|ها|هم|هما|هن)$")


def refers_back(question: str) -> bool:
    """True when ``question`` opens with a conjunction ("and the weather?", "و الطقس؟",
    "ومتى؟") or holds a pronoun pointing back ("his ally", "ما ميزانيته؟"): a one-word
    question that does neither ("Who is Haftar?") asks about something new."""
    tokens = _tokens(question)
    if tokens and (tokens[0].lower() in _LEADING_CONJUNCTIONS or tokens[0] in ("و", "ف")
                   or _strip_conjunction(tokens[0]) != tokens[0]):
        return True
    return has_pronoun(question)


def has_pronoun(question: str) -> bool:
    """True when ``question`` holds a pronoun pointing back ("his age", "ما ميزانيته؟"), not
    only a conjunction ("and Haftar?" asks about someone new)."""
    for token in _tokens(question):
        if token.lower() in _REFERRING:
            return True
        if _ARABIC_SUFFIX.fullmatch(token) and not token.endswith("ة"):
            return True
    return False


# Asking for more after a whole-article overview ("more", "continue", "أكمل", "المزيد"): the
# next sentences of the article.
CONTINUE_WORDS = _vocabulary(
    "more continue next rest else then further keep going go on "
    "أكمل اكمل كمل كملي المزيد مزيد تابع استمر وبعد بعد ثم"
)


def is_continue_request(text: str) -> bool:
    """True when ``text`` only asks to go on ("more please", "and then?", "what else?",
    "أكمل", "المزيد من فضلك")."""
    tokens = _folded(text)
    allowed = CONTINUE_WORDS | REQUEST_WORDS | ARTICLE_WORDS | SMALL_TALK | STOPWORDS
    return bool(tokens) and any(t in CONTINUE_WORDS for t in tokens) and all(t in allowed for t in tokens)


def points_back_alone(question: str) -> bool:
    """True when ``question`` has no words of its own and is not small talk, but holds a
    question word or a word pointing back ("What did he say?", «ماذا قال؟», "and when?",
    "Where?"): it asks about something said before, and only a conversation gives it a topic."""
    tokens = [normalize(_strip_conjunction(t)) for t in _tokens(question)]
    if _DIGITS.search(question) and not refers_back(question):
        return False  # "What's 2+2?" asks about its own numbers (as the planner reads it)
    return (not is_small_talk(question) and not own_words(question)
            and (refers_back(question) or any(t in QUESTION_WORDS for t in tokens)))


def _without_more(question: str) -> str:
    """``question`` without the words asking for more ("else", «أيضا»: ``MORE_OF_THE_SAME``),
    as a follow-up is folded."""
    return " ".join(t for t in _tokens(question) if normalize(t).lower() not in MORE_OF_THE_SAME) or question


def _among(words: list[str], question: str) -> bool:
    """True when each of ``words`` is a word of ``question`` (normalised, lower-cased)."""
    have = set(_folded(question))
    return all(normalize(w).lower() in have for w in words)


def _plan(question: str, last: QuestionPlan | None, last_index: int | None,
          earlier: tuple[tuple[QuestionPlan, int], ...] = (), last_quoted: bool = False) -> QuestionPlan:
    if is_small_talk(question) or is_remark(question):
        return QuestionPlan("no-question", question)
    if (is_overview_request(question) or is_title_request(question) or paragraph_request(question) is not None
            or is_author_request(question, first=last is None)):
        return QuestionPlan("overview", question)
    if step_after(question, last.query if last is not None and last.kind == "overview" else None) is not None:
        # "next paragraph": the one after the paragraph the previous answer quoted last
        # (``qa.chain``); as a first message, the first paragraph
        return QuestionPlan("overview", question, (), last_index, last.query if last else None)
    if last is not None and last.kind == "overview" and is_continue_request(question):
        # the next sentences: ``previous`` points at the overview the answer continues
        return QuestionPlan("overview", question, (), last_index, last.query,
                            reads_on="text" if last.reads_on else None)
    if last is not None and last_quoted and is_continue_request(question) and question_word(question) is None:
        # "Tell me more", «المزيد» after an answer: the article read on from the answer's
        # sentence («المزيد» had been refused as a word the article lacks, and "Tell me more"
        # after the opening speech quoted the Libyan delegation; a trial)
        return QuestionPlan("overview", question, (), last_index, last.query, reads_on="answer")
    if is_that_all(question):
        # "Is that all?", «بس كذا؟»: the previous question again, its given quotes left out
        # (``asks_again``), as "who else?"; as a first message it asks nothing
        if last is None:
            return QuestionPlan("no-question", question)
        return QuestionPlan("followup", last.query, last.topic, last_index, last.query)
    if is_clarification(question):
        # "What do you mean?", «وضح أكثر»: the previous question again, for a chat model to
        # explain with the conversation (without one the chain replies ``CLARIFY_REPLY``); as
        # a first message it asks nothing
        if last is None:
            return QuestionPlan("no-question", question)
        return QuestionPlan("followup", last.query, last.topic, last_index, last.query)
    words = own_words(question)
    # the previous question's own question word and nothing else ("and why?" after "Why was
    # Egypt absent?", «ولماذا؟» after «لماذا غابت مصر؟») asks it again for more: folded, «لماذا؟
    # مصر المؤتمر» lost the verb «غابت» and quoted the delegations (a trial)
    same_asked = (not words and not has_pronoun(question) and last is not None
                  and question_word(question) is not None and question_word(question) == question_word(last.query))
    if last is not None and (same_asked or asks_for_more(question, last.query)) and _among(words, last.query):
        # the previous question again (its quotes are left out: ``asks_again``), so "who else?"
        # after "Who attended the conference?" reaches the next attendees, not the next
        # passage about "conference"; so does «ومن حضر أيضا؟» after «من حضر المؤتمر؟», whose
        # one word is the previous question's (folded, it was refused: a trial)
        return QuestionPlan("followup", last.query, last.topic, last_index, last.query)
    if last is not None and any(t in MORE_OF_THE_SAME for t in _folded(question)) and (
            words or question_word(question) is not None):
        # the same with a turn between: «ومن حضر أيضا؟» after «من حضر المؤتمر؟» and «ولماذا؟»
        # asks the attendance question again (folded with «لماذا»'s topic it was refused, a trial);
        # so does "who else?" after "Who attended the conference?" and "and why?" (folded with
        # "why?"'s topic, "who? conference" quoted a piece of the first answer again, a trial)
        for plan, index in reversed(earlier):
            if asks_for_more(question, plan.query) and _among(words, plan.query):
                return QuestionPlan("followup", plan.query, plan.topic, index, plan.query)
    # numbers of its own and nothing pointing back ("What is 2+2?", not "and in 2019?") ask
    # about them, not about the last topic (a trial: folded into it, it got quotes)
    own_numbers = not words and _DIGITS.search(question) is not None and not refers_back(question)
    if (last is not None and len(words) == 1 and not has_pronoun(question)
            and any(t[:1].isupper() and normalize(t).lower() == words[0] for t in _tokens(question))
            and refers_back(question) and not _among(words, " ".join(last.topic))):
        # "and Hamza?" after "Who is Haftar?" names someone new: asked as it stands (folded into
        # "Hamza? Haftar" it quoted Egypt's absence, a trial), the folded reading kept for when
        # the policy refuses it, as «وحمزة؟» is asked
        return QuestionPlan("question", question, tuple(question_topic(question)), last_index, last.query,
                            folded=fold_followup(question, last.topic))
    if last is not None and not own_numbers and (not words or (len(words) < 2 and refers_back(question))):
        # "else", «أيضا» ask for more, not about a word: folded without them (their quotes are
        # left out by ``asks_again``); «ماذا قال أيضا؟» retrieved the delegations with «أيضا»
        asked = _without_more(question)
        return QuestionPlan("followup", fold_followup(asked, last.topic),
                            tuple(question_topic(asked, last.topic)), last_index, last.query)
    if not words:
        return QuestionPlan("no-question", question)
    if last is not None and not own_numbers and refers_back(question):
        # words of its own and a word pointing back: asked as it is (folded, "and when will it be
        # finished?" lost its answer to the last question's words), with the follow-up reading
        # kept for when the policy refuses it as asked (``QuestionPlan.folded``)
        return QuestionPlan("question", question, tuple(question_topic(question)), last_index, last.query,
                            folded=fold_followup(_without_more(question), last.topic))
    if last is None:
        # "But who attended?" (or "Great, but…") as a first message: "but" goes on from nothing,
        # and retrieved with it the question quoted Egypt's absence (a trial)
        question = _without_leading_conjunction(question)
    return QuestionPlan("question", question, tuple(question_topic(question)))


def _without_leading_conjunction(question: str) -> str:
    """``question`` without a conjunction word it opens with ("But who attended?" -> "Who
    attended?", «لكن من حضر؟» -> «من حضر؟»); a glued «و» stays (``fold_followup`` reads it)."""
    first = re.match(r"\s*(\w+)[\s,،]+(?=\w)", question)
    if not first or normalize(first.group(1)).lower() not in _LEADING_CONJUNCTIONS:
        return question
    rest = question[first.end():]
    return rest[:1].upper() + rest[1:]


def plan_question(question: str, history: History | None, *, word_checked: bool = False) -> QuestionPlan:
    """Decide how ``question`` is retrieved given the earlier turns (see the module notes).

    The user messages of ``history`` are replayed in order, so the previous question is
    the last one that asked something (small talk in between is skipped, and so is a
    message the bot answered with ``INVITATION``, such as "Tell me a joke"), and a chain of
    follow-ups keeps its topic.

    ``word_checked``: the answer policy checks this question's words against the articles
    (it is in their language: the ``same`` models); then a follow-up with words of its own
    after a refusal is asked as it stands even when a pronoun points back (``_after_refusal``).
    """
    from .llm_prompt import without_language_request

    last: QuestionPlan | None = None
    last_index: int | None = None
    earlier: list[tuple[QuestionPlan, int]] = []  # the questions asked so far, with their indices
    for i, message in enumerate(history or []):
        if not (isinstance(message, dict) and message.get("role") == "user"
                and isinstance(message.get("content"), str)):
            continue
        content = message["content"].strip()
        # read as the chain reads the question: "Summarize the article in English" is a summary,
        # so "more" after it goes on (a trial got a pull-quote)
        asked = question_as_asked(content if is_remark(content)
                                  else without_language_request(strip_small_talk(content)))[1]
        plan = _after_refusal(asked, _plan(asked, last, last_index, tuple(earlier), _quoted(history, last_index)),
                              history, last_index, word_checked)
        answer = (answer_message(history, i) or "").strip()
        # a message the bot answered with the invitation asked nothing about the article (a
        # chat request, ``qa.chat_requests``, is only known after retrieval): nothing continues it.
        # Nor does a follow-up the article did not answer: the next one asks about the topic it
        # followed ("Who gave the speech?", "his rank?" refused, then "and what did he say?",
        # which had been refused as following a refusal; a trial)
        if plan.kind != "no-question" and answer not in INVITATION.values() and not (
                plan.kind == "followup" and answer in ABSTENTION.values()):
            last, last_index = plan, i
            earlier.append((plan, i))
    plan = _after_refusal(question, _plan(question, last, last_index, tuple(earlier), _quoted(history, last_index)),
                          history, last_index, word_checked)
    if plan.kind == "followup" and plan.query == plan.previous_query:
        # asked again after turns that asked it again too ("Is that all?", «بس كذا؟», "who
        # else?"): left out, only the last answer's quotes came back in turn (a trial)
        plan = replace(plan, again=tuple(i for p, i in earlier if p.query == plan.query and i != plan.previous))
    return plan


def _quoted(history: History | None, index: int | None) -> bool:
    """The answer to the user message at ``index`` quoted the article (it holds a marker)."""
    return index is not None and bool(MARKER_PATTERN.search(answer_message(history, index) or ""))


def _after_refusal(question: str, plan: QuestionPlan, history: History | None,
                   last_index: int | None, word_checked: bool = False) -> QuestionPlan:
    """``plan``, or, for a follow-up with a word of its own and no pronoun pointing back ("And
    Haftar?", «وحفتر؟») after a question the article did not answer, that follow-up asked as
    it stands: folded, the refused topic ("Who is Lionel Messi?") led its retrieval to another
    paragraph (a trial). One with a pronoun ("And his age?") asks about the refused topic and
    stays a follow-up (the policy then abstains, ``qa.chain.ArticleQA.followup_context``),
    unless the policy checks its words (``word_checked``): «ومن حضره؟» after a refused «كم بلغت
    ميزانية المؤتمر؟» asks who attended the conference, and was refused with it (a trial); asked
    as it stands it is answered, and «وكم عمره؟» after a refused «من هو ليونيل ميسي؟» is still
    refused, for its own words. Across languages the policy reads cosines alone, and "And his
    age?" after "Who is Lionel Messi?" as it stands quoted al-Namroush (p 0.41), so there the
    pronoun keeps the refusal."""
    if (plan.kind != "followup" or last_index is None or not own_words(question)
            or (has_pronoun(question) and not word_checked)
            or (answer_message(history, last_index) or "").strip() not in ABSTENTION.values()):
        return plan
    return QuestionPlan("question", question, tuple(question_topic(question)))


def extractive_followup_query(question: str, history: History | None) -> str:
    """The retrieval query for ``question`` in extractive mode.

    A follow-up with fewer than two content words ("ماذا قال؟", "and when?") cannot be
    retrieved on its own, so it is folded with the previous question's topic
    (``fold_followup``); any other question is retrieved as it is.
    """
    return plan_question(question, history).query


_STANDARD = {normalize(k): v for k, v in DIALECT_QUESTION_WORDS.items() if v}
# Question words as the planner compares them (dialect forms as standard ones), so that "ومين
# غاب؟" after "من هو حفتر؟" asks with the same word.
_SAME_QUESTION_WORD = {**{k: normalize(v) for k, v in _STANDARD.items()},
                       **{normalize(k): normalize(v) for k, v in {"ما": "ماذا", "whom": "who", "whose": "who"}.items()}}


def standard_question_words(text: str) -> str:
    """``text`` with its dialect question words in their Modern Standard Arabic form, a
    glued «و»/«ف» kept («شكون حضر؟» -> «من حضر؟», «وعلاش؟» -> «ولماذا؟», «المؤتمر دام كام
    يوم؟» -> «المؤتمر دام كم يوم؟»). Every Arabic question the policy and the span scorer were
    fitted on is in the standard language, and the embedding reads the word: «قداش دامت
    المشاورات؟» was refused where «كم دامت المشاورات؟» quotes «بعد يومين» (the nineteenth
    trial), and «قداش عدد القتلى؟» got quotes where «كم عدد القتلى؟» is refused."""
    out, last = [], 0
    for match in re.finditer(r"\w+", text):
        word = normalize(match.group())
        prefix, standard = "", _STANDARD.get(word)
        if standard is None and len(word) > 2 and word[0] in "وف" and word[1:] in _STANDARD:
            prefix, standard = match.group()[0], _STANDARD[word[1:]]
        if standard is not None:
            out.append(text[last:match.start()] + prefix + standard)
            last = match.end()
    return "".join(out) + text[last:]
# Words that ask for more of what was already answered ("who else?", "ومن أيضا؟"), and verbs
# of saying: "What did he say?" after "Who gave the opening speech?" asks for the rest of the
# speech, not the sentence that named the speaker again.
MORE_OF_THE_SAME = _vocabulary(
    "else more other others another besides أيضا ايضا كذلك غير آخر اخر آخرون كمان برضه برضو"
)
_MORE = MORE_OF_THE_SAME | _vocabulary("say says said tell told قال قالت يقول تقول اضاف أضاف")


def own_words(question: str) -> list[str]:
    """The content words ``question`` asks about of its own: ``content_words`` less the words
    that ask for more of the last answer or for what was said ("else", «أيضا», «كمان», "say",
    «قال»): "What else did he say?" and «ماذا قال أيضا؟» have none, and follow the previous
    question (the planner folds them; the policy lets them follow its verdict)."""
    # a conjunction is no word of the question's own: "Thanks, but where was it held?" (a
    # trial) kept "but" and was asked alone instead of following the conference
    return [w for w in content_words(question) if normalize(w).lower() not in _MORE | _LEADING_CONJUNCTIONS]


def asks_for_more(question: str, previous: str) -> bool:
    """True when ``question`` asks for more answers to ``previous``: a word such as "else",
    "more", «كمان», «أيضا» (``MORE_OF_THE_SAME``) and no question word other than the previous
    one ("who else?" after "Who attended?"; "what else?" after it asks something else)."""
    folded = _folded(question)
    if not any(t in MORE_OF_THE_SAME for t in folded):
        return False
    asked = question_word(question)
    return asked is None or asked == question_word(previous)


def question_word(text: str) -> str | None:
    """The question word a message asks with (its first one, a dialect form mapped to the
    standard one: "مين" -> "من"), or ``None``."""
    for word in _folded(text):
        if word in QUESTION_WORDS:
            return _SAME_QUESTION_WORD.get(word, word)
    return None


def asks_again(question: str, previous: str | None) -> bool:
    """True when a follow-up asks again for what the previous question asked: the same
    question word ("ومين غاب؟" after "من هو حفتر؟"), a word asking for more ("who else?") or
    a verb of saying ("What did he say?": the rest of what was said), or whether that was all
    ("Is that all?", ``is_that_all``). The same question word
    with a pronoun pointing back and a word the previous question lacks ("Who is his deputy?"
    after "Who is the chief of staff?") asks about the one just named, not again.
    Then the previous answer's quotes are not repeated; a follow-up that asks another thing
    ("and why?" after "Which country did not take part?") may quote them again where they
    hold the answer (issue #11: the paragraph on Egypt's reasons was the one already shown)."""
    if any(t in _MORE for t in _folded(question)) or is_that_all(question):
        return True
    word = question_word(question)
    if word is None or previous is None or word != question_word(previous):
        return False
    # the same question word, a pronoun pointing back and a word of its own the previous
    # question lacks ask about the one just named ("Who is his deputy?" after "Who is the chief
    # of staff?": the deputy is in the sentence that answered, which was left out); «ومين غاب؟»
    # after «من هو حفتر؟» points at nobody and asks the same thing of the article again
    if not has_pronoun(question):
        return True
    before = {normalize(w).lower() for w in content_words(previous)}
    return all(normalize(w).lower() in before for w in own_words(question))


def previous_abstained(history: History | None, plan: QuestionPlan) -> bool:
    """True when the answer to the question a follow-up continues said the article does not say."""
    if plan.previous is None:
        return False
    message = answer_message(history, plan.previous)
    return message is not None and message.strip() in ABSTENTION.values()


def previous_question_at(history: History | None, user_index: int | None) -> str | None:
    """The user message at ``user_index`` of the history (the question a follow-up continues)."""
    if user_index is None or not history or user_index >= len(history):
        return None
    message = history[user_index]
    return message.get("content") if isinstance(message, dict) and isinstance(message.get("content"), str) else None


def answer_message(history: History | None, user_index: int) -> str | None:
    """The assistant message that answered the user message at ``user_index``, if any."""
    for message in (history or [])[user_index + 1:]:
        if not isinstance(message, dict):
            continue
        if message.get("role") == "user":
            return None
        if message.get("role") == "assistant" and isinstance(message.get("content"), str):
            return message["content"]
    return None
