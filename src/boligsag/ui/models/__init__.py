"""Qt item models: one ``QAbstractTableModel`` per list, holding frozen rows from a
query service, never live ORM objects."""
