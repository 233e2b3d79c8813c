"""Staff circulation desk pages (Django templates + htmx): check out, check in, renew, pay, holds, slips."""
