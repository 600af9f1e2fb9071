from odoo import api, fields, models
from odoo.exceptions import UserError


class SalesPolicyExportLog(models.Model):
    """One row per export of customer data (客户信息严格保密, 篇四 §19).

    Written with ``sudo()`` by the export itself (see ``res.partner.export_data``);
    nobody edits or deletes a row. Readable by the sales director and finance only
    (the roles allowed to export), and by the administrator.
    """

    _name = "sales.policy.export.log"
    _description = "Customer Data Export Log"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_name = "date"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Exported By", required=True, readonly=True, index=True
    )
    res_model = fields.Char(string="Model", required=True, readonly=True)
    record_count = fields.Integer(string="Records", readonly=True)
    field_names = fields.Text(string="Fields", readonly=True)
    field_count = fields.Integer(string="Number of Fields", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )

    def write(self, vals):
        self._sales_policy_check_immutable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_immutable(self):
        self._sales_policy_check_immutable()

    def _sales_policy_check_immutable(self):
        if self.env.su:
            return
        raise UserError(
            self.env._(
                "The customer data export log cannot be changed (%(article)s).",
                article=self.env["sales.policy.control"]._cite("customer_export_log"),
            )
        )

    @api.model
    def _sales_policy_log(self, records, field_names):
        """Log one export of ``records`` with the exported ``field_names``."""
        return self.sudo().create(
            {
                "user_id": self.env.uid,
                "res_model": records._name,
                "record_count": len(records),
                "field_names": "\n".join(field_names),
                "field_count": len(field_names),
                "company_id": self.env.company.id,
            }
        )
