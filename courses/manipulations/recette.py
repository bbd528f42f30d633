"""The crêpe recipe put back in order: the learner moves steps up and down, the server checks
the order and says which links of the sequence are wrong, and why."""

from dataclasses import dataclass

from . import Manipulation, refuse, register


@dataclass(frozen=True)
class Step:
    number: int  # its place in the recipe
    text: str

    @property
    def name(self) -> str:
        """The step quoted inside a sentence, without its full stop."""
        return self.text.removesuffix(".")


STEPS = [
    Step(1, "Réunir les ingrédients et le matériel."),
    Step(2, "Verser la farine et le sel dans le saladier, y casser les œufs et mélanger."),
    Step(3, "Ajouter le lait peu à peu en fouettant, puis le beurre fondu."),
    Step(4, "Laisser reposer la pâte une heure."),
    Step(5, "Faire chauffer la poêle légèrement beurrée."),
    Step(
        6,
        "Verser une louche de pâte, cuire les deux faces ; recommencer tant qu’il reste de la pâte.",
    ),
]
BY_NUMBER = {step.number: step for step in STEPS}
# Mixed once and for all, so that the page without JavaScript starts from the same place.
START = [4, 1, 6, 3, 5, 2]
# Why each step comes right before the next one: an order keeping all five is the recipe.
LINKS = {
    (1, 2): "On ne verse rien avant d’avoir réuni les ingrédients et le matériel.",
    (2, 3): "Le lait se verse sur la farine déjà mêlée aux œufs : versé sur la farine seule, "
    "il fait des grumeaux.",
    (3, 4): "C’est la pâte complète, lait et beurre compris, qui repose.",
    (4, 5): "Chauffée avant le repos, la poêle brûlerait pendant une heure pour rien.",
    (5, 6): "On ne cuit pas une crêpe dans une poêle froide.",
}


def parse_order(value: str | None) -> list[int]:
    if value is None:
        return list(START)
    try:
        order = [int(part) for part in value.split(",")]
    except ValueError:
        order = []
    if sorted(order) != sorted(BY_NUMBER):
        refuse("L’ordre envoyé ne contient pas les six étapes de la recette, une fois chacune.")
    return order


def moved(order: list[int], fields) -> tuple[list[int], int | None]:
    """The order after a « Monter » or « Descendre », and the step moved."""
    for name, shift in (("monter", -1), ("descendre", 1)):
        value = fields.get(name)
        if value is None:
            continue
        if not value.isdigit() or int(value) not in order:
            refuse("L’étape à déplacer n’existe pas dans la recette.")
        step = int(value)
        index = order.index(step)
        target = index + shift
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
        return order, step
    return order, None


def broken_links(order: list[int]) -> list[tuple[Step, Step, str]]:
    """Each pair of the recipe whose first step is placed after the second."""
    place = {step: index for index, step in enumerate(order)}
    return [
        (BY_NUMBER[before], BY_NUMBER[after], why)
        for (before, after), why in LINKS.items()
        if place[before] > place[after]
    ]


def state(fields, params) -> dict:
    order, step_moved = moved(parse_order(fields.get("ordre")), fields)
    checked = fields.get("verifier") is not None
    return {
        "steps": [BY_NUMBER[number] for number in order],
        "order": ",".join(map(str, order)),
        "moved": BY_NUMBER[step_moved] if step_moved else None,
        "moved_place": order.index(step_moved) + 1 if step_moved else None,
        "checked": checked,
        "broken": broken_links(order) if checked else [],
    }


register(Manipulation(name="recette-crepes", template="recette.html", state=state))
