"""Qt item models: one ``QAbstractTableModel`` per list, holding frozen rows from a
query service, never live ORM objects.

``rows``: the roles every list model answers (``ROW_ROLE``, ``ID_ROLE``), ``RowsBase``
(what every list model shares) and ``RowsModel``, the one model for lists read whole;
``lazy``: ``LazyRowsModel``, the same base paged off the GUI thread; ``table``:
``setup_table``, the one look of every list, and keeping the chosen row across a reload;
``users``: the staff list."""
