"""The race-day massage tent, planned: the finish curve, runners' arrivals at the tent, the
queue's outcomes per 15-minute slot and the therapists each slot needs.

Pure like the rest of the domain: the queue itself is simulated by an adapter
(``rubdown.tent.simulation``) behind :class:`rubdown.domain.tent.model.QueueSimulator`, and
checked against Erlang C (:mod:`rubdown.domain.tent.erlang`).

On the day (``rubdown tent serve``): ``queue`` is the live queue built from the day's actions,
``triage`` the desk's exclusion signs that send a runner to medical, ``day`` the stored log,
its port and the day's summary.
"""
