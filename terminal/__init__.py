"""The till's core: citizen tokens, the hash-chained journal and checkout rules.

Never imports Qt nor any other package of this project.
"""
