// Copies the pinned front-end packages from node_modules into static/vendor,
// which is gitignored: third-party code comes from the registry at build time.
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const vendor = join(root, "static", "vendor");
mkdirSync(vendor, { recursive: true });

const assets = [
  ["htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["htmx-ext-sse/dist/sse.min.js", "htmx-ext-sse.min.js"],
];
for (const [source, target] of assets) {
  copyFileSync(join(root, "node_modules", source), join(vendor, target));
  console.log(`static/vendor/${target}`);
}
