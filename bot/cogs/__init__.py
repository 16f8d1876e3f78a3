"""Discord adapters: thin cogs that fetch, call the core, persist and reply."""
