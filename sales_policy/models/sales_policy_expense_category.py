from odoo import api, fields, models
from odoo.exceptions import ValidationError


class SalesPolicyExpenseCategory(models.Model):
    """A sales expense category of the budget (篇四 §17.2): travel (差旅费),
    entertainment (招待费), marketing (市场推广费)...

    The mapping from Odoo's expense products (``product.product`` with
    ``can_be_expensed``) to a category is configurable: an expense is charged to the
    category of its product. A product belongs to one category at most.
    """

    _name = "sales.policy.expense.category"
    _description = "Sales Expense Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Technical key, e.g. travel, entertainment, marketing.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    product_ids = fields.Many2many(
        "product.product",
        "sales_policy_expense_category_product_rel",
        "category_id",
        "product_id",
        string="Expense Products",
        domain=[("can_be_expensed", "=", True)],
        help="The expense categories of Odoo's Expenses app charged to this budget category.",
    )
    description = fields.Text(translate=True)

    _code_uniq = models.UniqueIndex(
        "(code) WHERE code IS NOT NULL", "Each category code is unique."
    )

    @api.constrains("product_ids", "active")
    def _check_product_ids(self):
        products = self.product_ids
        categories_of = {}
        for category in self.search([("product_ids", "in", products.ids)]):
            for product in category.product_ids & products:
                categories_of.setdefault(product, self.browse())
                categories_of[product] |= category
        for product, categories in categories_of.items():
            if len(categories) > 1:
                raise ValidationError(
                    self.env._(
                        "The expense product %(product)s is mapped to several budget "
                        "categories (%(categories)s): map it to one only.",
                        product=product.display_name,
                        categories=", ".join(categories.mapped("name")),
                    )
                )

    @api.model
    def _for_products(self, products):
        """``{product id: category}`` for the given expense products."""
        categories = self.sudo().search([("product_ids", "in", products.ids)])
        return {
            product.id: category.sudo(False)
            for category in categories
            for product in category.product_ids
            if product in products
        }

    @api.model_create_multi
    def create(self, vals_list):
        categories = super().create(vals_list)
        categories._recompute_expenses(categories.product_ids)
        return categories

    def write(self, vals):
        before = self.product_ids
        res = super().write(vals)
        if "product_ids" in vals or "active" in vals:
            self._recompute_expenses(before | self.product_ids)
        return res

    def _recompute_expenses(self, products):
        """The mapping changed: charge the expenses of ``products`` to their new category."""
        if not products:
            return
        Expense = self.env["hr.expense"].sudo()
        expenses = Expense.with_context(active_test=False).search(
            [("product_id", "in", products.ids)]
        )
        if expenses:
            self.env.add_to_compute(Expense._fields["sales_policy_category_id"], expenses)
