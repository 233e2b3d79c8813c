"""Reader pages: login and logout, my account (loans, bookings, fines, standing, history), booking a title."""
