"""Peer implementations of the M/M/1 make-to-stock line, for speed comparisons."""
