// Bundles the packages' own sources (actions, pickers, searchers, filters and fe-core's helpers)
// into one ES module that runs under node: third-party UI packages are replaced by the shims in
// ./shims, lodash is the real one. Usage: bundle.mjs <sources dir> <out file>
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const [sources, outfile, nodeModules] = process.argv.slice(2);
const require = createRequire(path.join(nodeModules, "x.js"));
const esbuild = require("esbuild");

const PACKAGES = ["fe-core", "fe-claim", "fe-claim_batch", "fe-insuree", "fe-location", "fe-medical"];
const shim = (name) => path.join(here, "shims", name);

const resolver = {
  name: "spa-contract",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const spec = args.path;
      const fe = spec.match(/^@openimis\/(fe-[a-z_]+)$/);
      if (fe && PACKAGES.includes(fe[1])) return { path: path.join(sources, fe[1], "src", "index.js") };
      if (spec === "react") return { path: shim("react.cjs") };
      if (spec === "react-redux") return { path: shim("react-redux.cjs") };
      if (spec === "redux-api-middleware") return { path: shim("redux-api-middleware.cjs") };
      if (spec === "lodash-uuid") return { path: shim("lodash-uuid.cjs") };
      if (spec === "lodash" || spec.startsWith("lodash/")) return { path: require.resolve(spec) };
      return { path: shim("stub.cjs") };
    });
    build.onResolve({ filter: /\.(svg|png|jpg|css|gif)$/ }, () => ({ path: shim("stub.cjs") }));
    // A package's source map leaves out what rollup did not bundle (translations, unused
    // helpers): those are never part of a document.
    build.onResolve({ filter: /^\./ }, (args) => {
      const base = path.resolve(args.resolveDir, args.path);
      const found = ["", ".js", "/index.js"].some((ext) => fs.existsSync(base + ext) && fs.statSync(base + ext).isFile());
      return found ? undefined : { path: shim("stub.cjs") };
    });
  },
};

// Classes the screens use but their files do not export: the extractor calls their methods.
const UNEXPORTED = {
  "fe-claim/src/components/ClaimFilter.js": "ClaimFilter",
  "fe-claim/src/components/ClaimSearcher.js": "ClaimSearcher",
  "fe-claim/src/pages/ReviewsPage.js": "RawRandomAndValueFilters",
};
const COMPONENTS = [
  "fe-claim/src/pickers/MedicalServiceFilterPicker.js",
  "fe-claim/src/components/AdditionalPanelInsuree.js",
];

const entry = PACKAGES.map((p) => {
  const name = p.replace(/[-]/g, "_");
  return `export * as ${name}_index from ${JSON.stringify(path.join(sources, p, "src", "index.js"))};\n` +
    `export * as ${name}_actions from ${JSON.stringify(path.join(sources, p, "src", "actions.js"))};`;
}).join("\n") + `\nexport { default as harness } from ${JSON.stringify(shim("harness-state.cjs"))};\n` +
  Object.entries(UNEXPORTED).map(([file, name]) =>
    `export { ${name} } from ${JSON.stringify(path.join(sources, file))};`).join("\n") + "\n" +
  COMPONENTS.map((file, i) =>
    `export { default as component${i} } from ${JSON.stringify(path.join(sources, file))};`).join("\n") +
  `\nexport const componentFiles = ${JSON.stringify(COMPONENTS)};\n`;

const exposer = {
  name: "expose-classes",
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      const file = Object.keys(UNEXPORTED).find((f) => args.path.endsWith(f.split("/").slice(1).join("/")) &&
        args.path.includes(f.split("/")[0]));
      if (!file) return undefined;
      const text = fs.readFileSync(args.path, "utf8");
      return { contents: `${text}\nexport { ${UNEXPORTED[file]} };\n`, loader: "jsx" };
    });
  },
};

await esbuild.build({
  stdin: { contents: entry, resolveDir: sources, loader: "js" },
  bundle: true,
  format: "esm",
  platform: "node",
  outfile,
  loader: { ".js": "jsx", ".json": "json" },
  jsx: "transform",
  jsxFactory: "React.createElement",
  jsxFragment: "React.Fragment",
  plugins: [resolver, exposer],
  logLevel: "error",
});
