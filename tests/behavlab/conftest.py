"""The services' randomized study, for every test of the application (faults, hostile input, blinding)."""

from tests.behavlab.services.conftest import FAST_KDF, PASSPHRASE, RandomizedStudy, randomized

__all__ = ["FAST_KDF", "PASSPHRASE", "RandomizedStudy", "randomized"]
