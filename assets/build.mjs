// Builds the front-end from npm packages into saferwork/static, so that the app serves
// every asset itself and no page loads anything from another host.
import { cpSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const staticDir = join(root, "saferwork", "static");
const vendor = join(staticDir, "vendor");
const build = join(staticDir, "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(vendor, { recursive: true, force: true });
rmSync(build, { recursive: true, force: true });
mkdirSync(join(vendor, "govuk"), { recursive: true });
mkdirSync(build, { recursive: true });

// Images only: the GDS Transport fonts are not ours to use.
cpSync(join(govuk, "assets", "images"), join(vendor, "govuk", "assets", "images"), { recursive: true });
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(vendor, "govuk-frontend.min.js"));
copyFileSync(join(root, "node_modules", "htmx.org", "dist", "htmx.min.js"), join(vendor, "htmx.min.js"));
copyFileSync(join(root, "assets", "js", "app.mjs"), join(build, "app.mjs"));
// reporting: browser-side Argon2id for receipts (@phi-ag/argon2: WebAssembly with SIMD, about
// 1.5x hash-wasm's speed), only loaded on the reporting pages that allow 'wasm-unsafe-eval'
const argon2 = join(root, "node_modules", "@phi-ag", "argon2", "dist");
mkdirSync(join(vendor, "argon2"), { recursive: true });
for (const name of ["index.js", "fetch.js", "argon2.wasm"]) copyFileSync(join(argon2, name), join(vendor, "argon2", name));
// hash-wasm: kept for bench/browser_kdf.py's comparison only
copyFileSync(join(root, "node_modules", "hash-wasm", "dist", "index.esm.min.js"), join(vendor, "hash-wasm.esm.min.js"));
copyFileSync(join(root, "assets", "js", "reporting.mjs"), join(build, "reporting.mjs"));

const result = sass.compile(join(root, "assets", "scss", "app.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "color-functions"],
});
writeFileSync(join(build, "app.css"), result.css);
console.log(`assets: wrote ${build} and ${vendor}`);
