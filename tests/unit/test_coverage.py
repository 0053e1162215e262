from carevia.domain.coverage import DIVISION_NAMES, DIVISIONS, districts_of, is_valid_location


def test_eight_divisions_and_sixty_four_districts() -> None:
    assert DIVISION_NAMES == (
        "Barishal",
        "Chattogram",
        "Dhaka",
        "Khulna",
        "Mymensingh",
        "Rajshahi",
        "Rangpur",
        "Sylhet",
    )
    districts = [d for division in DIVISIONS for d in division.districts]
    assert len(districts) == 64
    assert len(set(districts)) == 64


def test_location_pairs_must_exist() -> None:
    assert is_valid_location("Chattogram", "Cox's Bazar")
    assert is_valid_location("Dhaka", "Gazipur")
    assert not is_valid_location("Sylhet", "Gazipur")
    assert not is_valid_location("Atlantis", "Gazipur")
    assert districts_of("Mymensingh") == ("Jamalpur", "Mymensingh", "Netrokona", "Sherpur")
