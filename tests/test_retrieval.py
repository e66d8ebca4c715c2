"""Knowledge suggestion on the light back end: ranking, abstention, learning from solved tickets."""

from __future__ import annotations

from adapters.search.classifier import LinearTextClassifier
from adapters.search.features import LexicalFeatures
from adapters.search.ranker import LearnedRanker
from adapters.search.tfidf import TfidfRetriever
from core.kb import Article, Library, SuggestionPolicy

ARTICLES = [
    Article(id="KB-VPN", title="VPN will not connect", body="Update the VPN client and check the certificate."),
    Article(id="KB-PWD", title="Reset your password", body="Use the self-service portal to reset a password."),
    Article(id="KB-PRN", title="Printer is jammed", body="Remove jammed paper and power cycle the printer."),
]


def library(min_history: int = 20, min_score: float | None = None) -> Library:
    lib = Library(LearnedRanker(LexicalFeatures(), min_history=min_history), SuggestionPolicy(min_score=min_score))
    lib.load(ARTICLES)
    return lib


def test_cold_start_ranks_the_article_that_names_the_problem() -> None:
    got = library().suggest("the vpn client fails to connect since this morning")
    assert [s.article.id for s in got.items][:1] == ["KB-VPN"]
    assert 0 < got.items[0].score <= 1


def test_abstains_when_no_article_fits_the_sample_knowledge_base() -> None:
    # A realistic KB (38 long Markdown articles): a 3-article toy corpus has degenerate IDF weights.
    from pathlib import Path

    from adapters.imports.kb import parse_kb

    lib = Library(LearnedRanker(LexicalFeatures()))
    lib.load(parse_kb(Path(__file__).resolve().parent.parent / "samples" / "kb").articles)
    assert lib.suggest("where is the cafeteria menu").abstained
    assert lib.suggest("what is the weather today").abstained
    offered = lib.suggest("My VPN keeps disconnecting every few minutes at home")
    assert [s.article.id for s in offered.items][:1] == ["kb-vpn-reconnect"]


def test_offers_at_most_three_distinct_articles() -> None:
    lib = library(min_score=0.0)
    got = lib.suggest("password printer vpn")
    ids = [s.article.id for s in got.items]
    assert len(ids) <= 3 and len(set(ids)) == len(ids)


def test_solved_clicks_teach_an_article_words_it_does_not_contain() -> None:
    lib = library(min_history=4)
    query = "anyconnect says posture assessment failed"
    assert lib.suggest(query).abstained or lib.suggest(query).items[0].article.id != "KB-PRN"
    refits = [lib.learn(text, "KB-PRN") for text in
              ["anyconnect posture assessment failed", "posture assessment failed again",
               "posture check failed on anyconnect", "anyconnect posture failure"]]
    assert any(refits)
    for text, aid in [("forgot password", "KB-PWD"), ("vpn drops", "KB-VPN")]:
        lib.learn(text, aid)
    assert lib.suggest(query).items[0].article.id == "KB-PRN"


def test_learning_ignores_unknown_articles_and_empty_text() -> None:
    lib = library()
    assert not lib.learn("anything", "KB-NOPE") and not lib.learn("   ", "KB-VPN")
    assert lib.history == []


def test_history_is_loaded_with_the_articles_and_batched_refits() -> None:
    lib = Library(LearnedRanker(LexicalFeatures(), min_history=2), SuggestionPolicy(relearn_share=0.5))
    lib.load(ARTICLES, [("vpn drops", "KB-VPN"), ("forgot password", "KB-PWD"), ("x", "KB-GONE")] * 4)
    assert len(lib.history) == 8
    assert lib.learn("vpn again", "KB-VPN") is False  # 1 new of 8 learnt: below the 50% share
    assert [lib.learn("vpn again", "KB-VPN") for _ in range(3)][-1] is True


def test_tfidf_retriever_accepts_history_and_returns_each_article_once() -> None:
    lib = Library(TfidfRetriever())
    lib.load(ARTICLES, [("vpn keeps dropping", "KB-VPN"), ("vpn disconnects", "KB-VPN")])
    ids = [s.article.id for s in lib.suggest("vpn dropping and disconnects").items]
    assert ids[0] == "KB-VPN" and ids.count("KB-VPN") == 1


def test_classifier_probabilities_are_calibrated_and_sum_to_at_most_one() -> None:
    texts = [f"{w} issue number {i}" for w in ("vpn", "printer", "password") for i in range(80)]
    labels = [t.split()[0] for t in texts]
    model = LinearTextClassifier(LexicalFeatures())
    model.fit(texts, labels)
    (top, *rest), = model.predict(["printer issue"], limit=3)
    assert top[0] == "printer" and top[1] > 0.5
    assert abs(top[1] + sum(p for _, p in rest) - 1.0) < 1e-6


def test_classifier_with_one_label_or_two_labels_still_predicts() -> None:
    one = LinearTextClassifier(LexicalFeatures())
    one.fit(["a b", "a c"], ["x", "x"])
    assert one.predict(["a"]) == [[("x", 1.0)]]
    two = LinearTextClassifier(LexicalFeatures())
    two.fit(["vpn down", "vpn slow", "printer jam", "printer offline"], ["net", "net", "print", "print"])
    assert two.predict(["printer"], limit=1)[0][0][0] == "print"


def test_solved_history_takes_tickets_an_article_resolved() -> None:
    from datetime import UTC, datetime

    from core.kb import solved_history
    from core.tickets import Resolution, Surface, Ticket

    now = datetime(2026, 3, 2, tzinfo=UTC)
    solved = Ticket(id="A", surface=Surface.INTERNAL, created_at=now, text="vpn drops",
                    resolution=Resolution.ARTICLE, article_id="KB-VPN")
    by_agent = Ticket(id="B", surface=Surface.INTERNAL, created_at=now, text="x", resolution=Resolution.AGENT)
    assert solved_history([solved, by_agent]) == [("vpn drops", "KB-VPN")]


def test_tfidf_retriever_scores_are_the_cosines_of_its_tfidf_vectors() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = ["vpn drops every hour", "printer jammed again", "reset my vpn password",
             "the printer prints blank pages", "password expired, cannot log in"]
    retriever = TfidfRetriever(chars=False)
    retriever.fit([(f"d{i}", t) for i, t in enumerate(texts)])
    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, ngram_range=(1, 2))
    matrix = vectorizer.fit_transform(texts)
    query = "vpn password reset fails"
    expected = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
    got = dict(retriever.search(query, limit=5))
    assert got and all(abs(got[f"d{i}"] - expected[i]) < 1e-9 for i in range(5) if expected[i] > 0)
    assert set(got) == {f"d{i}" for i in range(5) if expected[i] > 0}
    assert retriever.search("zebra quokka", limit=5) == []  # no shared term: nothing matches


class DenseLexical(LexicalFeatures):
    """Lexical features that also offer dense unit vectors, as the combined semantic features do."""

    def dense(self, texts: list[str]):  # type: ignore[no-untyped-def]
        from sklearn.preprocessing import normalize

        return normalize(self.transform(texts).toarray())


NEIGHBOUR_HISTORY = [
    ("vpn drops every hour", "net"), ("vpn will not connect", "net"), ("wifi is slow", "net"),
    ("forgot my password", "id"), ("password expired", "id"), ("account locked out", "id"),
    ("printer jammed", "print"), ("printer prints blank pages", "print"), ("toner is empty", "print"),
]


def test_nearest_examples_vote_on_the_order_and_the_svm_keeps_the_odds() -> None:
    import numpy as np

    from adapters.search.neighbours import NeighbourMemory

    texts, labels = [t for t, _ in NEIGHBOUR_HISTORY], [label for _, label in NEIGHBOUR_HISTORY]
    voting = LinearTextClassifier(DenseLexical(), neighbour_weight=5.0, neighbour_k=1)
    voting.fit(texts, labels)
    assert voting.memory is not None and len(voting.memory) == len(texts)
    query = "wifi password"
    before = dict(voting.predict([query], limit=3)[0])
    assert max(before, key=before.get) == "id"  # the SVM alone: a password question
    # A past ticket worded exactly like it was a network one: its vote puts "net" first.
    voting.memory = NeighbourMemory(voting.features.dense([query]), np.array(["net"]))
    after = voting.predict([query], limit=3)[0]
    assert [label for label, _ in after][0] == "net"
    odds = [p for _, p in after]
    # The odds by rank are the SVM's, not inflated by the vote: they decide abstention.
    assert all(abs(a - b) < 1e-9 for a, b in zip(odds, sorted(before.values(), reverse=True), strict=True))


def test_neighbour_votes_need_dense_vectors_and_are_skipped_without_them() -> None:
    texts, labels = [t for t, _ in NEIGHBOUR_HISTORY], [label for _, label in NEIGHBOUR_HISTORY]
    plain = LinearTextClassifier(LexicalFeatures())
    voting = LinearTextClassifier(LexicalFeatures(), neighbour_weight=1.0)  # no `dense`: plain SVM
    plain.fit(texts, labels)
    voting.fit(texts, labels)
    got, want = voting.predict(["printer jammed again"])[0], plain.predict(["printer jammed again"])[0]
    assert [label for label, _ in got] == [label for label, _ in want]
    assert all(abs(a - b) < 1e-3 for (_, a), (_, b) in zip(got, want, strict=True))  # liblinear shuffles


def test_neighbour_memory_ranks_votes_and_vouches_without_the_ignored_label() -> None:
    import numpy as np

    from adapters.search.neighbours import NeighbourMemory

    vectors = np.eye(3, dtype=np.float32)  # three examples, each along its own axis
    memory = NeighbourMemory(vectors, np.array(["net", "id", ""]), ignore=frozenset({""}))
    query = np.array([[0.8, 0.6, 0.0]], dtype=np.float32)
    sims, labels = memory.nearest(query, 2)
    assert labels.tolist() == [["net", "id"]] and np.allclose(sims, [[0.8, 0.6]])
    assert np.allclose(memory.votes(memory.nearest(query, 2), np.array(["id", "net"]), 2), [[0.6, 0.8]])
    ignored = memory.nearest(np.array([[0.0, 0.0, 1.0]]), 1)
    assert np.allclose(memory.support(ignored, 1), [0.0])  # the ignored one vouches 0
    assert np.allclose(memory.support(memory.nearest(query, 3), 3), [(0.8 + 0.6 + 0.0) / 3])


def dense_library(history: list[tuple[str, str]]) -> Library:
    # Lexical cosines of a toy corpus are low: a support range of their own, as MiniLM has one.
    lib = Library(LearnedRanker(DenseLexical(), min_history=4, support=(0.05, 0.3)))
    lib.load(ARTICLES, history)
    return lib


IT_HISTORY = [(t, {"net": "KB-VPN", "id": "KB-PWD", "print": "KB-PRN"}[label]) for t, label in NEIGHBOUR_HISTORY]


def test_confidence_drops_to_nothing_for_a_question_unlike_any_past_ticket() -> None:
    lib = dense_library(IT_HISTORY * 2)
    known = lib.retriever.search("printer jammed again")
    assert known[0][0] == "KB-PRN" and known[0][1] > 0.9
    # Nothing in history is like it: however the linear model leans, no neighbour vouches for it.
    assert all(score == 0.0 for _, score in lib.retriever.search("quokka zebra giraffe"))
    assert lib.suggest("quokka zebra giraffe").abstained
    undamped = LearnedRanker(DenseLexical(), min_history=4)  # tfidf has no tuned support range
    undamped.fit([(a.id, a.title) for a in ARTICLES], IT_HISTORY * 2)
    assert undamped.search("quokka zebra giraffe")[0][1] > 0.0


def test_no_article_history_is_learnt_but_never_offered() -> None:
    from core.kb import NO_ARTICLE

    declined = [("expense report approval stuck", NO_ARTICLE), ("expense claim not approved", NO_ARTICLE),
                ("approve my expense report", NO_ARTICLE)]
    lib = dense_library(IT_HISTORY + declined)
    assert len(lib.history) == len(IT_HISTORY) + 3  # kept, though no article has that id
    assert lib.learn("expense approval is stuck again", NO_ARTICLE) in (True, False)
    ranked = lib.retriever.search("my expense report approval is stuck", limit=5)
    assert ranked and NO_ARTICLE not in [aid for aid, _ in ranked]
    assert lib.suggest("my expense report approval is stuck").abstained
    without = dense_library(IT_HISTORY)
    # The same question scores higher when nobody taught that such questions have no article.
    assert without.retriever.search("my expense report approval is stuck")[0][1] > ranked[0][1]


def test_declined_history_takes_tickets_a_person_solved_after_the_offered_articles() -> None:
    from datetime import UTC, datetime

    from core.kb import NO_ARTICLE, declined_history
    from core.tickets import ASKED_FOR_A_PERSON, Message, Resolution, Role, Surface, Ticket

    now = datetime(2026, 3, 2, tzinfo=UTC)
    asked = [Message(at=now, role=Role.SYSTEM, author="emp-1", text=ASKED_FOR_A_PERSON)]

    def ticket(tid: str, how: Resolution | None, offered: list[str], article: str | None = None,
               log: list[Message] = asked) -> Ticket:
        return Ticket(id=tid, surface=Surface.INTERNAL, created_at=now, text=f"text {tid}", resolution=how,
                      suggested_article_ids=offered, article_id=article, messages=list(log))

    tickets = [ticket("A", Resolution.AGENT, ["KB-VPN"]), ticket("B", Resolution.FIX, ["KB-PWD"]),
               ticket("C", Resolution.AGENT, []),  # imported or abstained: no evidence either way
               ticket("D", Resolution.ARTICLE, ["KB-VPN"], "KB-VPN"), ticket("E", None, ["KB-VPN"]),
               ticket("F", Resolution.AGENT, ["KB-VPN"], log=[])]  # went quiet: maybe the article did it
    assert declined_history(tickets) == [("text A", NO_ARTICLE), ("text B", NO_ARTICLE)]


def test_embeddings_saved_to_disk_come_back_without_loading_the_model(tmp_path) -> None:
    import numpy as np

    from adapters.search.features import SemanticFeatures
    from bench import embedding_cache

    made = SemanticFeatures()
    vectors = np.random.default_rng(0).normal(size=(3, 384)).astype(np.float32)
    made.remember(["vpn drops", "printer jams", "password expired"], vectors)
    path = tmp_path / "cache.npz"
    assert embedding_cache.save(made, path) == 3
    again = SemanticFeatures()
    assert embedding_cache.load(again, path) == 3
    # Every text is cached: transform answers without the model (which the light install lacks).
    assert np.array_equal(again.transform(["printer jams", "vpn drops"]), vectors[[1, 0]])
    assert embedding_cache.load(SemanticFeatures(), tmp_path / "missing.npz") == 0


def test_neighbour_memory_keeps_the_latest_examples_of_each_label() -> None:
    import numpy as np

    from adapters.search import classifier

    labels = np.array(["a", "b", "a", "a", "b", "a"])
    assert classifier.latest_per_label(labels, 2).tolist() == [1, 3, 4, 5]
    assert classifier.latest_per_label(labels, 10).tolist() == list(range(6))
