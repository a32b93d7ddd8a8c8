"""The floor below every app: the notification ledger, mail, environment parsing, HTTP and
htmx helpers, tokens. It imports no PeerNet app."""
