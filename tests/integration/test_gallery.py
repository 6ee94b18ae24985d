"""The committed contact sheet is what the built-in renderer draws today."""

import hashlib

from imagejobs_dev.gallery import SHEET, contact_sheet_png


def test_the_contact_sheet_is_what_the_renderer_draws() -> None:
    # Given the contact sheet committed in tests/golden
    committed = SHEET.read_bytes()

    # When the sheet is drawn again
    fresh = contact_sheet_png()

    # Then it is the same, byte for byte
    assert hashlib.sha256(fresh).hexdigest() == hashlib.sha256(committed).hexdigest(), (
        f"the renderer no longer draws {SHEET.relative_to(SHEET.parents[2])}: if that change"
        " is intended, run `make gallery`, look at the new sheet and commit it"
    )
