"""The secrecy rule on its own: small cells, the cells that would give them back, and shares."""

from lms.secrecy import HIDDEN, SMALL, protect, share, shown


def test_fewer_than_five_people_is_never_shown_zero_included():
    assert [shown(n) for n in (0, 1, 4, 5, 120)] == [SMALL, SMALL, SMALL, 5, 120]


def test_a_lone_hidden_cell_beside_a_total_hides_the_smallest_other():
    rows = [{"n": 30}, {"n": 8}, {"n": 2}, {"n": 12}]
    assert [r["n"] for r in protect(rows, ["n"], {"n": 52})] == [30, HIDDEN, SMALL, 12]


def test_two_hidden_cells_are_enough():
    rows = [{"n": 30}, {"n": 3}, {"n": 2}]
    assert [r["n"] for r in protect(rows, ["n"], {"n": 35})] == [30, SMALL, SMALL]


def test_without_a_total_nothing_more_is_hidden():
    assert [r["n"] for r in protect([{"n": 30}, {"n": 2}], ["n"])] == [30, SMALL]


def test_a_hidden_total_needs_one_hidden_row_or_the_rows_would_add_up_to_it():
    rows = [{"n": 9}, {"n": 7}]
    assert [r["n"] for r in protect(rows, ["n"], {"n": HIDDEN})] == [9, HIDDEN]


def test_columns_are_protected_each_on_its_own_and_rows_are_copies():
    rows = [{"a": 10, "b": 1, "label": "x"}, {"a": 10, "b": 9, "label": "y"}]
    protected = protect(rows, ["a", "b"], {"a": 20, "b": 10})
    assert protected == [{"a": 10, "b": SMALL, "label": "x"}, {"a": 10, "b": HIDDEN, "label": "y"}]
    assert rows[0]["b"] == 1


def test_shares_only_between_counts_that_are_shown():
    assert share(5, 8) == 62.5
    assert share(SMALL, 8) is None and share(5, HIDDEN) is None and share(0, 0) is None
