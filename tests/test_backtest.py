"""`fixloop backtest kb|route|causes` on small CSV fixtures, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.search.classifier import LinearTextClassifier
from adapters.search.clustering import WardClusterer
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from bot.backtest import backtest_causes, backtest_kb, backtest_route, read_rows
from bot.cli import main
from core.kb import SuggestionPolicy

DATA = Path(__file__).parent / "data" / "backtest"


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["backtest", *args, "--json", "--backend", "tfidf"]) == 0  # the semantic path: test_*semantic
    return json.loads(capsys.readouterr().out)


def test_backtest_kb_prints_hits_mrr_abstention_and_speed(capsys) -> None:
    out = run_json(capsys, "kb", "--articles", str(DATA / "articles.csv"), "--history", str(DATA / "history.csv"),
                   "--queries", str(DATA / "queries.csv"))
    assert out["n"] == 12 and out["answerable"] == 10 and out["unanswerable"] == 2
    assert out["without_abstaining"]["hit_at_3"] >= 0.9 and out["hit_at_3"] >= 0.7
    assert 0 < out["mrr"] <= 1 and out["queries_per_second"] > 0
    assert 0 <= out["calibration_error"] <= 1
    assert set(out) >= {"hit_at_1", "abstain_precision", "abstain_recall", "without_abstaining", "backend"}


def test_backtest_route_prints_accuracy_and_macro_f1(capsys) -> None:
    out = run_json(capsys, "route", "--train", str(DATA / "route_train.csv"), "--test", str(DATA / "route_test.csv"))
    assert out["n_test"] == 6 and out["accuracy"] >= 0.8 and 0 < out["macro_f1"] <= 1


def test_backtest_causes_finds_the_number_of_causes(capsys) -> None:
    out = run_json(capsys, "causes", "--tickets", str(DATA / "tickets.csv"))
    assert out["labels"] == 3 and 2 <= out["causes_found"] <= 6
    assert set(out) >= {"nmi", "ari", "accuracy", "seconds"}


def test_text_output_without_json(capsys) -> None:
    assert main(["backtest", "route", "--train", str(DATA / "route_train.csv"),
                 "--test", str(DATA / "route_test.csv"), "--backend", "tfidf"]) == 0
    assert "accuracy: " in capsys.readouterr().out


def test_text_output_puts_each_abstention_figure_on_its_own_line(capsys) -> None:
    assert main(["backtest", "kb", "--articles", str(DATA / "articles.csv"), "--history",
                 str(DATA / "history.csv"), "--queries", str(DATA / "queries.csv"), "--backend", "tfidf"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "abstention:" in lines and "without_abstaining:" in lines
    assert any(line.startswith("  quiet_when: The bot stays quiet when") for line in lines)
    assert any(line.startswith("  hit_at_3: ") for line in lines)


def test_a_missing_column_is_a_clear_error(capsys) -> None:
    assert main(["backtest", "causes", "--tickets", str(DATA / "route_test.csv")]) == 2
    assert "missing column(s) label" in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(capsys) -> None:
    assert main(["backtest", "route", "--train", "nope.csv", "--test", str(DATA / "route_test.csv")]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err


def test_the_clusterer_never_sees_the_labels() -> None:
    seen: list[list[str]] = []

    class Spy:
        name = "spy"

        def cluster(self, texts: list[str]) -> list[int]:
            seen.append(list(texts))
            return [0] * len(texts)

    rows = read_rows(DATA / "tickets.csv", ("text", "label"))
    out = backtest_causes(rows, clusterer=Spy())
    assert seen == [[r["text"] for r in rows]] and out["causes_found"] == 1


def test_light_back_end_scores_match_the_cli_shape() -> None:
    arts = read_rows(DATA / "articles.csv", ("id", "title", "body"))
    queries = read_rows(DATA / "queries.csv", ("text", "article_id"))
    out = backtest_kb(arts, [], queries, ranker=LearnedRanker(LexicalFeatures()))
    assert out["backend"] == "tfidf" and out["hit_at_3"] >= 0.8 and out["abstain_recall"] >= 0.5
    route = backtest_route(read_rows(DATA / "route_train.csv", ("text", "team")),
                           read_rows(DATA / "route_test.csv", ("text", "team")),
                           classifier=LinearTextClassifier(LexicalFeatures()))
    assert route["backend"] == "tfidf" and route["accuracy"] >= 0.8
    causes = backtest_causes(read_rows(DATA / "tickets.csv", ("text", "label")), clusterer=WardClusterer())
    assert causes["backend"] == "tfidf" and causes["nmi"] > 0.5


def test_history_rows_without_an_article_teach_abstention() -> None:
    articles = read_rows(DATA / "articles.csv", ("id", "title", "body"))
    history = read_rows(DATA / "history.csv", ("text", "article_id"))
    queries = read_rows(DATA / "queries.csv", ("text", "article_id"))
    none_fits = [{"text": t, "article_id": ""} for t in (
        "what is for lunch in the canteen", "canteen menu this week", "company holiday party date",
        "when is the summer party", "is the canteen open on friday", "party next month where")]
    policy = SuggestionPolicy(min_score=0.3)
    plain = backtest_kb(articles, history, queries, ranker=LearnedRanker(LexicalFeatures(), min_history=5),
                        policy=policy)
    taught = backtest_kb(articles, history + none_fits, queries,
                         ranker=LearnedRanker(LexicalFeatures(), min_history=5), policy=policy)
    assert taught["abstain_recall"] == 1.0 and taught["abstain_recall"] > plain["abstain_recall"]
    assert taught["hit_at_3"] >= 0.7


def test_calibration_error_is_the_gap_between_confidence_and_accuracy() -> None:
    from adapters.search.scoring import calibration_error

    assert calibration_error([1.0, 1.0], [True, True]) == 0.0
    assert calibration_error([0.9] * 4, [True, True, False, False]) == 0.4  # sure at 90 %, right half the time
    # Two bins, each weighted by its share: |1/2 - 0.25| * 0.5 + |1 - 0.95| * 0.5
    assert calibration_error([0.25, 0.25, 0.95, 0.95], [True, False, True, True]) == 0.15
    assert calibration_error([], []) is None
