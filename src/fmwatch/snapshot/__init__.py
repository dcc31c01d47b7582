"""Recorded responses for offline runs (``fmwatch run --offline``), served by ReplayAdapter.

Written by the fmwatch team in the shape of NCBI's answers. See README.md here.
"""
