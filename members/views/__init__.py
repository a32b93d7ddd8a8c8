"""The members app's pages, one module per section: the application, the referee's answer, the
review."""
