import secrets

# No 0/O, 1/I/L: codes are read out over the phone.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_booking_code() -> str:
    return "CV-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def looks_like_booking_code(value: str) -> bool:
    return len(value) == 9 and value.startswith("CV-") and all(c in ALPHABET for c in value[3:])
