"""MARC in and out: read ISO 2709 and MARCXML, extract the indexed fields, write records back."""
