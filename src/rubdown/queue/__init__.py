"""The import queue of a server: jobs in PostgreSQL, done by ``rubdown worker`` processes.

``procrastinate`` keeps the queue (which job waits, which worker does it now, each worker's
heartbeat) in its own tables; the job as the runner sees it (how far along, the report) is
ours (``import_jobs``, migration 12), read and written by ``jobs.DatabaseImportQueue``, the
``services.import_queue.ImportQueue`` port. ``tasks`` names the one task and builds the
procrastinate app; ``worker`` runs a worker, with the recovery of jobs whose worker died;
``schema`` applies procrastinate's schema (``rubdown db upgrade``).

Everything here needs PostgreSQL and loads procrastinate and psycopg; nothing imports this
package but ``bootstrap`` and ``rubdown worker``, so a local rubdown never loads it.
"""
