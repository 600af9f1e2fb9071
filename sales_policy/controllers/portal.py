from odoo import http
from odoo.exceptions import AccessError, MissingError, ValidationError
from odoo.http import request

from odoo.addons.sale.controllers.portal import PaymentPortal


class SalesPolicyPaymentPortal(PaymentPortal):
    """No online payment of a quotation that is not approved (篇四 §12).

    Signing is refused by ``sale.order._has_to_be_signed`` (the accept route checks it);
    the payment route does not check ``_has_to_be_paid``, hence this guard.
    """

    @http.route("/my/orders/<int:order_id>/transaction", type="jsonrpc", auth="public")
    def portal_order_transaction(self, order_id, access_token, **kwargs):
        try:
            order_sudo = self._document_check_access("sale.order", order_id, access_token)
        except (AccessError, MissingError):
            order_sudo = None
        if order_sudo is not None:
            error = order_sudo._policy_quotation_unapproved_error()
            if error:
                raise ValidationError(
                    request.env._("This quotation cannot be paid yet: %(reason)s", reason=error)
                )
        return super().portal_order_transaction(order_id, access_token, **kwargs)
