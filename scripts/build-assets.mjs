// Copies the pinned front-end packages from node_modules into static/vendor,
// which is gitignored: third-party code comes from the registry at build time.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
mkdirSync(join(vendor, "fonts"), { recursive: true });

// Only the Bengali subset of the font: it draws the taka sign (and any Bangla text) where the
// visitor's own fonts have no such glyph. app.css declares it with that unicode-range.
const bengali = "@fontsource/noto-sans-bengali/files/noto-sans-bengali-bengali";
const assets = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["htmx-ext-sse/dist/sse.min.js", "htmx-ext-sse.min.js"],
  [`${bengali}-400-normal.woff2`, "fonts/noto-sans-bengali-400.woff2"],
  [`${bengali}-700-normal.woff2`, "fonts/noto-sans-bengali-700.woff2"],
];
for (const [source, target] of assets) {
  copyFileSync(join(root, "node_modules", source), join(vendor, target));
  console.log(`static/vendor/${target}`);
}
