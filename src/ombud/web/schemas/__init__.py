"""Request and response models of the API, one module per resource (Create/Update for what comes in,
Public for what goes out)."""
