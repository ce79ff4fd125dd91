// Unpacks each npm tarball's original sources: fe-core ships src/, the other packages ship only
// dist/ with a source map that embeds every source file. Usage: unpack.mjs <tarballs> <out>
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";

const [packs, out] = process.argv.slice(2);
for (const tarball of fs.readdirSync(packs).filter((f) => f.endsWith(".tgz"))) {
  const name = tarball.replace(/^openimis-/, "").replace(/-\d+\.\d+\.\d+\.tgz$/, "");
  const dir = path.join(out, name);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("tar", ["xzf", path.join(packs, tarball), "-C", dir, "--strip-components=1"]);
  if (fs.existsSync(path.join(dir, "src"))) continue;
  const map = JSON.parse(fs.readFileSync(path.join(dir, "dist", "index.es.js.map"), "utf8"));
  map.sources.forEach((source, i) => {
    if (source.includes("node_modules")) return;
    const file = path.join(dir, source.replace(/^\.\.\//, ""));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, map.sourcesContent[i]);
  });
}
