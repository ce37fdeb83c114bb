"""Decision rules agents apply: replenishment, markdowns, quoting."""
