"""`python -m hikeshi.cli`, the same as the `hikeshi` command."""

from hikeshi.cli import main

main()
