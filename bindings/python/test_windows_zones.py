"""Windows time-zone names through the Python bindings: a location sent with "Romance
Standard Time" (what a Windows POS reports) is stored as Europe/Paris and syncs at 23:00
Paris time; an unknown name is invalid input naming time_zone, and nothing is stored.

Run with scripts/test-bindings.sh, or against an installed wheel (scripts/test-artifacts.sh).
"""

import pytest

import hearken

NOON = 1_795_190_400_000  # 2026-11-20T12:00:00Z
PARIS_SYNC = 1_795_212_000_000  # 2026-11-20T22:00:00Z: 23:00 in Paris


def test_windows_zone_name_is_stored_as_its_iana_zone():
    engine = hearken.Engine.open_in_memory()
    engine.upsert_location(
        hearken.Location(id="paris", name="Paris", time_zone="Romance Standard Time"))
    assert engine.location("paris").time_zone == "Europe/Paris"
    assert engine.sync_window("paris", NOON).next_sync_at == PARIS_SYNC


def test_windows_unknown_zone_name_is_invalid_naming_the_field():
    engine = hearken.Engine.open_in_memory()
    with pytest.raises(hearken.HearkenError.InvalidInput) as caught:
        engine.upsert_location(
            hearken.Location(id="mars", name="Mars", time_zone="Mars Standard Time"))
    assert [p.field for p in caught.value.problems] == ["time_zone"]
    assert "Mars Standard" not in caught.value.reason
    assert engine.locations() == []
