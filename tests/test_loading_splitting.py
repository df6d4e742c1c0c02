"""Loading and splitting on the real seed article: offsets, sentence ends, bad files."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import SEED_FILE, SEEDS, XQUAD
from qa.errors import DocumentError
from qa.loading import decode_upload, load_documents
from qa.splitting import past_ornaments, split_documents, split_sentences

SENTENCE_END = re.compile(r"[.؟?!؛”\"»)]$")


def test_seed_copied_byte_for_byte():
    shared_seed = SEED_FILE.parents[2] / "shared" / "seeds" / SEED_FILE.name
    if shared_seed.exists():  # beside the repo in CI and on the developers' machines
        assert SEED_FILE.read_bytes() == shared_seed.read_bytes()
    assert len(SEED_FILE.read_bytes()) == 4962


def test_offsets_point_at_the_passage_text(embeddings, seed_text):
    documents, skipped = load_documents(SEEDS)
    assert skipped == [] and documents[0].text == seed_text
    passages = split_documents(documents, embeddings.count_tokens)
    assert len(passages) == 10  # ten paragraphs, each within one passage
    for p in passages:
        assert seed_text[p.start : p.end] == p.text
        assert p.sentences[0].start == p.start and p.sentences[-1].end == p.end
        for s in p.sentences:
            assert seed_text[s.start : s.end] == s.text
        assert embeddings.count_tokens(p.text) <= 500


def test_passages_end_on_sentence_boundaries_and_no_fragments(embeddings, seed_text):
    documents, _ = load_documents(SEEDS)
    for p in split_documents(documents, embeddings.count_tokens):
        # a passage ends where its paragraph (line) ends or on sentence punctuation
        line_end = p.end == len(seed_text) or seed_text[p.end] in "\r\n"
        assert line_end or SENTENCE_END.search(p.text), p.text[-30:]
        assert len(p.text.split()) >= 3
    # the "◙" marker line is one passage, never a lone symbol
    assert all(p.text.strip() != "◙" for p in split_documents(documents, embeddings.count_tokens))


def test_quotes_open_on_a_word_not_an_ornament(seed_bot, seed_text):
    # the pull-quote line of the seed opens with a decorative "◙"; its quote starts on its first word
    answer = seed_bot.ask("لماذا تسعى مصر للنأي بنفسها عن سياسة المحاور؟")
    pull_quote = [c for c in answer.citations if "مراقبون يرون" in c.quote]
    assert pull_quote and pull_quote[0].quote.startswith("مراقبون يرون"), answer.citations
    for c in answer.citations:
        assert seed_text[c.quote_start:c.quote_end] == c.quote and "◙" not in c.quote
    assert "◙" not in answer.lead and "◙" not in answer.text
    text = "• The mayor opened it. $5 million was paid."
    assert text[past_ornaments(text, 0, 22):22] == "The mayor opened it."
    assert past_ornaments(text, 23, len(text)) == 23  # a currency sign opens a fact: kept
    assert past_ornaments("◙", 0, 1) == 0  # nothing but the ornament: the span stays


@pytest.mark.parametrize("question", ["ما موقف مصر من سياسة المحاور؟", "What do observers think Egypt is doing?"])
def test_the_pull_quote_is_shown_from_its_first_word(seed_bot, seed_text, question):
    """Both questions cite the seed's pull-quote line (paragraph 5, «◙ مراقبون يرون أن مصر …»).
    Its quote, the sources under the answer and the article panel's outlined passage open on
    «مراقبون» (the outline held "[1]◙" before the words, a user trial); the passage's offsets
    still start on the ornament, and the panel still shows it, outside the outline."""
    import lxml.html

    from qa import ui_render

    answer = seed_bot.ask(question)
    (cited,) = [c for c in answer.citations if c.paragraph == 5]
    assert cited.quote.startswith("مراقبون يرون أن مصر") and seed_text[cited.quote_start:cited.quote_end] == cited.quote
    assert seed_text[cited.start] == "◙" and seed_text[cited.start:cited.end] == cited.text
    message = ui_render.render_answer(answer, seed_bot.documents, 0.5, article="the sample", question=question)
    sources = ui_render.render_sources(answer.citations, seed_bot.documents, answer.lead)  # the quotes shown
    assert "◙" not in message and "◙" not in sources
    panel = lxml.html.fragment_fromstring(ui_render.render_article(seed_bot.documents, answer), create_parent="div")
    outline = panel.xpath(f'//span[contains(@class, "qa-cited") and @data-qa-n="{cited.n}"]')
    shown = "".join(span.text_content() for span in outline)
    assert shown.startswith(f"[{cited.n}]مراقبون يرون") and "◙" not in shown
    (line,) = panel.xpath('//p[@data-qa-paragraph="5"]')
    assert line.text_content() == "◙ " + shown  # the ornament stays in the text, before the outline


def test_arabic_question_mark_and_semicolon_end_sentences():
    text = "هل حضر الوفد المغربي الاجتماع؟ لم يحضر أي وفد؛ وقال المتحدث إن الغياب مقصود. Dr. Smith left at 3.5 pm. Fine!"
    sentences = [s.text for s in split_sentences(text)]
    # "Dr." and "3.5" do not end sentences; the one-word "Fine!" is a fragment and joins its neighbour
    assert sentences == ["هل حضر الوفد المغربي الاجتماع؟", "لم يحضر أي وفد؛", "وقال المتحدث إن الغياب مقصود.",
                         "Dr. Smith left at 3.5 pm. Fine!"]
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_xquad_collection_offsets(embeddings):
    documents, _ = load_documents(XQUAD / "corpus")
    assert len(documents) == 24
    for p in split_documents(documents[:3], embeddings.count_tokens):
        text = next(d.text for d in documents if d.source == p.source)
        assert text[p.start : p.end] == p.text


def test_bad_files_are_skipped_with_a_message(tmp_path):
    shutil.copy(SEED_FILE, tmp_path / SEED_FILE.name)
    (tmp_path / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "latin1.md").write_bytes("caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4")
    documents, skipped = load_documents(tmp_path)
    # 12 bytes of Latin-1 are too few to tell the encoding: refused with advice
    assert [d.source for d in documents] == [SEED_FILE.name]
    joined = "\n".join(skipped)
    for name, why in (("empty.txt", "empty"), ("binary.txt", "binary"), ("broken.pdf", "PDF"),
                      ("latin1.md", "save it as UTF-8")):
        assert name in joined and why in joined


def test_folder_without_documents_is_an_error(tmp_path):
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(DocumentError, match="no usable document") as err:
        load_documents(tmp_path)
    # the reasons follow, one after another, not inside brackets of their own (trial 50)
    (tmp_path / "junk.txt").write_bytes(b"abc\x00def" * 50)
    with pytest.raises(DocumentError) as err:
        load_documents(tmp_path)
    message = str(err.value)
    assert "no usable document: empty.txt is empty" in message and "skipped" not in message
    assert "empty.txt" in message and "junk.txt looks binary (it holds NUL bytes)" in message
    assert message.count("(") == message.count(")") and not message.endswith("))")
    with pytest.raises(DocumentError, match="no such folder"):
        load_documents(tmp_path / "missing")


def test_upload_checks():
    assert decode_upload("a.txt", "نص قصير".encode()) == "نص قصير"
    with pytest.raises(DocumentError, match="use a .pdf, .docx, .html, .txt or .md"):
        decode_upload("a.exe", b"MZ")
    with pytest.raises(DocumentError, match="is not a PDF"):
        decode_upload("a.pdf", b"%PDF")
    with pytest.raises(DocumentError, match="over the limit"):
        decode_upload("a.txt", b"x" * 300_000)


def test_utf16_with_a_byte_order_mark_is_read():
    assert decode_upload("a.txt", "نص".encode("utf-16")) == "نص"



def test_splitting_reports_progress_before_embedding(seed_bot):
    """A reader's own article (``ArticleQA.with_texts``, the web app's path) reports the
    splitting stage through ``split_callback``, paragraph by paragraph, before the first
    embedding report: the stage had reported nothing, and a large upload's bar stood at 0 %
    (a trial)."""
    events: list[tuple[str, int, int]] = []
    # eight one-sentence paragraphs: few texts to embed, so the test stays fast
    text = "\n".join(f"Paragraph {n}: the harbour festival in Misrata held race number {n} on Sunday."
                     for n in range(1, 9))
    bot = seed_bot.with_texts({"harbour.txt": text},
                              progress_callback=lambda done, total: events.append(("embed", done, total)),
                              split_callback=lambda done, total: events.append(("split", done, total)))
    split = [(done, total) for stage, done, total in events if stage == "split"]
    assert split == [(n, 8) for n in range(9)], split  # from 0 to every paragraph, in order
    first_embedding = next(i for i, (stage, *_rest) in enumerate(events) if stage == "embed")
    assert first_embedding == len(split)  # every splitting report comes before embedding
    assert all(stage == "embed" for stage, *_rest in events[first_embedding:])
    assert events[-1][1] == events[-1][2] > 0  # embedding reached its total
    assert bot.info()["n_passages"] == 8
