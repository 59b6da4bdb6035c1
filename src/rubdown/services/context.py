"""The former name of ``services.runner``: ``App`` is ``Runner``."""

from rubdown.services.runner import Runner

App = Runner

__all__ = ["App", "Runner"]
