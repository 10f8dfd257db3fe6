# Copyright 2026 CRM Suite developers
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import logging
import os
import threading

import psycopg2
from psycopg2 import sql

from odoo import api, models, sql_db

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)


class _CronWaker:
    """One connection per server process to the 'postgres' database, kept open to wake the cron workers.

    Odoo's _notifydb opens a new connection to 'postgres' for every NOTIFY (its pool never keeps
    connections to that database): a backend started and stopped for each immediate trigger, 3 to 4 ms
    and a process fork on the PostgreSQL side for each service request the public form takes in.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._cnx = None
        self._pid = None

    def _connection(self):
        if self._cnx is None or self._cnx.closed or self._pid != os.getpid():
            # a connection inherited from the prefork master (other pid) is the master's: never reuse it
            __, info = sql_db.connection_info_for("postgres")
            self._cnx = psycopg2.connect(**info)
            self._cnx.autocommit = True
            self._pid = os.getpid()
        return self._cnx

    def notify(self, dbname):
        """NOTIFY cron_trigger for dbname; False when the database could not be reached."""
        with self._lock:
            for __ in range(2):
                try:
                    with self._connection().cursor() as cr:
                        cr.execute(
                            sql.SQL("SELECT {}('cron_trigger', %s)").format(sql.Identifier(ODOO_NOTIFY_FUNCTION)),
                            [dbname],
                        )
                    return True
                except (psycopg2.OperationalError, psycopg2.InterfaceError):
                    # the server closed the kept connection (restart, idle timeout): connect again, once
                    if self._cnx is not None:
                        self._cnx.close()
                    self._cnx = None
            return False


_waker = _CronWaker()


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _crm_wake(self, xmlid):
        """Run the cron of this XML id at once (a trigger for now), e.g. after filling its queue; nothing
        if it was deleted. Unlike env.ref(xmlid)._trigger(), no query to check that it exists (its XML
        id look-up is cached) and only its active flag is read, not every column of the job."""
        __, cron_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(xmlid, raise_if_not_found=False)
        if cron_id:
            cron = self.sudo().browse(cron_id)
            cron.fetch(["active"])
            cron._trigger()

    def _notifydb(self):
        """Wake the cron workers over the process's kept connection; Odoo's own way if it is unusable."""
        if _waker.notify(self.env.cr.dbname):
            return None
        _logger.warning("cron wake-up over the kept connection failed, waking the workers Odoo's way")
        return super()._notifydb()
