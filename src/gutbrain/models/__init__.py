"""Pure model functions: parameters in, numbers out. No widgets, no plotting."""
