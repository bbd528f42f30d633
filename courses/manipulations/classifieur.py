"""Training a tiny classifier and watching bias appear: « photos » of cats and dogs described
by the two numbers the machine measures (the muzzle's length, the garden in the background).
The learner picks the training photos; the server trains a nearest-centroid classifier on them
and labels eight test photos, group by group."""

from dataclasses import dataclass
from math import dist

from . import Manipulation, refuse, register

CAT, DOG = "chat", "chien"


@dataclass(frozen=True)
class Photo:
    key: str
    animal: str
    garden: bool  # photographed outdoors, on the grass
    muzzle: float  # length of the muzzle, 0 (flat) to 1 (long)
    description: str

    @property
    def features(self) -> tuple[float, float]:
        return (self.muzzle, 1.0 if self.garden else 0.0)

    @property
    def group(self) -> str:
        return f"{self.animal}s {'au jardin' if self.garden else 'à l’intérieur'}"


def _photo(key, animal, garden, muzzle, description):
    return Photo(key, animal, garden, muzzle, description)


TRAINING = [
    _photo("a1", CAT, False, 0.2, "Chat tigré roulé en boule sur un canapé"),
    _photo("a2", CAT, False, 0.3, "Chat noir assis sur un coussin près de la fenêtre"),
    _photo("a3", CAT, False, 0.1, "Chat persan allongé sur un fauteuil"),
    _photo("a4", CAT, True, 0.2, "Chat roux couché dans l’herbe du jardin"),
    _photo("a5", CAT, True, 0.3, "Chat blanc qui guette un oiseau sur la pelouse"),
    _photo("a6", CAT, True, 0.1, "Chat gris qui se roule dans l’herbe"),
    _photo("b1", DOG, True, 0.8, "Berger qui court sur la pelouse"),
    _photo("b2", DOG, True, 0.7, "Labrador qui rapporte une balle dans le jardin"),
    _photo("b3", DOG, True, 0.9, "Lévrier allongé dans l’herbe"),
    _photo("b4", DOG, False, 0.8, "Épagneul endormi sur un tapis"),
    _photo("b5", DOG, False, 0.7, "Chien croisé couché sur un canapé"),
    _photo("b6", DOG, False, 0.9, "Colley assis dans l’entrée"),
]
TEST = [
    _photo("t1", CAT, False, 0.2, "Chat siamois sur un lit"),
    _photo("t2", CAT, False, 0.3, "Chaton qui joue avec une pelote sur le parquet"),
    _photo("t3", CAT, True, 0.2, "Chat tigré assis sur la pelouse"),
    _photo("t4", CAT, True, 0.3, "Chat noir caché dans les hautes herbes"),
    _photo("t5", DOG, True, 0.8, "Chien de berger dans un pré"),
    _photo("t6", DOG, True, 0.7, "Golden retriever sur la pelouse"),
    _photo("t7", DOG, False, 0.7, "Chien couché près du radiateur"),
    _photo("t8", DOG, False, 0.8, "Chiot sur un canapé"),
]
BY_KEY = {photo.key: photo for photo in TRAINING}
# The two ready-made training sets: nearly all cats indoors and dogs in the garden, or even.
PRESETS = {
    "desequilibre": ["a1", "a2", "a3", "a4", "b1", "b2", "b3", "b4"],
    "equilibre": [photo.key for photo in TRAINING],
}
GROUPS = [
    f"{CAT}s à l’intérieur",
    f"{CAT}s au jardin",
    f"{DOG}s au jardin",
    f"{DOG}s à l’intérieur",
]


def centroids(photos: list[Photo]) -> dict[str, tuple[float, float]]:
    """The average of each animal's measures: the whole of this model."""
    means = {}
    for animal in (CAT, DOG):
        points = [photo.features for photo in photos if photo.animal == animal]
        means[animal] = tuple(sum(values) / len(points) for values in zip(*points, strict=True))
    return means


def predict(model: dict[str, tuple[float, float]], photo: Photo) -> str:
    return min(model, key=lambda animal: dist(model[animal], photo.features))


@dataclass(frozen=True)
class GroupResult:
    name: str
    errors: int
    total: int


def chosen(fields) -> list[str]:
    preset = fields.get("jeu")
    if preset is not None:
        if preset not in PRESETS:
            refuse("Ce jeu d’entraînement n’existe pas.")
        return PRESETS[preset]
    keys = fields.getlist("photo")
    if any(key not in BY_KEY for key in keys) or len(set(keys)) != len(keys):
        refuse("Une des photos choisies n’existe pas dans le jeu d’entraînement.")
    return keys


def state(fields, params) -> dict:
    keys = chosen(fields)
    photos = [BY_KEY[key] for key in keys]
    asked = fields.get("jeu") is not None or fields.get("entrainer") is not None
    animals = {photo.animal for photo in photos}
    model = centroids(photos) if animals == {CAT, DOG} else None
    predictions = [(photo, predict(model, photo)) for photo in TEST] if model else []
    return {
        "training": TRAINING,
        "selected": set(keys),
        "asked": asked,
        "missing_animal": asked and model is None,
        "model": model,
        "predictions": predictions,
        "groups": _by_group(predictions) if model else [],
        "training_groups": {g: sum(p.group == g for p in photos) for g in GROUPS},
    }


def _by_group(predictions) -> list[GroupResult]:
    return [
        GroupResult(
            group,
            sum(photo.group == group and label != photo.animal for photo, label in predictions),
            sum(photo.group == group for photo, _ in predictions),
        )
        for group in GROUPS
    ]


register(Manipulation(name="classifieur-biais", template="classifieur.html", state=state))
