"""Approval steps record when their level became the one to decide (issue #13): the
submission for the first level, the previous level's decision for the next ones."""


def migrate(cr, version):
    cr.execute(
        """
        UPDATE sales_policy_approval step
           SET pending_since = COALESCE(
                   (SELECT previous.decision_date
                      FROM sales_policy_approval previous
                     WHERE previous.res_model = step.res_model
                       AND previous.res_id = step.res_id
                       AND previous.round = step.round
                       AND previous.sequence < step.sequence
                  ORDER BY previous.sequence DESC
                     LIMIT 1),
                   step.request_date)
         WHERE step.pending_since IS NULL
           AND step.state IN ('pending', 'approved', 'rejected')
        """
    )
