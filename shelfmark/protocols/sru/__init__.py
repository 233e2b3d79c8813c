"""SRU server at /sru (versions 1.2 and 2.0): explain, and searchRetrieve with CQL queries on the catalogue's search
engine, records as MARCXML or Dublin Core; fatal and per-record diagnostics from info:srw/diagnostic/1."""
