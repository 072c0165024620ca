"""Background jobs: long work (imports, checks, reports) run by a worker, with progress.

A job is a ``Job`` row that people see; the django-tasks database backend queues the one
generic task ``run_job`` that runs it. Modules, one idea each: ``vocabulary`` (kinds,
states, the messages a job can end with), ``models``, ``registry`` (which function does
each kind's work), ``board`` (progress and cancel requests, written outside the job's own
transaction), ``progress`` (reporting progress and noticing a cancel request from inside
the work), ``services`` (enqueue, cancel, finish, fail), ``runner`` (running one job and
recovering jobs whose worker died), ``tasks`` (the django-tasks task), ``worker`` (the
worker loop of ``hikeshi worker``), ``access``, ``views`` and ``presentation`` (pages).
"""
