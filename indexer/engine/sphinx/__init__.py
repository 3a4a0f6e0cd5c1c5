"""The Sphinx/Manticore engine: a sharded index on a cluster of ``searchd`` over SphinxQL.

Opened for ``sphinx://host:port/name`` locations (``engine.base`` registers it without importing
anything of it). ``conf`` writes the cluster's configurations, ``cluster`` runs them, ``engine``
reads and ``writer`` writes; PyMySQL is imported by ``client`` only, when a location is opened.
"""
