"""Thin ipywidgets wiring: controls call a model, then update a FigureWidget in batch_update."""
