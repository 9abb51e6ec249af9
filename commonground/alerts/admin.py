"""Admin: alerts are deliberately not in the admin.

Nobody outside an alert's owner and its circles may learn that it exists, platform
administrators included (docs/alerts.md); the owner works in ``/alerts/``. The operator lists
alerts at the command line (``commonground alerts list``), where they hold the database anyway.
"""
