from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .sales_policy_approval import APPROVAL_LEVELS
from .sales_policy_approval_matrix import NEW_MATRIX


class SalesPolicyApprovalMatrixBand(models.Model):
    """A band of the approval matrix: values above ``above`` and up to ``up_to``."""

    _name = "sales.policy.approval.matrix.band"
    _description = "Approval Matrix Band"
    _order = "matrix_id, dimension, above"

    matrix_id = fields.Many2one(
        "sales.policy.approval.matrix", required=True, ondelete="cascade", index=True
    )
    dimension = fields.Selection(
        [("discount", "Effective Price Cut (%)"), ("amount", "Order Amount")],
        required=True,
    )
    above = fields.Float(required=True, default=0.0, help="The band starts above this value.")
    up_to = fields.Float(help="The band ends at this value (included). 0 means no limit.")
    level = fields.Selection(
        APPROVAL_LEVELS,
        string="Approved Up To",
        required=True,
        help="The highest level that must approve; the levels below approve first.",
    )

    @api.constrains("above", "up_to", "dimension")
    def _check_limits(self):
        for band in self:
            if band.above < 0 or band.up_to < 0:
                raise ValidationError(self.env._("Band limits cannot be negative."))
            if band.up_to and band.up_to <= band.above:
                raise ValidationError(
                    self.env._(
                        "A band must end above its start (%(band)s).", band=band.display_name
                    )
                )
            if band.dimension == "discount" and (band.above > 100 or band.up_to > 100):
                raise ValidationError(self.env._("A discount band lies between 0 and 100 %."))

    @api.constrains("matrix_id", "dimension", "above", "up_to")
    def _check_matrix_coverage(self):
        """The matrix's no gap / no overlap rule on every path (a band created or
        written directly, an import); the matrix checks it once after its own write."""
        pending = self.env["sales.policy.approval.matrix"]._bands_pending()
        if NEW_MATRIX in pending:
            return  # the bands of a matrix being created: its own constraint checks them
        self.matrix_id.filtered(lambda m: m.id not in pending)._check_bands()

    def write(self, vals):
        matrices = self.matrix_id
        res = super().write(vals)
        # a band moved to another matrix leaves its former one to check
        pending = matrices._bands_pending()
        (matrices - self.matrix_id).exists().filtered(lambda m: m.id not in pending)._check_bands()
        return res

    def unlink(self):
        matrices = self.matrix_id
        res = super().unlink()
        pending = matrices._bands_pending()
        matrices.exists().filtered(lambda m: m.id not in pending)._check_bands()
        return res

    @api.depends("above", "up_to", "dimension")
    def _compute_display_name(self):
        for band in self:
            if band.up_to:
                band.display_name = f"{band.above:g} – {band.up_to:g}"
            else:
                band.display_name = self.env._(
                    "above %(above)s, no upper limit", above=f"{band.above:g}"
                )

    def _matches(self, value):
        self.ensure_one()
        above_ok = value > self.above or (self.above == 0 and value >= 0)
        return above_ok and (not self.up_to or value <= self.up_to)
