"""Account pages, one module per flow (login, registration, managers, recovery, account...)."""
