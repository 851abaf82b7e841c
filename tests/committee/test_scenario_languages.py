"""The funding scenarios explain each item in the language of the person who runs them."""

from decimal import Decimal

import pytest
from flask_babel import force_locale

from fundapp.committee.optimiser import PipelineItem, Pools, best_score, rank_order

SPACES = str.maketrans({"\u202f": " ", "\xa0": " "})


def item(id_, rank, score, amount, area="TA1", region="002"):
    return PipelineItem(id=id_, rank=rank, score=Decimal(score), amount=Decimal(amount), area=area, region=region)


@pytest.mark.parametrize(
    ("lang", "funded", "short"),
    [
        (
            "fr",
            (
                "Financé dans l'ordre du classement (rang 2) : 500 000,00 de la réserve affectée à TA1 et "
                "300 000,00 de la réserve non affectée"
            ),
            "Nécessite 1 200 000,00, seulement 900 000,00 disponibles pour TA2 après les éléments mieux classés",
        ),
        (
            "es",
            (
                "Financiado por orden de clasificación (puesto 2): 500.000,00 del fondo asignado a TA1 y "
                "300.000,00 del fondo no asignado"
            ),
            (
                "Necesita 1.200.000,00, solo hay 900.000,00 disponibles para TA2 después de los elementos "
                "mejor clasificados"
            ),
        ),
        (
            "ar",
            (
                "مموَّل حسب ترتيب التصنيف (المرتبة 2): 500,000.00 من المخصصات المرصودة لـ TA1 و300,000.00 من الموارد "
                "غير المرصودة"
            ),
            "يحتاج إلى 1,200,000.00، والمتاح لـ TA2 بعد البنود الأعلى ترتيبًا 900,000.00 فقط",
        ),
    ],
)
def test_rank_order_explains_each_item_in_the_language(app, lang, funded, short):
    pipeline = [
        item(1, 1, "95", "1200000", "TA2"),
        item(2, 2, "90", "800000", "TA1"),
    ]
    pools = Pools({"TA1": Decimal("500000.00"), "TA2": Decimal("400000.00")}, Decimal("500000.00"))
    with force_locale(lang):
        lines = {line.item.id: line for line in rank_order(pipeline, pools).lines}
    assert lines[2].reason.translate(SPACES) == funded
    assert lines[1].reason.translate(SPACES).startswith(short)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "Tient dans les fonds restants, mais l'ajouter laisserait TA2 en dessous de sa part minimale de 35,0 %"),
        ("es", "Cabe en el dinero restante, pero añadirlo dejaría TA2 por debajo de su proporción mínima del 35,0 %"),
        ("ar", "يتسع له المال المتبقي، لكن إضافته ستترك TA2 أقل من حصته الدنيا البالغة 35.0"),
    ],
)
def test_a_share_left_unmet_is_explained_in_the_language(app, lang, expected):
    items = [item(1, 1, "90.00", "500", "TA1"), item(2, 2, "80.00", "100", "TA1"), item(3, 3, "40.00", "300", "TA2")]
    with force_locale(lang):
        scenario = best_score(items, Pools({}, Decimal("1000")), min_area_share={"TA2": Decimal("35")})
    assert scenario.lines[1].reason.translate(SPACES).startswith(expected)


def test_a_refused_share_is_explained_in_the_language(app):
    with force_locale("es"), pytest.raises(ValueError, match="suman más del 100"):
        best_score(
            [item(1, 1, "50", "10")],
            Pools({}, Decimal("100")),
            min_area_share={"TA1": Decimal("60"), "TA2": Decimal("50")},
        )


def test_an_item_left_out_of_the_proven_best_in_french(app):
    items = [item(1, 1, "90", "600"), item(2, 2, "80", "500"), item(3, 3, "70", "400")]
    with force_locale("fr"):
        scenario = best_score(items, Pools({}, Decimal("1000")))
    reasons = [line.reason for line in scenario.lines]
    assert any(r.startswith("Financé (note ") for r in reasons)
    assert all("combination" not in r for r in reasons)
