// Runs the packages' own query-building code (see README.md one folder up) and writes each
// distinct GraphQL document it sends as a fixture. Usage:
//   node extract.mjs <bundle.mjs> <fixtures dir> <versions json>
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import cases from "./cases.mjs";

const [bundlePath, outDir, versionsJson] = process.argv.slice(2);
const versions = JSON.parse(versionsJson);

// What the browser would offer the code at module level and in the actions.
globalThis.window = globalThis;
globalThis.localStorage = { getItem: () => null, setItem() {}, removeItem() {} };
globalThis.document = { cookie: "" };
globalThis.requestAnimationFrame = () => {};
// fe-core's hooks.js reads lodash as the global `_` (the assembled app provides it).
globalThis._ = createRequire(path.resolve(process.env.SPA_NODE_MODULES, "x.js"))("lodash");
const log = console.log;
console.log = () => {};
console.warn = () => {};
const b = await import(path.resolve(bundlePath));
const harness = b.harness;

// The modules manager, as the assembled app builds it: every module's DEFAULT_CONFIG refs and
// contributions; configuration (getConf) gives the packages' defaults unless a case sets one.
const modules = [
  b.fe_core_index.CoreModule, b.fe_claim_index.ClaimModule, b.fe_claim_batch_index.ClaimBatchModule,
  b.fe_insuree_index.InsureeModule, b.fe_location_index.LocationModule, b.fe_medical_index.MedicalModule,
].map((make) => make({}));
const refs = {};
for (const module of modules) for (const r of module.refs || []) refs[r.key] = r.ref;
let conf = {};
const mm = {
  getRef: (key) => refs[key],
  getProjection: (key) => (refs[key] ? `{${refs[key].join(", ")}}` : ""),
  getConf: (module, key, fallback = null) => (conf[module] && key in conf[module] ? conf[module][key] : fallback),
  getContribs: (key) => modules.flatMap((m) => m[key] || []),
  hideField: () => false,
  getModulesVersions: () => [],
  getOpenIMISVersion: () => "",
};
harness.modulesManager = mm;
harness.store = {
  core: { user: { username: "clerk", i_user: { rights: [], health_facility_id: 3 }, health_facility_id: 3 } },
  loc: { userHealthFacilityFullPath: null, userL0s: [], userL1s: [] },
  claim: { claims: [], claimsPageInfo: { totalCount: 40 } },
  insuree: {},
  medical: {},
};

const intl = { formatMessage: ({ id }) => id, formatDate: (d) => String(d), locale: "en", messages: {} };
const baseProps = { modulesManager: mm, intl, classes: new Proxy({}, { get: () => "" }), theme: {} };

// Walks a rendered element tree (plain objects from the React shim).
function* elements(node) {
  if (Array.isArray(node)) {
    for (const child of node) yield* elements(child);
  } else if (node && node.$$element === true) {
    yield node;
    yield* elements(node.props.children);
    for (const value of Object.values(node.props)) if (value && value.$$element === true) yield* elements(value);
  }
}

// What a user picks in each filter of the claim filter panel: a value of the kind that control
// hands to its onChange (pickers by their published name, inputs by their field name).
const UUID = "7d1c5a3e-4b6f-4c1d-9a2e-0f1e2d3c4b5a";
const parentLocation = { id: btoa("LocationGQLType:1"), uuid: UUID, code: "R1", name: "Region" };
const location = { id: btoa("LocationGQLType:2"), uuid: UUID, code: "D1", name: "District", parent: parentLocation };
const pickedObject = { id: btoa("GQLType:3"), uuid: UUID, code: "X1", name: "Name", parent: parentLocation, location,
  healthFacility: { id: btoa("HealthFacilityGQLType:3"), uuid: UUID, code: "HF01", name: "Facility", location } };
const FILTER_VALUES = {
  "claim.ClaimStatusPicker": 2, "claim.FeedbackStatusPicker": 4, "claim.ReviewStatusPicker": 4,
  "core.DatePicker": "2024-03-01", "medical.ServicePicker": pickedObject, "medical.ItemPicker": pickedObject,
  "medical.DiagnosisPicker": pickedObject, "medical.VisitTypePicker": "E", "claim.CareTypePicker": "O",
  "claim.AttachmentStatusPicker": 1, "claim.YesNoPicker": "true", "location.RegionPicker": pickedObject,
  "location.DistrictPicker": pickedObject, "location.HealthFacilityPicker": pickedObject,
  "claim.ClaimAdminPicker": pickedObject, "claim_batch.BatchRunPicker": pickedObject,
  "location.LocationPicker": pickedObject, "claim.PatientConditionPicker": "H",
  claimNo: "C00", chfId: "0707", claimedAbove: "10.5", claimedUnder: "1000",
};
function filterValue(element) {
  const { pubRef, name } = element.props;
  if (pubRef && pubRef in FILTER_VALUES) return FILTER_VALUES[pubRef];
  if (name && name in FILTER_VALUES) return FILTER_VALUES[name];
  return undefined;
}

// The parts of the claim filter panel (classes of ClaimFilter.js that it renders), and what
// connect() would have given them (the selections it reports to the claim state).
const PANEL_PARTS = ["Head", "Details"];
const reportSelection = { selectRegion() {}, selectDistrict() {}, selectHealthFacility() {}, selectClaimAdmin() {} };

function* panelElements(node) {
  for (const element of elements(node)) {
    yield element;
    const type = element.type;
    if (typeof type === "function" && type.prototype?.render && PANEL_PARTS.includes(type.name)) {
      const part = new type({ ...baseProps, ...reportSelection, ...element.props });
      yield* panelElements(part.render());
    }
  }
}

// Every filter the claim filter panel (and the reviews page's extra filters) can set, each
// control used once with a value of its kind.
async function claimFilters() {
  const set = {};
  const onChangeFilters = (filters) => {
    for (const f of filters) set[f.id] = f;
  };
  const unused = [];
  // Some controls show only to a facility's clerk, some only to the scheme's staff (review
  // rights, no facility), one only when configured: the panel as each of them sees it.
  const variants = [
    { rights: [], facility: 3, conf: {} },
    { rights: [111008, 111009, 111011], facility: null, conf: { "fe-claim": { showPreAuthorization: true } } },
  ];
  const panelElementsForEveryone = function* () {
    for (const variant of variants) {
      harness.store.core.user.i_user.rights = variant.rights;
      harness.store.core.user.i_user.health_facility_id = variant.facility;
      conf = variant.conf;
      const panel = new b.ClaimFilter({ ...baseProps, ...reportSelection, filters: {}, onChangeFilters });
      yield* panelElements(panel.render());
    }
    conf = {};
  };
  for (const element of panelElementsForEveryone()) {
    const handler = element.props.onChange;
    if (typeof handler !== "function") continue;
    if ("checked" in element.props) {
      handler({ target: { checked: true } });
      continue;
    }
    const value = filterValue(element);
    if (value === undefined) {
      unused.push(element.props.pubRef || element.props.name || String(element.type?.name || element.type));
      continue;
    }
    handler(value, "label");
    // The text filters share one debounced callback, which keeps only the last call of a burst.
    if (typeof value === "string" && !element.props.pubRef) await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const extra = new b.RawRandomAndValueFilters({ ...baseProps, onChangeFilters, claimsPageInfo: { totalCount: 40 },
    filters: {} });
  extra.state = { ...extra.state, value: 100, variance: 1, random: 5 };
  extra.toggleValueFilter();
  const valueFilters = { ...set };
  extra.state = { ...extra.state, value: 100, variance: 1 };
  extra.toggleVarianceFilter();
  return { filters: Object.values({ ...valueFilters, ...set }), unused };
}

const ui = {
  withConf: (values) => (on, run) => {
    const saved = conf;
    conf = {};
    for (const [module, entries] of Object.entries(values)) {
      conf[module] = {};
      for (const key of Object.keys(entries)) conf[module][key] = on;
    }
    try {
      return run();
    } finally {
      conf = saved;
    }
  },
  // Mounts a picker, then types into it (its onInputChange, as a user searching), as the
  // pickers send their query only on a search.
  call: (component, props) => {
    const allProps = { ...baseProps, onChange: () => {}, ...props };
    const instance = harness.render(component, allProps);
    for (const element of elements(instance.tree)) {
      if (typeof element.props.onInputChange === "function") element.props.onInputChange("Ce");
    }
    harness.render(component, allProps, instance);
    return null;
  },
  hook: (fn) => {
    harness.render(() => fn(), {});
    return null;
  },
  // The one document whose function cannot run here (login reads a const before declaring it,
  // which the app's transpiled build tolerates and a modern engine does not): the template
  // literal as written in the source.
  sourceLiteral: (file, start) => () => {
    const text = fs.readFileSync(path.join(process.env.SPA_SOURCES, file), "utf8");
    const from = text.indexOf("`" + start);
    if (from < 0) throw new Error(`${start} not found in ${file}`);
    harness.recorded.push({ query: text.slice(from + 1, text.indexOf("`", from + 1)) });
    return null;
  },
  component: (file) => b[`component${b.componentFiles.indexOf(file)}`],
  claimSearches: (withAttachments) => async () => {
    const { filters, unused } = await claimFilters();
    ui.unusedFilterControls = unused;
    const searcher = new b.ClaimSearcher({ ...baseProps, fetchClaimSummaries: b.fe_claim_actions.fetchClaimSummaries });
    searcher.setState = () => {};
    const asState = (list) => Object.fromEntries(list.map((f) => [f.id, f]));
    const base = { orderBy: "-dateClaimed", pageSize: 10 };
    const states = [
      { ...base, filters: asState([{ id: "claimStatus", filter: "status: 2" }]) },
      { ...base, filters: asState(filters) },
      { ...base, filters: asState(filters), afterCursor: "YXJyYXljb25uZWN0aW9uOjk=" },
      { ...base, filters: asState(filters), beforeCursor: "YXJyYXljb25uZWN0aW9uOjk=" },
      { ...base, filters: { ...asState(filters), random: { id: "random", value: 2 } } },
    ];
    for (const state of states) {
      harness.dispatch(b.fe_claim_actions.fetchClaimSummaries(mm, searcher.filtersToQueryParams(state),
        withAttachments));
    }
    return null;
  },
};

const documents = new Map();
const failures = [];
for (const c of cases(b, mm, ui)) {
  harness.recorded.length = 0;
  b.harness.resetUuid?.();
  try {
    const action = c.run();
    if (action) await harness.dispatch(action);
  } catch (error) {
    failures.push(`${c.name}: ${error.stack.split("\n").slice(0, 3).join(" | ")}`);
    continue;
  }
  if (!harness.recorded.length) failures.push(`${c.name}: sent no document`);
  harness.recorded.forEach((body, index) => {
    const text = body.query.replace(/\n\s*\n/g, "\n").replace(/[ \t]+$/gm, "").trim();
    if (documents.has(text)) return;
    const name = harness.recorded.length > 1 ? `${c.name}-${index + 1}` : c.name;
    documents.set(text, { ...c, name, variables: body.variables });
  });
}

fs.rmSync(outDir, { recursive: true, force: true });
const counts = {};
for (const [text, c] of documents) {
  const dir = path.join(outDir, c.pkg);
  fs.mkdirSync(dir, { recursive: true });
  counts[c.pkg] = (counts[c.pkg] || 0) + 1;
  const header = [
    `# origin: @openimis/${c.pkg}@${versions[c.pkg]} ${c.file} ${c.fn}`,
    `# case: ${c.name} (tests/api/spa_contract/extract/cases.mjs)`,
    ...(c.variables && Object.keys(c.variables).length ? [`# variables: ${JSON.stringify(c.variables)}`] : []),
  ];
  fs.writeFileSync(path.join(dir, `${c.name}.graphql`), `${header.join("\n")}\n${text}\n`);
}
log(JSON.stringify({ counts, failures, unusedFilterControls: ui.unusedFilterControls }, null, 2));
if (failures.length) process.exit(1);
