"""Tables on a phone and a desktop: the row header and the key columns (class cafeia-key) of
every table are inside the screen, and the page itself never scrolls sideways."""

import pytest

from lms.demo import DEMO_PASSWORD, load_demo
from tests.e2e.conftest import log_in, visit

PUBLIC = ["/annuaire"]
ADMIN = ["/admin/statistiques", "/admin/statistiques/territoires", "/admin/xapi"]

# For each table, the boxes of its row headers and key cells in the first rows, in CSS pixels.
KEY_BOXES = """() => [...document.querySelectorAll('table')].map(table => ({
  caption: table.caption ? table.caption.textContent.trim() : '(sans légende)',
  boxes: [...table.querySelectorAll('tr')].slice(0, 6).flatMap(row =>
    [...row.querySelectorAll('th[scope=row], .cafeia-key')].map(cell => {
      const box = cell.getBoundingClientRect();
      return {text: cell.textContent.trim().slice(0, 30), left: box.left, right: box.right};
    })),
}))"""


def assert_key_columns_on_screen(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"{page.url} : la page déborde ({overflow} px pour {width})"
    for table in page.evaluate(KEY_BOXES):
        for box in table["boxes"]:
            inside = box["left"] >= 0 and box["right"] <= width + 0.5
            assert inside, f"{page.url} « {table['caption']} » : {box} hors de l'écran"


@pytest.mark.parametrize("width", [360, 1280])
def test_key_columns_stay_on_screen(app, page, width):
    load_demo()
    page.set_viewport_size({"width": width, "height": 800})
    for path in PUBLIC:
        visit(page, path)
        assert_key_columns_on_screen(page, width)
    log_in(page, "admin@exemple.fr", DEMO_PASSWORD)
    page.wait_for_url("**/admin**")
    for path in ADMIN:
        visit(page, path)
        assert_key_columns_on_screen(page, width)
