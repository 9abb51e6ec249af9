"""DEMONSTRATION learning records for ``commonground demo`` (and the tests and screenshots).

One programme of Search for Common Ground CAR with a theory of change, indicators on the real
UCDP GED CAR events and the presence registry, hand-entered values and a PDIA log; two MINUSCA
exit benchmarks on the real data. Everything is labelled a demonstration: the programme, its
targets, the hand-entered values and the log entries are illustrative, not the organizations'.
Baselines are computed from the real data (the 2021 monthly mean). Idempotent: a second run
changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from commonground.core.models import Area
from commonground.events.models import Event, ViolenceType
from commonground.learning import compute
from commonground.learning.models import (
    AreaLevelChoice,
    Comparison,
    Desired,
    EdgeKind,
    Indicator,
    NodeKind,
    PdiaEntry,
    Programme,
    Source,
)
from commonground.learning.services import (
    do_add_pdia_entry,
    do_save_benchmark,
    do_save_indicator,
    do_save_programme,
    do_save_theory,
    do_set_value,
)
from commonground.sharing.circles import do_set_record_circle
from commonground.sharing.demo import MISSION_PARTNERS, ensure_circle
from commonground.sharing.models import Organization, Sensitivity
from commonground.testing.cast import ensure_organizations

PROGRAMME = "sfcg-car-ouaka-dialogue"
OUAKA = "CAF.ouaka"
#: Ouaka's neighbour to the north-east, whose violence the spill-over assumption watches.
HAUTE_KOTTO = "CAF.haute-kotto"
BASELINE_YEAR = 2021
MISSION = "MINUSCA"


def baseline_of(indicator: Indicator) -> float | None:
    """The mean monthly value in the baseline year, as the public sees it (real data)."""
    series = compute.indicator_series(indicator, None, indicator.area)
    values = [v for m, v in series.items() if m.year == BASELINE_YEAR]
    return round(sum(values) / len(values), 2) if values else None


def with_baseline(indicator: Indicator, target_share: float) -> Indicator:
    indicator.baseline = baseline_of(indicator)
    indicator.baseline_month = datetime.date(BASELINE_YEAR, 1, 1)
    if indicator.baseline is not None:
        indicator.target = round(indicator.baseline * target_share, 2)
        indicator.target_month = datetime.date(2023, 12, 1)
    indicator.save()
    return indicator


def event_indicator(
    owner: Organization, slug: str, names: tuple[str, str], source: str, violence: str, **extra: Any
) -> Indicator:
    return do_save_indicator(
        None,
        owner,
        slug,
        name=names[0],
        name_fr=names[1],
        source=source,
        violence_type=violence,
        level=AreaLevelChoice.ADMIN1,
        unit="events" if source == Source.EVENTS else "deaths",
        desired=Desired.DECREASE,
        **extra,
    )


def do_demo_programme(sfcg: Organization, ouaka: Area | None) -> Programme:
    programme = do_save_programme(
        None,
        sfcg,
        PROGRAMME,
        title="Dialogue for peaceful coexistence in Ouaka (demonstration)",
        title_fr="Dialogue pour la coexistence pacifique dans la Ouaka (démonstration)",
        description=(
            "Radio, community dialogue and local peace committees around Bambari. A demonstration "
            "built on real UCDP GED events; targets, values and log entries are illustrative."
        ),
        description_fr=(
            "Radio, dialogue communautaire et comités locaux de paix autour de Bambari. Une "
            "démonstration sur les événements réels de l'UCDP GED ; cibles, valeurs et entrées "
            "du journal sont illustratives."
        ),
        start=datetime.date(2021, 1, 1),
        end=datetime.date(2023, 12, 31),
        iati_identifier="XX-CG-SFCG-CAR-OUAKA-DEMO",
        demonstration=True,
        sensitivity=Sensitivity.RESTRICTED,
    )
    common = {"programme": programme, "area": ouaka, "sensitivity": Sensitivity.RESTRICTED}
    vac = with_baseline(
        event_indicator(
            sfcg,
            "sfcg-vac-ouaka",
            ("Violence against civilians in Ouaka", "Violences contre les civils dans la Ouaka"),
            Source.EVENTS,
            ViolenceType.ONE_SIDED,
            **common,
        ),
        0.5,
    )
    deaths = with_baseline(
        event_indicator(
            sfcg,
            "sfcg-deaths-ouaka",
            ("Conflict deaths in Ouaka", "Morts liées au conflit dans la Ouaka"),
            Source.DEATHS,
            "",
            **common,
        ),
        0.5,
    )
    clashes = with_baseline(
        event_indicator(
            sfcg,
            "sfcg-clashes-ouaka",
            ("Clashes between armed groups in Ouaka", "Affrontements entre groupes armés (Ouaka)"),
            Source.EVENTS,
            ViolenceType.NON_STATE,
            **common,
        ),
        1.0,
    )
    neighbour = with_baseline(
        event_indicator(
            sfcg,
            "sfcg-deaths-haute-kotto",
            ("Conflict deaths in Haute-Kotto", "Morts liées au conflit dans la Haute-Kotto"),
            Source.DEATHS,
            "",
            **{**common, "area": Area.objects.filter(code=HAUTE_KOTTO).first()},
        ),
        1.0,
    )
    sessions = dialogue_sessions(sfcg, programme, ouaka)
    committees = do_save_indicator(
        None,
        sfcg,
        "sfcg-peace-committees",
        name="Prefectures with a local peace committee (presence registry)",
        name_fr="Préfectures avec un comité local de paix (registre de présence)",
        programme=programme,
        source=Source.PRESENCE,
        kind="local_peace_committee",
        unit="prefectures",
        desired=Desired.INCREASE,
        sensitivity=Sensitivity.RESTRICTED,
    )
    theory(programme, vac, deaths, clashes, sessions, committees, neighbour)
    pdia_log(programme, vac, sessions)
    return programme


def dialogue_sessions(sfcg: Organization, programme: Programme, ouaka: Area | None) -> Indicator:
    """A hand-entered WPS indicator: participants in dialogue sessions, women and men."""
    sessions = do_save_indicator(
        None,
        sfcg,
        "sfcg-dialogue-participants",
        name="Participants in dialogue sessions (hand-entered, demonstration)",
        name_fr="Participants aux séances de dialogue (saisie manuelle, démonstration)",
        programme=programme,
        source=Source.MANUAL,
        unit="people",
        desired=Desired.INCREASE,
        by_sex=True,
        baseline=40,
        baseline_month=datetime.date(2021, 1, 1),
        target=120,
        target_month=datetime.date(2023, 12, 1),
        sensitivity=Sensitivity.RESTRICTED,
    )
    for month, women, men in ((1, 14, 26), (4, 25, 35), (7, 31, 41), (10, 44, 46)):
        for year in (2021, 2022):
            do_set_value(
                None,
                sessions,
                datetime.date(year, month, 1),
                women + men + (year - 2021) * 10,
                women=women + (year - 2021) * 6,
                men=men + (year - 2021) * 4,
            )
    return sessions


def theory(programme: Programme, *indicators: Indicator) -> None:
    if programme.nodes.filter(key="s3").exists():  # a second demo run keeps the theory
        return
    vac, deaths, clashes, sessions, committees, neighbour = indicators
    nodes = [
        (
            "a1",
            NodeKind.ACTIVITY,
            "Radio programmes on coexistence",
            "Émissions de radio sur la coexistence",
            [],
        ),
        (
            "a2",
            NodeKind.ACTIVITY,
            "Dialogue sessions between communities",
            "Séances de dialogue entre communautés",
            [],
        ),
        (
            "a3",
            NodeKind.ACTIVITY,
            "Training of local peace committees",
            "Formation des comités locaux de paix",
            [],
        ),
        (
            "o1",
            NodeKind.OUTPUT,
            "Women and men take part in dialogue",
            "Des femmes et des hommes participent au dialogue",
            [sessions],
        ),
        (
            "o2",
            NodeKind.OUTPUT,
            "Peace committees active in more prefectures",
            "Comités de paix actifs dans plus de préfectures",
            [committees],
        ),
        (
            "c1",
            NodeKind.OUTCOME,
            "Fewer attacks on civilians in Ouaka",
            "Moins d'attaques contre les civils dans la Ouaka",
            [vac],
        ),
        (
            "c2",
            NodeKind.OUTCOME,
            "Fewer conflict deaths in Ouaka",
            "Moins de morts liées au conflit dans la Ouaka",
            [deaths],
        ),
        (
            "s1",
            NodeKind.ASSUMPTION,
            "Armed groups' clashes around Bambari do not escalate",
            "Les affrontements autour de Bambari ne s'intensifient pas",
            [clashes],
        ),
        (
            "s2",
            NodeKind.ASSUMPTION,
            "Civilians are not targeted in reprisal",
            "Les civils ne sont pas visés en représailles",
            [vac],
        ),
        (
            "s3",
            NodeKind.ASSUMPTION,
            "Violence in neighbouring Haute-Kotto does not spill over into Ouaka",
            "Les violences de la Haute-Kotto voisine ne débordent pas sur la Ouaka",
            [neighbour],
        ),
    ]
    # s3 is flagged by the real GED deaths (computed, not set): docs/learning.md.
    margins = {"s1": 0.5, "s2": 0.25, "s3": 0.5}
    do_save_theory(
        None,
        programme,
        [
            {
                "key": k,
                "kind": kind,
                "label": en,
                "label_fr": fr,
                "indicators": ind,
                "margin": margins.get(k, 0.2),
            }
            for k, kind, en, fr, ind in nodes
        ],
        [
            ("a1", "o1", EdgeKind.LEADS_TO),
            ("a2", "o1", EdgeKind.LEADS_TO),
            ("a3", "o2", EdgeKind.LEADS_TO),
            ("o1", "c1", EdgeKind.CONTRIBUTES_TO),
            ("o2", "c1", EdgeKind.CONTRIBUTES_TO),
            ("o2", "c2", EdgeKind.CONTRIBUTES_TO),
            ("c1", "s1", EdgeKind.HOLDS_IF),
            ("c1", "s2", EdgeKind.HOLDS_IF),
            ("c2", "s3", EdgeKind.HOLDS_IF),
        ],
    )


def pdia_log(programme: Programme, vac: Indicator, sessions: Indicator) -> None:
    if PdiaEntry.objects.filter(programme=programme).exists():
        return
    event = (
        Event.objects.filter(admin1__code=OUAKA, violence_type=ViolenceType.ONE_SIDED)
        .filter(date_start__year=2021)
        .order_by("date_start", "id")
        .first()
    )
    entries: list[tuple[datetime.date, str, str, str, str, dict[str, Any]]] = [
        (
            datetime.date(2021, 3, 15),
            "Few women came to the first dialogue sessions in Bambari.",
            "Sessions moved to market days, with childcare, led by the women's network.",
            "Timing and who convenes matter more than the venue.",
            "All sessions now co-convened by the women's network; participation recorded by sex.",
            {"indicator": sessions},
        ),
        (
            datetime.date(2021, 6, 2),
            "Attacks on civilians near Bambari after a clash (see event).",
            "Radio messages on reprisals within 48 hours of any clash.",
            "Rapid messages are heard, but only where the local station is on air.",
            "A second relay station was funded; the reprisals assumption is now watched monthly.",
            {"indicator": vac, "event": event},
        ),
        (
            datetime.date(2022, 1, 20),
            "Committees in two sub-prefectures stopped meeting.",
            "Asked members why; paired each committee with a mentor committee.",
            "Members left when no one acted on their alerts.",
            "Alerts from committees are now sent to MINUSCA's civil affairs and tracked.",
            {"document_url": "https://ucdp.uu.se/country/482"},
        ),
    ]
    for date, problem, tried, learned, changed, evidence in entries:
        do_add_pdia_entry(
            None,
            programme,
            date=date,
            problem=problem,
            tried=tried,
            learned=learned,
            changed=changed,
            **evidence,
        )


def do_demo_benchmarks(minusca: Organization, ouaka: Area | None) -> None:
    vac = do_save_indicator(
        None,
        minusca,
        "minusca-vac-ouaka",
        name="Violence against civilians in Ouaka (events per month)",
        name_fr="Violences contre les civils dans la Ouaka (événements par mois)",
        source=Source.EVENTS,
        violence_type=ViolenceType.ONE_SIDED,
        area=ouaka,
        unit="events",
        desired=Desired.DECREASE,
        sensitivity=Sensitivity.RESTRICTED,
    )
    do_save_benchmark(
        None,
        minusca,
        MISSION,
        "Violence against civilians in Ouaka below 2 events a month for six consecutive months",
        title_fr="Violences contre les civils dans la Ouaka sous 2 événements par mois "
        "pendant six mois consécutifs",
        indicator=vac,
        area=ouaka,
        comparison=Comparison.BELOW,
        threshold=2,
        months=6,
        period_start=datetime.date(2017, 1, 1),
        period_end=None,
        demonstration=True,
        sensitivity=Sensitivity.RESTRICTED,
    )
    partners = ensure_circle(MISSION_PARTNERS)
    forces = do_save_indicator(
        None,
        minusca,
        "minusca-national-forces-prefectures",
        name="Prefectures where national forces are present (presence registry)",
        name_fr="Préfectures où les forces nationales sont présentes (registre de présence)",
        source=Source.PRESENCE,
        kind="national_forces",
        unit="prefectures",
        desired=Desired.INCREASE,
        sensitivity=Sensitivity.PARTNERS,
    )
    benchmark = do_save_benchmark(
        None,
        minusca,
        MISSION,
        "National forces present in at least 5 prefectures",
        title_fr="Forces nationales présentes dans au moins 5 préfectures",
        indicator=forces,
        area=None,
        comparison=Comparison.AT_LEAST,
        threshold=5,
        months=1,
        period_start=datetime.date(2018, 1, 1),
        period_end=None,
        demonstration=True,
        sensitivity=Sensitivity.PARTNERS,
    )
    for record in (forces, benchmark):  # shared with the mission's partners
        if record.circle_id != partners.pk:
            do_set_record_circle(record, partners, None)


def do_demo_learning() -> Programme:
    """The demo's programme and benchmarks (after the GED and presence imports)."""
    orgs = ensure_organizations()
    ouaka = Area.objects.filter(code=OUAKA).first()
    do_demo_benchmarks(orgs["minusca-jmac"], ouaka)
    return do_demo_programme(orgs["sfcg-car"], ouaka)
