"""Refusals of sealing and opening an allocation key; no message holds any part of the map or passphrase."""

from cohorts.errors import CohortsError


class SealedKeyError(CohortsError):
    """Base of every refusal from this module; messages never contain any part of the map or passphrase."""


class WeakPassphraseError(SealedKeyError):
    """A passphrase chosen for sealing is too short or too easy to guess."""


class PassphraseTooShortError(WeakPassphraseError):
    """A passphrase chosen for sealing has fewer real characters than the minimum."""


class WrongPassphraseError(SealedKeyError):
    """Decryption failed: the passphrase is wrong, or the sealed key was altered or truncated."""


class SealedKeyContextError(SealedKeyError):
    """The sealed key names another study or roster than the one it is opened for."""


class CommitmentMismatchError(SealedKeyError):
    """The decrypted map does not match the commitment it is checked against."""


class SealedKeyFormatError(SealedKeyError):
    """A stored sealed key is not in the expected format."""
