from odoo.tests import HttpCase, tagged

from .common import SalesPolicyFixtures

CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader').startClickEverywhere('%s');"
)


@tagged("post_install", "-at_install")
class TestClickbot(SalesPolicyFixtures, HttpCase):
    """Odoo's click-everywhere crawler on the Sales app, as a rep and as the director:
    every menu, every view switcher and every filter, in a real browser, no error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_sales_policy()
        for invoice in cls.invoices.values():
            invoice.action_post()
        cls.env["hr.employee"].create(
            [{"name": u.name, "user_id": u.id} for u in (cls.rep_n1a, cls.director)]
        )

    def _click_everywhere(self, user, app="sale.sale_menu_root"):
        self.browser_js(
            "/odoo",
            CLICKBOT % app,
            "odoo.isReady === true",
            login=user.login,
            timeout=1200,
            success_signal="clickbot test succeeded",
        )

    def test_clickbot_sales_as_rep(self):
        self._click_everywhere(self.rep_n1a)

    def test_clickbot_sales_as_director(self):
        self._click_everywhere(self.director)
