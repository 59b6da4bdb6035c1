"""The race-day tent's adapters: the queue simulation on SimPy and the plan's SVG chart."""
