"""Which change of an object is the newer one: the ordering rule of the pipeline.

S3 and EventBridge deliver at least once and in no particular order. Each object's state
records the S3 ``sequencer`` of the last change applied; a change that is not newer steps
aside. S3 itself is the source of truth for what is current: a late event for an older
version finds a newer current version (or another ETag) and steps aside too.
"""

from __future__ import annotations

from .ports import ObjectState, StoredObject
from .triggers import ObjectChange

# S3 sequencers are hex strings of varying length: AWS says to left-pad the shorter with
# zeros, then compare as strings. Padding every recorded one to this width keeps them comparable.
SEQUENCER_WIDTH = 64


def sequencer_key(sequencer: str | None) -> str | None:
    """A sequencer in the form that compares as AWS documents (None for none)."""
    if not sequencer:
        return None
    return sequencer.strip().upper().rjust(SEQUENCER_WIDTH, "0")


def why_not_newer(change: ObjectChange, state: ObjectState) -> str | None:
    """Why ``change`` is not newer than the last change applied to its object, or None when
    it is (or when either has no sequencer: then S3 is asked instead)."""
    mine, applied = sequencer_key(change.sequencer), state.sequencer
    if mine is None or applied is None:
        return None
    if mine == applied:
        return f"duplicate: the change with sequencer {change.sequencer} was already applied"
    if mine < applied:
        return f"stale: a later change of this object (sequencer {applied.lstrip('0')}) was already applied"
    return None


def why_superseded(change: ObjectChange, stored: StoredObject) -> str | None:
    """Why the object's current version is not the one ``change`` is about, or None when it is.

    The newer version's own event brings its document.
    """
    if change.version_id and change.version_id != "null" and stored.version_id and stored.version_id != "null":
        if stored.version_id != change.version_id:
            return f"version {change.version_id} is no longer current (current: {stored.version_id})"
        return None
    if change.etag and stored.etag and change.etag != stored.etag:
        return f"the object changed since the event (ETag {change.etag} is now {stored.etag})"
    return None
