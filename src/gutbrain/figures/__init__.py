"""Pure figure builders: model results in, plotly Figure out. Never imports ipywidgets."""
