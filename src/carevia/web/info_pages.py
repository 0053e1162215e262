"""The informational pages: their paths and templates, for the page routes and the sitemap."""

INFO_PAGES = {
    "/about": "pages/about.html",
    "/help": "pages/help.html",
    "/safety": "pages/safety.html",
    "/refund-policy": "pages/refund.html",
    "/terms": "pages/terms.html",
    "/privacy": "pages/privacy.html",
}
