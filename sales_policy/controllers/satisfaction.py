from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from ..models.sales_policy_return_visit import SCORE_MAX, SCORE_MIN


class SalesPolicySatisfactionController(http.Controller):
    """The customer answers a satisfaction survey (篇四 §20.3) through the link of the
    survey email, without logging in: the access token of the survey is the key."""

    def _survey_sudo(self, survey_id, access_token):
        survey = request.env["sales.policy.satisfaction"].sudo().browse(survey_id).exists()
        if (
            not survey
            or not access_token
            or not survey.access_token
            or not consteq(survey.access_token, access_token)
        ):
            raise request.not_found()
        return survey

    def _render(self, survey, **values):
        lang = survey.partner_id.lang or request.env.lang
        return (
            request.env["ir.ui.view"]
            .with_context(lang=lang)
            ._render_template(
                "sales_policy.satisfaction_survey_page",
                {
                    "survey": survey,
                    "scores": range(SCORE_MIN, SCORE_MAX + 1),
                    "error": None,
                    "done": False,
                    **values,
                },
            )
        )

    @http.route(
        "/sales_policy/satisfaction/<int:survey_id>",
        type="http",
        auth="public",
        methods=["GET"],
    )
    def satisfaction_form(self, survey_id, access_token=None, **kwargs):
        survey = self._survey_sudo(survey_id, access_token)
        return self._render(survey, done=survey.state == "answered")

    @http.route(
        "/sales_policy/satisfaction/<int:survey_id>/submit",
        type="http",
        auth="public",
        methods=["POST"],
    )
    def satisfaction_submit(self, survey_id, access_token=None, score=None, comment=None, **kw):
        survey = self._survey_sudo(survey_id, access_token)
        lang = survey.partner_id.lang or request.env.lang
        try:
            survey.with_context(lang=lang)._sales_policy_answer(score, comment)
        except (UserError, ValidationError) as error:
            return self._render(survey, error=error.args[0])
        return self._render(survey, done=True)
