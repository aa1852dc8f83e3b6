"""Content hashes of video files, to recognise a video whatever its name or folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

#: Bytes read per sample of a sampled hash (64 KiB).
HASH_CHUNK_BYTES = 1 << 16
#: Evenly spaced chunks read for a sampled hash.
HASH_SAMPLES = 16
_FULL_READ_BYTES = 1 << 20


def content_hash(path: str | Path, *, full: bool = False) -> str:
    """SHA-256 of a file: of all of it, or of its size and 16 evenly spaced 64-KiB chunks.

    Parameters
    ----------
    path
        The file to hash.
    full
        Hash every byte. Otherwise a file larger than 1 MiB (16 chunks of 64 KiB) is hashed from its size in
        bytes and those chunks only, which takes the same time for any length of video.

    Returns
    -------
    str
        ``"sha256:<hex>"`` for a hash of the whole file, ``"sha256-sampled:<hex>"`` for a sampled one.
    """
    path = Path(path)
    size = path.stat().st_size
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        if full or size <= HASH_CHUNK_BYTES * HASH_SAMPLES:
            while chunk := fh.read(_FULL_READ_BYTES):
                digest.update(chunk)
            return f"sha256:{digest.hexdigest()}"
        import numpy as np  # loaded only to sample a large file

        digest.update(size.to_bytes(8, "little"))
        for offset in np.linspace(0, size - HASH_CHUNK_BYTES, HASH_SAMPLES).astype(np.int64):
            fh.seek(int(offset))
            digest.update(fh.read(HASH_CHUNK_BYTES))
    return f"sha256-sampled:{digest.hexdigest()}"
