"""The meetings app's pages, one module per section."""
