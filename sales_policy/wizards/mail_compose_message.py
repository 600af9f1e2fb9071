from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail_mass_mail(self, res_ids, auto_commit=False):
        # mass mailing goes to the records' customers: never an unapproved quotation's
        # (comment mode posts on the order, where sale.order.message_post checks it)
        if self.model == "sale.order" and not self.env.su:
            self.env["sale.order"].browse(res_ids)._policy_check_quotation_approved()
        return super()._action_send_mail_mass_mail(res_ids, auto_commit=auto_commit)
