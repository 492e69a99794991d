"""store: where voices, customers and everything ombud learns about them are kept."""

from ombud.store.database import Database, open_database, upgrade_schema
from ombud.store.models import Customer, CustomerIdentity, Import, ImportProblem, Voice

__all__ = [
    "Customer",
    "CustomerIdentity",
    "Database",
    "Import",
    "ImportProblem",
    "Voice",
    "open_database",
    "upgrade_schema",
]
