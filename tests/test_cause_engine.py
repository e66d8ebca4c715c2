"""The root-cause engine: batch clustering with k found, identity of named causes, merge and split."""

from __future__ import annotations

from adapters.search.clustering import WardClusterer
from adapters.search.features import LexicalFeatures
from adapters.search.scoring import cluster_scores, hungarian_accuracy, macro_f1
from adapters.search.tfidf import TfidfRetriever
from core.cause_engine import merge_causes, propose_causes, representatives, split_cause
from core.cause_matching import CauseMatcher
from core.causes import Cause
from core.key_phrases import key_phrases, title_from
from core.tickets import Surface
from tests.cause_support import TOPICS, ticket


class FixedClusterer:
    """Returns the clusters it was given, so the identity rules are tested apart from the numerics."""

    name = "fixed"

    def __init__(self, labels: list[int]) -> None:
        self.labels = labels

    def cluster(self, texts: list[str]) -> list[int]:
        assert len(texts) == len(self.labels)
        return self.labels


def test_clustering_finds_the_number_of_causes_itself() -> None:
    texts = [t for ts in TOPICS.values() for t in ts]
    truth = [k for k, ts in TOPICS.items() for _ in ts]
    clusters = WardClusterer(LexicalFeatures()).cluster(texts)
    assert 2 <= len(set(clusters)) <= 6
    assert cluster_scores(truth, clusters)["nmi"] > 0.6


def test_clustering_handles_tiny_batches() -> None:
    assert WardClusterer().cluster([]) == [] and WardClusterer().cluster(["vpn"]) == [0]


def test_new_clusters_become_named_causes_with_key_phrases_and_evidence() -> None:
    tickets = [ticket(i, t) for i, t in enumerate(TOPICS["vpn"][:4] + TOPICS["pwd"][:4])]
    result = propose_causes(tickets, [], clusterer=FixedClusterer([0] * 4 + [1] * 4))
    assert [p.action for p in result.causes] == ["new", "new"]
    vpn = next(p for p in result.causes if "T000" in p.ticket_ids)
    assert vpn.cause.key.startswith("auto-") and "vpn" in vpn.cause.title.lower()
    assert "vpn" in " ".join(vpn.cause.key_phrases) and len(vpn.evidence) == 3
    assert vpn.surfaces == ("internal",)


def test_small_clusters_are_held_as_candidates() -> None:
    tickets = [ticket(i, t) for i, t in enumerate(TOPICS["vpn"][:4] + ["new laptop please"])]
    result = propose_causes(tickets, [], clusterer=FixedClusterer([0] * 4 + [1]), min_size=3)
    assert result.candidates == ["T004"] and "T004" not in result.assignments


def test_an_automatic_cause_keeps_its_key_when_the_cluster_is_mostly_its_own() -> None:
    known = Cause(key="auto-vpn", title="Vpn")
    tickets = [ticket(i, t, "auto-vpn" if i < 3 else None) for i, t in enumerate(TOPICS["vpn"][:5])]
    result = propose_causes(tickets, [known], clusterer=FixedClusterer([0] * 5))
    (p,) = result.causes
    assert p.action == "keep" and p.cause.key == "auto-vpn" and set(result.assignments.values()) == {"auto-vpn"}


def test_a_named_cause_keeps_its_title_and_tickets_across_reclustering() -> None:
    named = Cause(key="vpn-cert", title="Expired VPN certificate", named_by_person=True, fix_url="https://x/1")
    tickets = [ticket(i, t, "vpn-cert") for i, t in enumerate(TOPICS["vpn"][:3])]
    tickets += [ticket(10 + i, t) for i, t in enumerate(TOPICS["pwd"][:4])]
    # The clustering wrongly lumps one named ticket with the password cluster.
    result = propose_causes(tickets, [named], clusterer=FixedClusterer([0, 0, 1, 1, 1, 1, 1]))
    kept = next(p for p in result.causes if p.cause.key == "vpn-cert")
    assert kept.cause.title == "Expired VPN certificate" and kept.cause.fix_url == "https://x/1"
    assert set(kept.ticket_ids) == {"T000", "T001", "T002"}
    assert result.assignments["T002"] == "vpn-cert"


def test_a_cause_split_across_clusters_keeps_its_key_on_the_larger_part() -> None:
    known = Cause(key="auto-mix", title="Mixed")
    tickets = [ticket(i, t, "auto-mix") for i, t in enumerate(TOPICS["vpn"][:5] + TOPICS["prn"][:3])]
    result = propose_causes(tickets, [known], clusterer=FixedClusterer([0] * 5 + [1] * 3))
    actions = {p.action: p for p in result.causes}
    assert actions["keep"].cause.key == "auto-mix" and len(actions["keep"].ticket_ids) == 5
    assert actions["split"].cause.key != "auto-mix" and len(actions["split"].ticket_ids) == 3


def test_automatic_causes_that_land_in_one_cluster_are_proposed_as_a_merge() -> None:
    a, b = Cause(key="auto-a", title="A"), Cause(key="auto-b", title="B")
    tickets = [ticket(i, t, "auto-a" if i < 4 else "auto-b") for i, t in enumerate(TOPICS["vpn"][:6])]
    (p,) = propose_causes(tickets, [a, b], clusterer=FixedClusterer([0] * 6)).causes
    assert p.cause.key == "auto-a" and p.absorbed == ("auto-b",)


def test_merge_and_split_by_a_person_fix_identity() -> None:
    keep, gone = Cause(key="k", title="VPN"), Cause(key="g", title="VPN again", key_phrases=("anyconnect",))
    tickets = [ticket(1, "vpn", "k"), ticket(2, "vpn", "g"), ticket(3, "vpn", "g")]
    moved = merge_causes(keep, gone, tickets)
    assert [t.id for t in moved] == ["T002", "T003"] and {t.cause_key for t in tickets} == {"k"}
    assert keep.named_by_person and "anyconnect" in keep.key_phrases
    new, moved = split_cause(keep, ["T003"], tickets, key="vpn-mfa", title="VPN MFA prompt loops")
    assert new.named_by_person and [t.cause_key for t in tickets] == ["k", "k", "vpn-mfa"]


def test_surfaces_show_a_cause_seen_in_both_queues() -> None:
    tickets = [ticket(i, t, surface=Surface.EXTERNAL if i % 2 else Surface.INTERNAL)
               for i, t in enumerate(TOPICS["pwd"][:4])]
    (p,) = propose_causes(tickets, [], clusterer=FixedClusterer([0] * 4)).causes
    assert p.surfaces == ("external", "internal")


def test_key_phrases_are_distinctive_of_their_group() -> None:
    phrases = key_phrases({"a": TOPICS["pwd"], "b": TOPICS["vpn"]})
    assert phrases["a"][0].startswith("password") and "password reset" in phrases["a"]
    assert "vpn" in phrases["b"] and not any("password" in p for p in phrases["b"])
    assert title_from(phrases["a"]).startswith("Password")
    assert title_from(()) == "Unnamed cause"


def test_representatives_are_the_tickets_that_mention_the_key_phrases() -> None:
    tickets = [ticket(1, "printer"), ticket(2, "printer paper jam"), ticket(3, "nothing")]
    assert representatives(tickets, ["paper jam", "printer"], limit=2) == ("T002", "T001")


def test_a_new_ticket_is_assigned_to_a_close_cause_or_held_as_a_candidate() -> None:
    matcher = CauseMatcher(TfidfRetriever(chars=False))  # as wired
    cause = Cause(key="vpn", title="VPN drops", key_phrases=("vpn", "disconnect"))
    matcher.load([cause], [ticket(i, t, "vpn") for i, t in enumerate(TOPICS["vpn"])])
    assert matcher.match("my vpn keeps dropping")[0].key == "vpn"  # type: ignore[index]
    assert matcher.match("the coffee machine is broken") is None


def test_scores_for_backtests() -> None:
    assert hungarian_accuracy(["a", "a", "b", "b"], [1, 1, 0, 0]) == 1.0
    assert cluster_scores(["a", "a", "b"], [0, 0, 1])["nmi"] == 1.0
    assert macro_f1(["a", "b"], ["a", "a"]) == (2 / 3 + 0) / 2


class FakeLanguageModel:
    def __init__(self, answer: tuple[str, str] | None = None, fail: bool = False) -> None:
        self.answer, self.fail = answer, fail

    async def summarize(self, text: str) -> str | None:
        return None

    async def name_cause(self, texts) -> tuple[str, str] | None:
        if self.fail:
            raise TimeoutError
        return self.answer


async def test_a_language_model_names_automatic_causes_and_falls_back_on_failure() -> None:
    from core.cause_engine import name_with_model

    tickets = [ticket(i, t) for i, t in enumerate(TOPICS["vpn"][:4])]
    (p,) = propose_causes(tickets, [], clusterer=FixedClusterer([0] * 4)).causes
    named = await name_with_model(p, TOPICS["vpn"], FakeLanguageModel(("Expired VPN cert", "Cert expired.")))
    assert named.cause.title == "Expired VPN cert" and named.summary == "Cert expired."
    assert (await name_with_model(p, TOPICS["vpn"], FakeLanguageModel(fail=True))) == p
    assert (await name_with_model(p, TOPICS["vpn"], None)) == p
