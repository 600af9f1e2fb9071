from contextlib import contextmanager
from itertools import pairwise

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .res_users import HIERARCHY_LEVELS

LEVEL_ORDER = [level for level, _group in HIERARCHY_LEVELS]
#: Cursor mark: the matrices being written, whose bands the matrix checks at the end.
BANDS_PENDING = "sales_policy_matrix_bands_pending"
NEW_MATRIX = "new"


class SalesPolicyApprovalMatrix(models.Model):
    """Which levels approve a quotation (篇四 §5.6, §12: special discounts escalate).

    Two sets of bands: the largest line discount and the order amount (untaxed, in the
    company currency). Each band names the highest level that must approve; every level
    below it approves first, in order. The stricter of the two bands wins.
    """

    _name = "sales.policy.approval.matrix"
    _description = "Quotation Approval Matrix"
    _inherit = ["mail.thread"]

    name = fields.Char(required=True, translate=True, tracking=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Leave empty for the matrix used by companies that have none of their own.",
    )
    band_ids = fields.One2many("sales.policy.approval.matrix.band", "matrix_id", string="Bands")
    discount_band_ids = fields.One2many(
        "sales.policy.approval.matrix.band",
        "matrix_id",
        string="Discount Bands",
        domain=[("dimension", "=", "discount")],
    )
    amount_band_ids = fields.One2many(
        "sales.policy.approval.matrix.band",
        "matrix_id",
        string="Amount Bands",
        domain=[("dimension", "=", "amount")],
    )
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", string="Company Currency"
    )

    _company_active_uniq = models.UniqueIndex(
        "(COALESCE(company_id, 0)) WHERE active",
        "A company has one active approval matrix.",
    )

    @api.depends("company_id")
    def _compute_currency_id(self):
        for matrix in self:
            matrix.currency_id = (matrix.company_id or self.env.company).currency_id

    @api.constrains("band_ids", "discount_band_ids", "amount_band_ids")
    def _check_bands(self):
        for matrix in self:
            for dimension in ("discount", "amount"):
                matrix._check_dimension_bands(dimension)

    def _check_dimension_bands(self, dimension):
        bands = self.band_ids.filtered(lambda b: b.dimension == dimension).sorted("above")
        label = dict(
            self.env["sales.policy.approval.matrix.band"]
            ._fields["dimension"]
            ._description_selection(self.env)
        )[dimension]
        if not bands:
            raise ValidationError(
                self.env._("The matrix needs %(dimension)s bands.", dimension=label)
            )
        if bands[0].above != 0:
            raise ValidationError(
                self.env._(
                    "The %(dimension)s bands leave a gap: the first band must start at 0.",
                    dimension=label,
                )
            )
        for band, following in pairwise(bands):
            if not band.up_to or band.up_to > following.above:
                raise ValidationError(
                    self.env._(
                        "The %(dimension)s bands overlap: %(first)s and %(second)s.",
                        dimension=label,
                        first=band.display_name,
                        second=following.display_name,
                    )
                )
            if band.up_to < following.above:
                raise ValidationError(
                    self.env._(
                        "The %(dimension)s bands leave a gap between %(low)s and %(high)s.",
                        dimension=label,
                        low=band.up_to,
                        high=following.above,
                    )
                )
        if bands[-1].up_to:
            raise ValidationError(
                self.env._(
                    "The %(dimension)s bands leave a gap above %(high)s: the last band has "
                    "no upper limit.",
                    dimension=label,
                    high=bands[-1].up_to,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        # the bands are created with the matrix: it checks them once, at the end
        with self._bands_pending_mark(NEW_MATRIX):
            return super().create(vals_list)

    def write(self, vals):
        with self._bands_pending_mark(*self.ids):
            return super().write(vals)

    @contextmanager
    def _bands_pending_mark(self, *keys):
        """While the matrix itself is written, its bands leave the check to it (its
        constraint on band_ids). The mark lives on the cursor, out of any client's
        reach."""
        pending = self.env.cr.cache.setdefault(BANDS_PENDING, set())
        added = set(keys) - pending
        pending.update(added)
        try:
            yield
        finally:
            pending.difference_update(added)

    @api.model
    def _bands_pending(self):
        """Ids of the matrices being written (NEW_MATRIX while one is created)."""
        return self.env.cr.cache.get(BANDS_PENDING, set())

    @api.model
    def _for_company(self, company):
        """The matrix that applies to ``company``."""
        matrices = self.search(
            [("company_id", "in", [company.id, False])], order="company_id asc nulls last"
        )
        return matrices[:1]

    def _levels_for(self, max_discount, amount):
        """The levels that approve a quotation, in order."""
        self.ensure_one()
        top = max(
            (
                band.level
                for band in self.band_ids
                if band._matches(max_discount if band.dimension == "discount" else amount)
            ),
            key=LEVEL_ORDER.index,
            default="supervisor",
        )
        return LEVEL_ORDER[: LEVEL_ORDER.index(top) + 1]
