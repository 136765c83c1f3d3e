"""``python -m blogkit``: the same as the ``blogkit`` command."""

from blogkit.cli import main

main(prog_name="blogkit")
