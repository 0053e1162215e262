"""An admin uploads a service's picture in the services editor; the service page shows it."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Browser, ViewportSize, expect
from tests.support.application import LiveServer

from e2e.test_live_dashboard import PASSWORD, log_in

SERVICE = "toddler-care"
TIMEOUT_MS = 10_000
WIDTHS: dict[str, ViewportSize] = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}


def wide_picture(path: Path) -> Path:
    """A 16:9 picture with shapes, so a screenshot shows whether it is scaled or cropped."""
    picture = Image.new("RGB", (1600, 900), "#cfe8ef")
    drawing = ImageDraw.Draw(picture)
    drawing.ellipse((600, 200, 1000, 600), fill="#f4a259")
    drawing.rectangle((0, 700, 1600, 900), fill="#5b8e7d")
    output = io.BytesIO()
    picture.save(output, format="JPEG", quality=90)
    path.write_bytes(output.getvalue())
    return path


def test_an_uploaded_service_picture_shows_on_desktop_and_phone(
    browser: Browser, live_server: LiveServer, artifacts: Path, tmp_path: Path
) -> None:
    email = f"pictures.{time.monotonic_ns()}@example.com"
    live_server.create_user(email, "Farida Yasmin", "admin", PASSWORD)
    context = browser.new_context(base_url=live_server.base_url, viewport=WIDTHS["desktop"])
    try:
        admin = context.new_page()
        log_in(admin, email, f"/dashboard/services/{SERVICE}/edit")
        admin.get_by_label("Picture for this service").set_input_files(
            wide_picture(tmp_path / "toddlers.jpg")
        )
        admin.get_by_role("button", name="Upload picture").click()
        expect(admin.get_by_text("The new picture is shown on the catalogue")).to_be_visible(
            timeout=TIMEOUT_MS
        )
    finally:
        context.close()

    for name, viewport in WIDTHS.items():
        visitor = browser.new_context(base_url=live_server.base_url, viewport=viewport)
        try:
            page = visitor.new_page()
            page.goto(f"/services/{SERVICE}")
            picture = page.locator("main img[src^='/files/']").first
            expect(picture).to_be_visible(timeout=TIMEOUT_MS)
            assert re.fullmatch(r"/files/[0-9a-f]{24}/640", picture.get_attribute("src") or "")
            loaded, right = picture.evaluate(
                "(img) => [img.complete && img.naturalWidth > 0, img.getBoundingClientRect().right]"
            )
            assert loaded, f"the picture did not load at {name} width"
            assert right <= viewport["width"], f"the picture overflows the {name} screen"
            page.screenshot(path=str(artifacts / f"service-picture-{name}.png"), full_page=False)
        finally:
            visitor.close()
