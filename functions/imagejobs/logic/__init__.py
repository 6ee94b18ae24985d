"""Business logic. Functions here take their collaborators as arguments (see `imagejobs.ports`)
and never create AWS clients or read the environment."""
