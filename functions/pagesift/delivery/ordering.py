"""Which change of an object is the newer one: the ordering rule of the pipeline.

S3 and EventBridge deliver at least once and in no particular order. Each object's state
records the S3 ``sequencer`` of the last change applied; a change that is not newer steps
aside. S3 itself is the source of truth for what is current: a late event for an older
version finds a newer current version (or another ETag) and steps aside too.
"""

from __future__ import annotations

import hashlib
import json

from pagesift.contracts.ports import StoredObject
from pagesift.delivery.ports import ObjectState
from pagesift.delivery.triggers import ChangeKind, ObjectChange

# S3 sequencers are hex strings of varying length: AWS says to left-pad the shorter with
# zeros, then compare as strings. Padding every recorded one to this width keeps them comparable.
SEQUENCER_WIDTH = 64


def sequencer_key(sequencer: str | None) -> str | None:
    """A sequencer in the form that compares as AWS documents (None for none)."""
    if not sequencer:
        return None
    return sequencer.strip().upper().rjust(SEQUENCER_WIDTH, "0")


def change_id(change: ObjectChange) -> str:
    """The id of one change of one object, the same for every delivery of it (a duplicate, a
    retry after the event went out but before the change was recorded, the same change through
    S3 notifications and EventBridge) and different for any other change: what indexers dedupe
    on, with the document's id (one change of an archive gives many documents). Events carry it
    as ``detail.change_id``."""
    parts = [
        change.bucket,
        change.key,
        change.kind.value,
        change.version_id,
        change.etag,
        sequencer_key(change.sequencer),
        change.request,
    ]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


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


def is_duplicate(change: ObjectChange, state: ObjectState) -> bool:
    """Whether ``change`` is the very change last applied (same sequencer)."""
    mine = sequencer_key(change.sequencer)
    return mine is not None and mine == state.sequencer


def why_state_is_wrong(change: ObjectChange, state: ObjectState, current: StoredObject | None) -> str | None:
    """Why S3 contradicts a stale verdict, or None when it agrees with it.

    A change is stale on the word of the sequencer recorded for its object, and that word is
    only as good as the events that wrote it. When the object's current version (``current``:
    its metadata, None when it has none) is the very one a stale creation names while the state
    describes another, or the object is gone while the state says it stands, the recorded state
    is wrong (a forged or corrupt sequencer): the change is applied and the state repaired.
    """
    if change.kind is ChangeKind.DELETED:
        if current is None and not state.deleted:
            return "the object has no current version, but the recorded state says it has one"
        return None
    if current is None or why_superseded(change, current):
        return None  # the change is about an older version (or a deleted one): stale indeed
    if state.deleted:
        named = current.version_id or current.etag
        return f"the version this change names ({named}) is current, but the recorded state says the object was deleted"
    if _known(state.version_id) and _known(current.version_id) and state.version_id != current.version_id:
        return (
            f"the version this change names ({current.version_id}) is current, "
            f"but the recorded state is of version {state.version_id}"
        )
    if state.etag and current.etag and state.etag != current.etag:
        return (
            f"the content this change names (ETag {current.etag}) is current, "
            f"but the recorded state is of ETag {state.etag}"
        )
    return None


def _known(version_id: str | None) -> bool:
    return bool(version_id) and version_id != "null"


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
