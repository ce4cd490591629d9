"""Browser tests: Playwright driving Debian's chromium against the whole service."""
