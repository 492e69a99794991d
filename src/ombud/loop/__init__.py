"""loop: make sure each voice is answered and each wish followed up.

- ``cases``: voices grouped into cases, their states, priority, SLA and assignment;
- ``presence``: answered share, first-response times, overdue, feedback coverage;
- ``drafts``: a suggested reply in the customer's language (templates per language);
- ``outbox`` and ``delivery``: every message to a customer queued once, then sent over SMTP with retries;
- ``wishes``: wish sentences grouped into themes by meaning, with a status;
- ``feedback``: the personal message to each customer of a theme when its status changes.
"""
