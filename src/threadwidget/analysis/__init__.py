"""Numbers, tables and transformations of a discussion.

Stats, measures, tables, anonymising, fakes."""
