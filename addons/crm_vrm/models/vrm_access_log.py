# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

from odoo import api, fields, models


class VrmAccessLog(models.Model):
    """Who was shown which category of a customer's data, when, and for what. Written in batches
    by SQL (see res.partner._vrm_log_access); never edited."""

    _name = "vrm.access.log"
    _description = "Personal Data Access Log"
    _order = "log_date desc, id desc"
    _rec_name = "partner_id"
    _log_access = False

    log_date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    partner_id = fields.Many2one(comodel_name="res.partner", required=True, index=True, ondelete="cascade")
    recipient_id = fields.Many2one(comodel_name="vrm.recipient", ondelete="set null")
    user_id = fields.Many2one(comodel_name="res.users", ondelete="set null")
    category_id = fields.Many2one(comodel_name="vrm.data.category", ondelete="cascade")
    purpose_id = fields.Many2one(comodel_name="vrm.purpose", ondelete="cascade")
    reference = fields.Char(help="What the data was shown for, e.g. a service request reference.")

    @api.model
    def _vrm_queue(self, rows):
        """Queue rows (log_date, partner, recipient, user, category, purpose, reference)."""
        blocks = {}
        for log_date, partner_id, *rest in rows:
            blocks.setdefault((log_date, *rest), []).append(partner_id)
        self._vrm_queue_blocks(list(blocks.items()))

    @api.model
    def _vrm_queue_blocks(self, blocks):
        """Queue ((log_date, recipient, user, category, purpose, reference), [partner ids])
        pairs, one row per partner: a read queues one pair per category, not one per row."""
        cr = self.env.cr
        if cr.readonly:
            # a read-only request (Odoo 18 serves reads so) cannot write its own log: the rows
            # are written once it ends, by a cursor of their own
            queue = cr.postcommit.data.get("vrm.access.log")
            if queue is None:
                queue = cr.postcommit.data["vrm.access.log"] = []
                cr.postcommit.add(self._vrm_write_after_readonly)
            queue.extend(blocks)
            return
        queue = cr.precommit.data.get("vrm.access.log")
        if queue is None:
            queue = cr.precommit.data["vrm.access.log"] = []
            cr.precommit.add(self._vrm_flush_queue)
        queue.extend(blocks)

    @api.model
    def _vrm_write_after_readonly(self):
        """Write the rows a read-only transaction queued, in a read/write transaction."""
        queue = self.env.cr.postcommit.data.pop("vrm.access.log", None)
        if queue:
            with self.env.registry.cursor() as cr:
                self.with_env(self.env(cr=cr))._vrm_insert(queue)

    @api.model
    def _vrm_flush_queue(self):
        """Write the queued rows in one statement."""
        queue = self.env.cr.precommit.data.pop("vrm.access.log", None)
        if queue:
            self._vrm_insert(queue)

    @api.model
    def _vrm_insert(self, queue):
        """Insert the rows of queued blocks in one statement."""
        columns = [[] for _i in range(7)]
        for (log_date, recipient_id, user_id, category_id, purpose_id, reference), partner_ids in queue:
            count = len(partner_ids)
            columns[1] += partner_ids
            for index, value in (
                (0, log_date),
                (2, recipient_id),
                (3, user_id),
                (4, category_id),
                (5, purpose_id),
                (6, reference),
            ):
                columns[index] += [value] * count
        self.env.cr.execute(
            """
            INSERT INTO vrm_access_log
                   (log_date, partner_id, recipient_id, user_id, category_id, purpose_id, reference)
            SELECT * FROM unnest(%s::timestamp[], %s::int[], %s::int[], %s::int[], %s::int[],
                                 %s::int[], %s::varchar[])
            """,
            columns,
        )

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None):
        """Write what is queued before looking the log up."""
        self._vrm_flush_queue()
        return super()._search(domain, offset=offset, limit=limit, order=order)

    def _vrm_portal_text(self):
        """One plain sentence per row, as shown to the customer."""
        return [
            self.env._(
                "%(who)s viewed your %(what)s on %(when)s for %(why)s",
                who=log.recipient_id.name or self.env._("Someone"),
                what=(log.category_id.name or "").lower(),
                when=fields.Date.to_string(log.log_date),
                why=log.reference or (log.purpose_id.name or "").lower(),
            )
            for log in self
        ]
