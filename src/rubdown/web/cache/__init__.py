"""Answers kept as HTTP bytes until the runner's data or day moves on: the plan, the Today
answers and the calendar feeds."""
