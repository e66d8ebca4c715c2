"""Abstention that follows the questions a deployment is asked (adapters/search/traffic.py): the share of
them without an article is estimated with no label read, and where it is high the bot stays quiet more."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import numpy as np

from adapters.db.model_inputs import SqlModelInputs
from adapters.db.repositories import SqlRepositories
from adapters.model_kinds import SuggestionModel
from adapters.search.abstention import CalibratedRanker
from adapters.search.calibration import Calibration
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from adapters.search.scoring import calibration_error
from adapters.search.traffic import (
    ASKED,
    MIN_ASKED,
    MIN_DECLINES,
    TARGET_PRECISION,
    Reading,
    Traffic,
    adapt,
    estimate_prior,
    reshaped,
    reweigh,
    target_for,
)
from bot.backtest import backtest_kb
from core.kb import Article, Library
from core.tickets import ASKED_FOR_A_PERSON, Message, Resolution, Role, Surface, Ticket
from tests.abstention_topics import few_shot_world

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def calibrated() -> CalibratedRanker:
    return CalibratedRanker(lambda: LearnedRanker(LexicalFeatures()))


def sample(prior: float, n: int, rnd: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Labels with this prior, and the chance of each that a model calibrated where the prior was 0.8 gives
    (a score's likelihood ratio is exp(2 x score), the same under any prior)."""
    label = rnd.random(n) < prior
    score = rnd.normal(np.where(label, 1.0, -1.0), 1.0)
    odds = 0.8 / 0.2 * np.exp(2 * score)
    return label, odds / (1 + odds)


def test_the_share_of_questions_with_an_article_is_estimated_without_labels() -> None:
    rnd = np.random.default_rng(3)
    for prior in (0.3, 0.5, 0.8):
        label, chance = sample(prior, 4_000, rnd)
        estimate = estimate_prior(chance, 0.8)
        assert abs(estimate - label.mean()) < 0.03
        # Re-weighed to the estimate, the chances are calibrated again: their mean is the true share.
        assert abs(reweigh(chance, 0.8, estimate).mean() - label.mean()) < 0.03


def test_many_questions_unlike_the_history_raise_the_threshold_and_say_by_how_much() -> None:
    rnd = np.random.default_rng(5)
    label, chance = sample(0.4, 1_000, rnd)  # 60% of the asked questions have no article
    line = np.linspace(0, 1, 101).tolist()
    reading = Reading(line, line, 0.8)  # chance -> "one fits", learnt where 80% had an article
    traffic = adapt(chance.tolist(), reading)
    assert traffic is not None and abs(traffic.no_article_share - (1 - label.mean())) < 0.05
    assert traffic.threshold > 0.5 and (traffic.estimated_precision or 0) >= TARGET_PRECISION
    quiet = chance < traffic.threshold
    assert (~label[quiet]).mean() >= TARGET_PRECISION - 0.03  # the estimate holds on the labels
    # Where nearly every question has an article, only a handful at the very bottom are 90% without one.
    label, chance = sample(0.97, 1_000, rnd)
    calm = adapt(chance.tolist(), reading)
    assert calm is not None and calm.no_article_share < 0.06
    assert (chance < calm.threshold).mean() < 0.03  # only the very least likely are silenced
    assert adapt(chance[: MIN_ASKED - 1].tolist(), reading) is None  # too few to estimate anything


def fixture() -> tuple[list[Article], list[tuple[str, str]], list[tuple[str, str]]]:
    articles, history, asked = few_shot_world()
    return [Article(id=i, title=t, body=b) for i, t, b in articles], history, asked


def test_where_half_the_questions_have_no_article_the_bot_stays_quiet_on_more_of_them() -> None:
    articles, history, asked = fixture()
    queries = [{"text": q, "article_id": a} for q, a in asked]
    report = backtest_kb([{"id": a.id, "title": a.title, "body": a.body} for a in articles],
                         [{"text": q, "article_id": a} for q, a in history], queries, ranker=calibrated())
    learnt = report["abstention"]
    assert learnt["traffic"]["asked"] == len(asked)
    assert 0.25 <= learnt["traffic"]["estimated_no_article_share"] <= 0.75  # truly 0.5
    assert learnt["threshold"] > learnt["history_threshold"] and "stays quiet under" in learnt["how"]
    assert f"The {len(asked)} questions asked most recently raised it from" in learnt["quiet_when"]
    # The same ranker without the asked questions read: the history's threshold alone.
    library = Library(calibrated())
    library.load(articles, history)
    shown = [library.suggest(q) for q, _ in asked]
    quiet = sum(not s.items for s, (_, a) in zip(shown, asked, strict=True) if not a)
    first = sum(bool(s.items) and s.items[0].article.id == a for s, (_, a) in zip(shown, asked, strict=True) if a)
    # The history alone already catches 50 of the 80 (the SVM's margins among its signals): reading the
    # asked questions catches more, still at high precision.
    assert report["abstain_recall"] >= quiet / 80 + 0.05 and report["abstain_precision"] >= 0.85
    assert report["full_accuracy"] >= (quiet + first) / len(asked) + 0.025


def test_the_asked_questions_are_read_again_when_the_calibration_is_learnt_again() -> None:
    articles, history, asked = fixture()
    ranker = calibrated()
    Library(ranker).load(articles, history)
    assert ranker.adapt([q for q, _ in asked]) is not None
    before = ranker.calibration
    more = history + [(q, a) for q, a in asked if a]  # the history grew past the re-learning mark
    Library(ranker).load(articles, more)
    assert ranker.calibration is not None and ranker.calibration is not before
    assert ranker.calibration.traffic is not None
    assert ranker.abstain_below == max(ranker.calibration.threshold, ranker.calibration.traffic.threshold)


async def test_the_stored_suggestion_model_reads_the_newest_asked_questions(repos: SqlRepositories) -> None:
    articles, history, asked = fixture()
    for article in articles:
        await repos.articles.save(article)
    solved = [Ticket(id=f"H{n:03d}", surface=Surface.INTERNAL, created_at=T0 + timedelta(minutes=n), text=q,
                     resolved_at=T0 + timedelta(minutes=n, seconds=30), resolution=Resolution.ARTICLE,
                     article_id=a) for n, (q, a) in enumerate(history)]
    declined = Ticket(id="D000", surface=Surface.INTERNAL, created_at=T0 - timedelta(days=1), text="w399 w398",
                      resolved_at=T0 - timedelta(hours=20), resolution=Resolution.AGENT, suggested_article_ids=["t0"],
                      messages=[Message(T0 - timedelta(days=1), Role.SYSTEM, "fixloop", ASKED_FOR_A_PERSON)])
    await repos.tickets.save(declined)
    start = T0 + timedelta(days=1)
    open_ = [Ticket(id=f"Q{n:03d}", surface=Surface.INTERNAL, created_at=start + timedelta(minutes=n), text=q)
             for n, (q, _) in enumerate(asked)]
    await repos.tickets.save_many(solved + open_)
    inputs = SqlModelInputs(repos.sessions)
    newest = await inputs.asked(len(asked))
    assert newest == [(q, None) for q, _ in asked]  # the newest, oldest first; open: nothing known of them
    model = SuggestionModel(Library(calibrated()), calibrated, repos.articles, inputs)
    data = await model.data()
    assert data.asked[-len(asked):] == newest and len(data.solved) == len(history) + 1
    assert data.asked[0] == ("w399 w398", False)  # a person helped after "I still need help": none fits
    assert data.asked[1: len(history) + 1] == [(q, True) for q, _ in history]  # solved by an article
    fitted = model.fit(data, await model.context())
    cal = fitted.model.calibration
    assert cal is not None and cal.traffic is not None and cal.traffic.asked == len(data.asked)
    assert fitted.model.abstain_below == cal.effective > cal.threshold


def test_more_asked_questions_than_are_read_are_sampled_evenly_not_by_their_tail() -> None:
    ranker = calibrated()  # a replay lists questions in any order (CLINC150: every out-of-scope one last)
    texts = [f"question {i}" for i in range(5_500)]
    ranker.adapt(texts)
    kept = [int(t.split()[1]) for t, _ in ranker._asked]
    assert len(kept) <= ASKED and kept[0] == 0 and kept[-1] >= 5_500 - 3
    assert max(b - a for a, b in zip(kept, kept[1:], strict=False)) <= 3


def test_with_its_own_declines_on_record_the_shown_confidence_follows_the_asked_questions() -> None:
    articles, history, asked = few_shot_world(declines=MIN_DECLINES + 10)
    ranker = calibrated()
    Library(ranker).load([Article(id=i, title=t, body=b) for i, t, b in articles], history)
    texts, first_right = [q for q, _ in asked], []
    before = [ranker.search(q, 1)[0] for q in texts]  # (article, confidence) as the history calibrated it
    traffic = ranker.adapt(texts)
    cal = ranker.calibration
    assert cal is not None and cal.reading is not None and cal.reading.from_declines and traffic is not None
    assert abs(traffic.no_article_share - 0.5) <= 0.15  # half the asked questions have no article
    after = [ranker.search(q, 1)[0] for q in texts]
    first_right = [aid == a != "" for (aid, _), (_, a) in zip(before, asked, strict=True)]
    assert [aid for aid, _ in after] == [aid for aid, _ in before]  # the same articles, surer or less so
    # Here the history's own confidence is already close (0.011: the SVM's margins separate these topics);
    # following the asked questions must keep it so (the mechanism is checked on its own below).
    assert calibration_error([c for _, c in after], first_right) <= 0.035
    assert "'I still need help' questions" in cal.to_dict()["how"] and cal.to_dict()["traffic"]["against"] == "declines"
    # The threshold in force is on the scale shown: the same questions are silenced as on the history's.
    quiet_after = [c < ranker.abstain_below for _, c in after]
    history_scale = max(cal.threshold, traffic.threshold)
    assert quiet_after == [c < history_scale for _, c in before]


def test_a_question_the_ranker_learnt_counts_by_its_label_not_by_its_confidence() -> None:
    rnd = np.random.default_rng(9)
    label, chance = sample(0.5, 2_000, rnd)
    line = np.linspace(0, 1, 101).tolist()
    reading = Reading(line, line, 0.8)
    # Half the asked questions are lessons: the ranker learnt them, so it is sure of all of them, yet only
    # those solved by an article had one; a person helped with the others after "I still need help".
    learnt = rnd.random(2_000) < 0.5
    shown = np.where(learnt, 0.99, chance)
    known = [bool(fits) if was else None for fits, was in zip(label, learnt, strict=True)]
    blind = adapt(shown.tolist(), reading)
    told = adapt(shown.tolist(), reading, known)
    assert blind is not None and told is not None
    truth = 1 - label.mean()
    assert abs(told.no_article_share - truth) < 0.04 < abs(blind.no_article_share - truth)


def test_where_no_cut_is_ninety_percent_right_the_one_estimated_most_right_is_taken() -> None:
    line = np.linspace(0, 1, 11).tolist()
    reading = Reading(line, line, 0.8, right_xs=line, right_ys=line)  # surer: more often the right article
    # 100 asked questions (lessons, so their labels count): under 0.3, 4 of 5 have no article; above, all have.
    shown = np.r_[np.linspace(0.0, 0.29, 50), np.linspace(0.3, 1.0, 50)]
    fits = [i % 5 == 0 for i in range(50)] + [True] * 50
    traffic = adapt(shown.tolist(), reading, fits)
    assert traffic is not None and 0.29 < traffic.threshold <= 0.3  # everything under 0.3 is silenced
    assert traffic.estimated_precision == 0.8 < TARGET_PRECISION
    cal = Calibration(threshold=0.1, how="cross-validation", reading=reading, traffic=traffic)
    assert "estimated 80% right (no cut was estimated 90% right" in str(cal.to_dict()["how"])
    # Where the unsure questions mostly have an article the bot gets right, silence would cost more.
    sure = Reading(line, line, 0.8, right_xs=line, right_ys=[1.0] * 11)
    fits = [i % 5 != 1 for i in range(50)] + [True] * 50
    quiet = adapt(shown.tolist(), sure, fits)
    assert quiet is not None and quiet.threshold == 0.0 and quiet.estimated_precision is None
    # Without a map of right first articles there is nothing to weigh silence against.
    blind = adapt(shown.tolist(), Reading(line, line, 0.8), [i % 5 == 0 for i in range(50)] + [True] * 50)
    assert blind is not None and blind.threshold == 0.0


def test_read_against_declines_the_shown_confidence_is_re_weighed_to_the_asked_questions_share() -> None:
    rnd = np.random.default_rng(5)
    label, chance = sample(0.4, 3_000, rnd)  # calibrated where 80% had an article; here 40% have one
    line = np.linspace(0, 1, 101).tolist()
    reading = Reading(line, line, 0.8, from_declines=True, right_xs=line, right_ys=[1.0] * 101)
    traffic = adapt(chance.tolist(), reading)
    assert traffic is not None and abs(traffic.no_article_share - 0.6) < 0.05
    after = reshaped(chance, reading, traffic)
    assert calibration_error(after.tolist(), label.tolist()) < 0.03 < calibration_error(chance.tolist(),
                                                                                         label.tolist())


def test_the_cut_aims_at_its_back_end_s_precision_and_says_which() -> None:
    line = np.linspace(0, 1, 11).tolist()
    reading = Reading(line, line, 0.8, right_xs=line, right_ys=line)
    # 100 lessons under 0.3, least sure first: the first 91 had no article, the last 9 had one; all above had.
    shown = np.r_[np.linspace(0.0, 0.29, 100), np.linspace(0.5, 1.0, 100)].tolist()
    fits = [i >= 91 for i in range(100)] + [True] * 100
    loose, strict = adapt(shown, reading, fits, 0.90), adapt(shown, reading, fits, 0.92)
    assert loose is not None and strict is not None and strict.threshold < 0.29 < loose.threshold
    assert (loose.estimated_precision or 0) >= 0.90 and (strict.estimated_precision or 0) >= 0.92
    assert strict.to_dict()["target_precision"] == 0.92
    stored = asdict(strict)  # as a model stored before the target was kept restores it
    del stored["target_precision"]
    assert Traffic(**stored).target_precision == TARGET_PRECISION
    # The calibrated ranker aims at its own back end's target.
    articles, history, asked = fixture()
    ranker = calibrated()
    Library(ranker).load(articles, history)
    traffic = ranker.adapt([q for q, _ in asked])
    assert traffic is not None and traffic.target_precision == target_for(ranker.name) == TARGET_PRECISION
