"""Whether any article fits a question: evidence beyond the ranker's odds, and a model that weighs it.

The ranker's top probability says which article fits best, not whether one fits at all: a question unlike
every article can still hand one article most of the odds. So each question also gets how close its nearest
past questions are, whether those neighbours agree with the ranker's first article, how much of its
vocabulary the deployment has ever seen (and its first article's questions have used), and its length. A
logistic regression learnt on held-out-article cross-validation (adapters/search/abstention.py) turns these
into the chance that the first article is right (with embeddings, that any article fits:
abstention.LEARNS_FIT).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import minimize
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from adapters.search.article_shapes import ArticleShapes
from adapters.search.classifier import latest_per_label
from adapters.search.codec import halved
from adapters.search.lexicon import Lexicon
from adapters.search.static_vectors import static_vectors
from core.kb import NO_ARTICLE

# Tried and dropped on CLINC150's validation split: the second's share of the first, the odds outside the ten
# best, and the closeness to past *I still need help* questions; with them the model fitted the held-out
# articles' questions (siblings of kept articles) and lost recall on real out-of-scope ones (0.60 against
# 0.67 at 2 points of hit@3).
# "claim" and "unlike_declined" are the SVM's own margins (LearnedRanker.claims): absolute where the odds are
# relative. With them the answer model separates CLINC150's validation out-of-scope questions better (AUROC
# 0.950 -> 0.965 light, 0.980 -> 0.986 semantic). They come last, so a stored model fitted on fewer signals
# still reads its own (Calibration.history_confidence).
# "fit_centroid" and "fit_own" ask how the question sits beside the first article's own questions: its cosine
# to their centre, and how near its nearest of them are against how near they lie to each other (some
# articles' questions are tight, others spread; adapters/search/article_shapes.py). On CLINC150's validation
# questions at the test split's out-of-scope share (semantic), the best out-of-scope recall at precision 0.90
# within 2 points of hit@3 goes 0.85 -> 0.88 (AUROC 0.986 -> 0.987); light, no change.
# "far_from_declined" is minus the best cosine to a past *I still need help* question (words only, see
# _neighbours): people ask again about what no article covers. Dropped above while held-out articles'
# questions stood for "no article fits"; learnt against the declines alone (abstention.decline_weights) it
# helps light. CLINC150 validation at the test split's out-of-scope share, both ways round (oos_train the
# declines and oos_val asked, and swapped): recall 0.77 -> 0.78 at precision 0.895 -> 0.898, and
# 0.68 -> 0.71 at 0.867 -> 0.861, hit@3 loss 1.5 / 1.9 -> 1.5 / 2.0 points; the few-shot businesses with 40
# declines gained 0.4 to 1.2 points of full accuracy. With embeddings it cost recall (0.89 -> 0.88 and
# 0.89 -> 0.87): there it stays 0.
# "own_words" is the IDF-weighted share of the question's words that its first article's own questions and
# body ever used (adapters/search/lexicon.py), on both back ends: embeddings put a question beside an article
# whose rarer words it never met. Validation (session 13), both CLINC150 replays at the test split's share:
# semantic recall 0.89 -> 0.92 at precision 0.902 -> 0.903 and 0.89 -> 0.90 at 0.890 -> 0.905 (hit@3 loss
# 1.9 / 2.1 -> 1.9 / 1.8 points); light 0.78 -> 0.80 at 0.898 -> 0.897 and 0.71 -> 0.75 at 0.861 -> 0.848
# (loss 1.5 / 2.0 -> 1.5 / 2.4). Few-shot businesses, full accuracy at 5 / 10 / 20 examples: semantic +0.5 /
# +0.5 / +0.1 points, light -1.4 / +0.4 / +0.5 (five questions say little of an article's words), with 40
# declines light +0.8 / +0.7 / -0.1, semantic +0.2 / -0.1 / 0. It comes last, after the margins.
# "static_near", "static_agree" and "static_centroid" (light only) are near1, agree and fit_centroid over
# sentence vectors from a token table distilled from MiniLM (adapters/search/static_vectors.py): the light
# back end's other signals are all words, and a paraphrase shares few (validation: docs/quality.md,
# session 14). With MiniLM itself in reach they are 0: they would only echo it. Since session 15 the first two
# look only among the questions of the articles the ranker offered: scanning every kept question cost 2.1x a
# light suggestion and grew with the articles; the validation replays moved within their noise (session 15).
# Since session 16 the questions of the view's own ten nearest articles are scanned beside them: with the
# offered ones alone, articles the ranker passed over could not vote against its first in "static_agree".
# Validation (light): AUROC 0.9762 -> 0.9774 and 0.9763 -> 0.9769 on both CLINC150 replays, their best
# full accuracy over thresholds +0.2 / +0.4 points, Banking77's unchanged (docs/quality.md, session 16).
FEATURES = ("top1", "margin", "near1", "near_mean", "agree", "coverage", "length", "claim", "unlike_declined",
            "fit_centroid", "fit_own", "far_from_declined", "own_words", "static_near", "static_agree",
            "static_centroid")
# Each of these can only be evidence *for* an article fitting, so the model may not weigh one against it.
# Unconstrained, the regression fitted the held-out articles (siblings of kept ones) with opposite weights
# on correlated signals (top1 -3.5, margin +4.7 with embeddings) and ranked real out-of-scope questions
# worse than the first article's odds alone: on CLINC150's validation split (semantic) out-of-scope recall
# at the threshold the rule picks 0.53 -> 0.80, projected precision 0.85 -> 0.90; light 0.72 either way.
MONOTONE = frozenset(FEATURES) - {"length"}
NEIGHBOURS = 10  # past questions consulted per question
SAMPLE_WEIGHT = "logisticregression__sample_weight"  # how the pipeline takes row weights
CHUNK = 512  # queries per similarity product: bounds memory to CHUNK x history floats
STATIC_PER_ARTICLE = 200  # an article's latest questions the static view keeps
# Articles whose centres lie nearest a question in the static view: their questions are scanned beside the
# offered ones, so articles the ranker passed over still vote in "static_agree" (as the full scan let them).
STATIC_CENTRES = 10

Dense = Callable[[Sequence[str]], np.ndarray]
Claims = Callable[[Sequence[str]], np.ndarray]  # texts -> (claim, unlike_declined) rows: ranker.claims


class Evidence:
    """The history's view of questions: their nearest past questions and the words the deployment knows."""

    def __init__(self, texts: Sequence[str], labels: Sequence[str], dense: Dense | None = None,
                 claims: Claims | None = None) -> None:
        # Words only: cheap, and "has this word ever been seen" is a question about words.
        self._words = TfidfVectorizer(sublinear_tf=True)
        try:
            words = self._words.fit_transform(texts)
        except ValueError:  # nothing tokenised: no vocabulary, no neighbours
            words = None
        self._analyse = self._words.build_analyzer()
        self._known = set(getattr(self._words, "vocabulary_", {}))
        # Embeddings, when the ranker has them, find paraphrases that share no word.
        self._dense = dense
        # Rounded as stored (codec.halved), as the ranker's neighbour memory is: the same history vectors
        # are then stored once for both (codec.State.put).
        self._matrix = halved(dense(list(texts))) if dense is not None and texts else words
        self.labels = np.asarray(labels)
        self.claims = claims  # the ranker's margins; without them both signals are 0 (a constant, ignored)
        self.shapes = ArticleShapes(self._matrix, self.labels)
        self.lexicon = Lexicon.of(self._words, words, self.labels)
        # The light back end's semantic view (static_vectors.py); with embeddings it would only echo them.
        # Each article's latest STATIC_PER_ARTICLE questions only: memory and the stored model grow with the
        # articles, not the tickets (CLINC150 has 100 per article, Banking77 at most 187).
        self.static: np.ndarray | None = None
        self.static_labels = np.asarray([], dtype=str)
        if dense is None:
            keep = np.flatnonzero(self.labels != NO_ARTICLE)
            keep = keep[latest_per_label(self.labels[keep], STATIC_PER_ARTICLE)] if keep.size else keep
            if keep.size:
                # Rounded to half precision, as stored (codec.halved): half the stored model's share, and
                # a stored model reads exactly what the fitted one did; cosines move by about 1e-4.
                self.static = halved(static_vectors([texts[int(i)] for i in keep]))
                self.static_labels = self.labels[keep]
        self.static_shapes = ArticleShapes(self.static, self.static_labels, spread=False)

    def features(self, texts: Sequence[str], rankings: Sequence[Sequence[tuple[str, float]]]) -> np.ndarray:
        """FEATURES for each text, given the ranker's answer to it (best first, up to ten)."""
        out = np.zeros((len(texts), len(FEATURES)))
        for start in range(0, len(texts), CHUNK):
            part, ranks = texts[start:start + CHUNK], rankings[start:start + CHUNK]
            first = np.array([r[0][0] if r else "\0" for r in ranks])
            tokens = [self._analyse(t) for t in part]
            near, shape, far = self._neighbours(part, first)
            out[start:start + len(part)] = np.column_stack([
                np.array([_odds(r) for r in ranks]).reshape(len(part), 2),
                near,
                [sum(t in self._known for t in ts) / len(ts) if ts else 0.0 for ts in tokens],
                np.log1p([len(ts) for ts in tokens]),
                self.claims(part) if self.claims is not None else np.zeros((len(part), 2)),
                shape, far, self.lexicon.own_words(tokens, first),
                self._static_view(part, first, ranks)])
        return out

    def _neighbours(self, texts: Sequence[str],
                    first: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per text: best cosine to an answered question, mean of the k best, and the share of the nearest
        answered questions' similarity that votes for the ranker's first article; how the text sits beside
        the first article's questions (ArticleShapes); minus its best cosine to a declined question (words
        only: 0 with embeddings, or without declines)."""
        far = np.zeros(len(texts))
        if self._matrix is None or not len(self.labels):
            return np.zeros((len(texts), 3)), np.zeros((len(texts), 2)), far
        query = self._dense(texts) if self._dense is not None else self._words.transform(texts)
        sims = query @ self._matrix.T
        sims = np.asarray(sims.toarray() if hasattr(sims, "toarray") else sims, dtype=float)
        declined = self.labels == NO_ARTICLE
        out = _near(sims, self.labels, first, declined)
        if self._dense is None and declined.any():
            far = -sims[:, declined].max(axis=1)
        return out, self.shapes.signals(query, sims, first), far

    def _static_view(self, texts: Sequence[str], first: np.ndarray,
                     ranks: Sequence[Sequence[tuple[str, float]]]) -> np.ndarray:
        """Per text: near1 and agree (as _near) among the questions of the articles the ranker offered and of
        the view's own STATIC_CENTRES nearest articles, and the cosine to its first article's centre, over
        the static vectors; zeros without them."""
        if self.static is None:
            return np.zeros((len(texts), 3))
        query = static_vectors(texts)
        near = np.zeros((len(texts), 3))
        cosines = self.static_shapes.cosines(query)  # one product serves the nearest articles and the first's
        own = self.static_shapes.nearest(cosines, STATIC_CENTRES)
        for i, ranked in enumerate(ranks):
            rows = self.static_shapes.rows_of([aid for aid, _ in ranked] + own[i])
            if rows.size:
                sims = np.asarray(query[i:i + 1] @ self.static[rows].T, dtype=float)
                near[i] = _near(sims, self.static_labels[rows], first[i:i + 1])[0]
        return np.column_stack([near[:, 0], near[:, 2], self.static_shapes.centre_cosine(cosines, first)])


def _near(sims: np.ndarray, labels: np.ndarray, first: np.ndarray,
          declined: np.ndarray | None = None) -> np.ndarray:
    """Per row of similarities to the history: the best to an answered question (`declined` marks the rows
    that are not), the mean of the k best, and the share of the nearest answered questions' similarity that
    votes for the first article."""
    out = np.zeros((len(sims), 3))
    k = min(NEIGHBOURS, sims.shape[1])
    some = declined is not None and bool(declined.any())
    answered = np.where(declined, -1.0, sims) if declined is not None and some else sims
    nearest = np.argpartition(-answered, k - 1, axis=1)[:, :k]
    top = np.take_along_axis(answered, nearest, axis=1)
    near = np.clip(top, 0.0, None)
    out[:, 0] = top.max(axis=1)
    if some:  # declines may be among the k best of all rows: rank them again
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        top = np.take_along_axis(sims, best, axis=1)
    out[:, 1] = top.mean(axis=1)
    votes = (labels[nearest] == first[:, None]) * near
    out[:, 2] = votes.sum(axis=1) / np.maximum(near.sum(axis=1), 1e-9)
    return out


def _odds(ranked: Sequence[tuple[str, float]]) -> list[float]:
    """The first article's odds and its lead over the second."""
    p = [c for _, c in ranked[:2]] + [0.0, 0.0]
    return [p[0], p[0] - p[1]]


def answer_model(x: np.ndarray, right: np.ndarray, weight: np.ndarray | None = None) -> Pipeline | None:
    """A logistic regression from FEATURES to `right` (the first article is right, or an article fits; rows
    weighted by `weight`); None when one class only."""
    if len(set(right.tolist())) < 2:
        return None
    model = Pipeline([("standardscaler", StandardScaler()),
                      ("logisticregression", SignedLogisticRegression(C=1.0, max_iter=2000))])
    model.fit(x, right, **({SAMPLE_WEIGHT: weight} if weight is not None else {}))
    return model


class SignedLogisticRegression(LogisticRegression):  # type: ignore[misc]
    """L2-penalised logistic regression (sklearn's objective) whose MONOTONE signals weigh >= 0.

    Fitted by bounded L-BFGS; the result is a plain LogisticRegression's coef_ and intercept_, so it predicts
    (and is stored, adapters/search/stored.py) like one.
    """

    def fit(self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None
            ) -> SignedLogisticRegression:
        x, target = np.asarray(x, dtype=float), np.asarray(y)
        self.classes_ = np.unique(target)
        t = (target == self.classes_[-1]).astype(float)
        w = np.ones(len(t)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        k = x.shape[1]

        def loss(p: np.ndarray) -> tuple[float, np.ndarray]:
            z = x @ p[1:] + p[0]
            g = self.C * w * (1.0 / (1.0 + np.exp(-z)) - t)
            value = self.C * float(w @ (np.logaddexp(0.0, z) - t * z)) + 0.5 * float(p[1:] @ p[1:])
            return value, np.concatenate([[g.sum()], x.T @ g + p[1:]])

        # Columns are the first k FEATURES (abstention.fit_answer_model may leave the SVM's margins out): each
        # keeps its sign. Until session 12 a narrower model was fitted unconstrained (few-shot validation:
        # -0.1 to +0.4 points of full accuracy with the signs kept).
        signed = [j < len(FEATURES) and FEATURES[j] in MONOTONE for j in range(k)]
        bounds = [(None, None)] + [(0.0, None) if s else (None, None) for s in signed]
        found = minimize(loss, np.zeros(k + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                         options={"maxiter": self.max_iter})
        self.coef_, self.intercept_ = found.x[None, 1:], found.x[:1]
        self.n_features_in_, self.n_iter_ = k, np.asarray([found.nit])
        return self
