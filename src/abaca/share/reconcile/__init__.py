"""Recovery: nothing stays in a transitional state after a crash or a lost message.

- ``reconciler``: each share service, at start and every [reconciler] interval, drives
  its backend's shares, snapshots and access rules out of transitional states
  (``common/recovery.py`` says how, per state).
- ``orphans``: backend objects no row owns, removed after a grace period.
- ``timeouts``: the scheduler's check of creates no share service took up.
- ``records``: what was done, for ``abaca-manage reconcile``.
"""
