"""Officers' roles and what each may do: the one table that routes, workflow validators and
activities read. An officer belongs to one agency and holds one role there (domain.md §4).
"""

from typing import Literal

ROLES = ("clerk", "council_member", "chair", "auditor", "admin")

Permission = Literal[
    "propose",
    "decide",
    "add_level_documents",
    "urge",
    "manage_council",
    "post_consultation",
    "hold_for_complaint",
    "record_facts",
    "verify_audit",
    "preview_reorganization",
    "apply_reorganization",
    "manage_officers",
    "register_agencies",
    "run_movements",
    "register_movements",
    "organise_clusters",
    "replay_events",
    "erase_personal",
]

MAY: dict[Permission, tuple[str, ...]] = {
    # Draft, attach, submit, resubmit and withdraw the agency's own nominations.
    "propose": ("clerk", "admin"),
    # The head's decisions (forward, return, refuse, confer), holds, revocations. Weakest first:
    # the order ranks the roles a delegation may lend (`DECIDING_RANK`).
    "decide": ("chair", "admin"),
    # A level's own tờ trình and other documents it adds to a dossier it reviews.
    "add_level_documents": ("clerk", "chair", "admin"),
    # Remind (đôn đốc) whoever a nomination waits on: a notification to that agency, audited.
    "urge": ("clerk", "chair", "admin"),
    # Keep the council's roster and run its meetings (with the council's chair and secretary).
    "manage_council": ("chair", "admin"),
    # Post a nomination publicly (công khai) for comments.
    "post_consultation": ("clerk", "chair"),
    # Hold a nomination for a complaint filed during the consultation, and release it.
    "hold_for_complaint": ("chair", "admin"),
    # Record facts of a nominee's history (ratings, awards, discipline) the agency manages.
    "record_facts": ("clerk", "admin"),
    "verify_audit": ("auditor", "admin", "chair"),
    "preview_reorganization": ("admin", "auditor", "chair"),
    "apply_reorganization": ("admin",),
    # Create and deactivate the agency's officers, change their roles, reset their passwords.
    "manage_officers": ("admin",),
    # Register grassroots bodies (schools, enterprises, sở…) under the agency, or under an agency
    # below it: the caller's place in the tree is checked with each body (decision 0015).
    "register_agencies": ("admin",),
    # Launch the agency's emulation movements and run them: reviews, model examples, status.
    "run_movements": ("chair", "admin"),
    # Register the agency in a movement of an agency above it, with its pledge.
    "register_movements": ("clerk", "chair", "admin"),
    # Form and run the clusters and blocs (cụm, khối) the agency organises: members, leaders, years,
    # final scores, the ranking. Members sign and score with `register_movements`.
    "organise_clusters": ("chair", "admin"),
    # Apply again what the service's consumer parked on the dead-letter topic, after a fix: an
    # operation on the whole service (decision 0033), harmless to repeat (each event applies once).
    "replay_events": ("admin",),
    # Erase a managed nominee's erasable personal data on the subject's request (Decree 13/2023): the
    # head decides for the agency, the admin operates; irreversible, so not the clerk who records it.
    "erase_personal": ("chair", "admin"),
}

# Roles that decide on nominations, weakest first: only these can be lent by a delegation.
DECIDING_RANK = {role: rank for rank, role in enumerate(MAY["decide"], start=1)}


def may(role: str, permission: Permission) -> bool:
    return role in MAY[permission]
