"""``python -m cxloop.cli``: the same as the ``cxloop`` command."""

from cxloop.cli.main import app

app(prog_name="cxloop")
