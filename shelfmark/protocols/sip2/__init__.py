"""SIP2 (3M Standard Interchange Protocol 2.00) server for self-service kiosks, 24-hour libraries and sorters."""
