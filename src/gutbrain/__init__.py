"""Gut Feelings: tested helpers that the course's notebooks import.

Layers (data flows one way): ``data`` (assets, validated) -> ``models`` (pure numbers) ->
``figures`` (plotly figures) -> ``widgets`` (ipywidgets wiring). ``selfcheck`` holds the
self-check questions; ``course`` builds the course map from the lessons present.
"""
__version__ = "0.1.0"
