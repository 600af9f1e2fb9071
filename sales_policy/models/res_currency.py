from odoo import models

try:
    from cn2an import an2cn
except ImportError:  # optional, as in Odoo's l10n_cn: setup/requirements.txt installs it
    an2cn = None


class ResCurrency(models.Model):
    _inherit = "res.currency"

    def _sales_policy_amount_in_capitals(self, amount):
        """``amount`` in capital Chinese numerals (人民币壹佰壹拾叁元整), as Odoo's
        ``l10n_cn`` writes amounts with ``cn2an``; empty for other currencies than the
        renminbi or without ``cn2an``."""
        self.ensure_one()
        if self.name != "CNY" or an2cn is None:
            return ""
        return "人民币" + an2cn(self.round(amount), "rmb")
