from lms.departements import all_departements, departement


def test_all_101_departements_with_their_region():
    deps = all_departements()
    assert len(deps) == 101
    assert len({d.region for d in deps.values()}) == 18


def test_overseas_and_corsica():
    assert departement("974").region == "La Réunion"
    assert departement("976").nom == "Mayotte"
    assert departement("2A").region == "Corse"
    assert departement("20") is None
    assert departement(None) is None
