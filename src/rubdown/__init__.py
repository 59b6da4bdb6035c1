"""rubdown: a massage and recovery planner for runners."""

__version__ = "0.1.0"
