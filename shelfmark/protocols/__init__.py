"""Edge adapters that speak other systems' protocols (SIP2, later OAI-PMH, SRU, IIIF); they call services only."""
