"""Z39.50 copy cataloguing: search another library's Z39.50 server through YAZ and catalogue a record found there."""
