"""ombud: hear every customer, understand them, answer and follow up.

The core is plain Python; the CLI (``ombud``) and the web app are thin layers
over it::

    from ombud.store import open_database
    from ombud.capture import import_files

    database = open_database("sqlite:///ombud.db")
    reports = import_files(database, ["export.csv"])
"""

__version__ = "0.1.0"
