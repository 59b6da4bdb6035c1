"""The local web app (``rubdown serve``): a JSON API over the same services the command line
calls, returning the same JSON views, and a small page at ``/``."""
