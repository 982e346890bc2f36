"""Pure-Python core of jupyter_forge: no IPython, ipykernel or ipywidgets imports here."""
