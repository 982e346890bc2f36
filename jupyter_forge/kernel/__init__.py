"""Thin kernel adapters: magics, the approval widget, the in-kernel registry."""
