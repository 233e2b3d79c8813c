"""OAI-PMH 2.0 provider at /oai: the catalogue's records for harvesters, as oai_dc, marc21 and cnmarc (MARCXML).

Sets are per holding library (`library:LN:LN-SY`, a record is in the set of every library holding a copy and of
the libraries above it) and per resource type (`type:print`); deleted records persist (catalog.DeletedRecord);
datestamps are to the second; resumption tokens are signed, stateless and expire.
"""
