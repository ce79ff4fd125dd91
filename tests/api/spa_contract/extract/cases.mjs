// The representative calls: every query- and mutation-building function and picker of the claim
// screens, called the way the screens call them, once per branch of its code (filters on and
// off, every projection variant, optional inputs present and absent). Each case names the
// package, file and function its documents come from.
//
// `b` is the bundle (bundle.mjs), `mm` the modules manager built from the packages' own
// DEFAULT_CONFIG refs, `ui` helpers to call components (see extract.mjs).

const UUID = "7d1c5a3e-4b6f-4c1d-9a2e-0f1e2d3c4b5a";
const UUID2 = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
const rid = (type, id) => btoa(`${type}:${id}`);
const region = { id: rid("LocationGQLType", 1), uuid: UUID, code: "R1", name: "Region" };
const district = { id: rid("LocationGQLType", 2), uuid: UUID2, code: "D1", name: "District" };
const hf = {
  id: rid("HealthFacilityGQLType", 3), uuid: UUID, code: "HF01", name: "Facility",
  servicesPricelist: { id: rid("ServicesPricelistGQLType", 1), uuid: UUID },
  itemsPricelist: { id: rid("ItemsPricelistGQLType", 1), uuid: UUID2 },
};
const insuree = { id: rid("InsureeGQLType", 5), uuid: UUID, chfId: "070707070", dob: "1980-01-01" };
const admin = { id: rid("ClaimAdminGQLType", 6), uuid: UUID, code: "CA0001" };
const icd = (n) => ({ id: rid("DiagnosisGQLType", n), code: `A0${n}`, name: `Diagnosis ${n}` });
const item = (n) => ({ id: rid("ItemGQLType", n), code: `I${n}`, name: `Item ${n}`, price: 10 });
const service = (n, extra = {}) => ({ id: rid("ServiceGQLType", n), code: `S${n}`, name: `Service ${n}`,
  price: 20, ...extra });

// A package service as the service picker returns it (its composition, not yet on a claim) ...
const pickedPackage = service(11, {
  packagetype: "P", manualPrice: false,
  servicesLinked: [{ item: item(1), priceAsked: 10, qtyProvided: 2, qtyAsked: 1, qtyDisplayed: 1 }],
  serviceserviceSet: [{ service: service(12), priceAsked: 5, qtyProvided: 1, qtyAsked: 1, qtyDisplayed: 1 }],
});
// ... and a package line as the claim page loads it (its sub-lines stored on the claim).
const storedPackageLine = {
  id: 31, service: service(11, { packagetype: "F", manualPrice: false }), qtyProvided: 1, priceAsked: 25,
  explanation: "why", justification: "because",
  items: [{ item: item(1), qtyDisplayed: 1, qtyAsked: 1, priceAsked: 10, qtyProvided: 2 }],
  services: [{ service: service(12), qtyDisplayed: 1, qtyAsked: 1, priceAsked: 5, qtyProvided: 1 }],
};

function claim(extra = {}) {
  return {
    code: "C0001", insuree, admin, healthFacility: hf, icd: icd(1), dateFrom: "2024-03-01",
    dateClaimed: "2024-03-02", visitType: "O", jsonExt: null, preAuthorization: false,
    services: [{ service: service(10, { packagetype: "S" }), qtyProvided: 2, priceAsked: 20 },
      { service: pickedPackage, qtyProvided: 1, priceAsked: 25 }, {}],
    items: [{ item: item(2), qtyProvided: 3, priceAsked: 10 }, {}],
    ...extra,
  };
}
const fullClaim = () => claim({
  uuid: UUID, dateTo: "2024-03-03", icd1: icd(2), icd2: icd(3), icd3: icd(4), icd4: icd(5),
  jsonExt: { note: "x" }, careType: "O", visitType: "R", referHF: hf, guaranteeId: "G1",
  explanation: "Explanation\nline 2, a / slash", adjustment: "Adjusted", patientCondition: "H",
  referralCode: "REF1", preAuthorization: true,
  services: [{ id: 30, service: service(10, { packagetype: "S" }), qtyProvided: 2, priceAsked: 20,
    explanation: "e", justification: "j" }, storedPackageLine],
  items: [{ id: 40, item: item(2), qtyProvided: 3, priceAsked: 10, explanation: "e", justification: "j" }],
  attachments: [{ type: "scan", title: "Report", date: "2024-03-02", mime: "application/pdf",
    filename: "r.pdf", document: "aGVsbG8=", generalType: "FILE",
    predefinedType: { claimAttachmentType: "Lab" } }],
});
const restoredClaim = () => claim({ restore: { uuid: UUID2 }, referHF: hf, visitType: "E" });
const claims = [{ uuid: UUID }, { uuid: UUID2 }];
const reviewedClaim = {
  uuid: UUID, adjustment: "Reviewed",
  services: [{ id: 30, service: service(10), qtyApproved: 1, priceApproved: 20, justification: "j",
    status: 1, rejectionReason: null },
  { ...storedPackageLine, qtyApproved: null, priceApproved: null, justification: null, status: 2,
    rejectionReason: -1,
    items: [{ item: item(1), qtyDisplayed: 1, qtyAsked: 1, priceAsked: 10, qtyProvided: 2, qtyAdjusted: 1 }] }],
  items: [{ id: 40, item: item(2), qtyApproved: 2, priceApproved: 9, justification: "j", status: 1,
    rejectionReason: null }],
};
const feedbackClaim = {
  uuid: UUID, feedback: { feedbackDate: "2024-03-05", officerId: 7, careRendered: true,
    paymentAsked: false, drugPrescribed: true, drugReceived: false, asessment: 3 },
};
const attachment = { id: rid("ClaimAttachmentGQLType", 9), claimUuid: UUID, type: "scan",
  title: "Report", date: "2024-03-02", mime: "application/pdf", url: "https://example.org/r",
  generalType: "URL", predefinedType: { claimAttachmentType: "Lab" }, filename: "r.pdf",
  document: "aGVsbG8=" };

const A = (pkg, fn) => ({ pkg, file: "src/actions.js", fn });

export default function cases(b, mm, ui) {
  const claimA = b.fe_claim_actions;
  const coreA = b.fe_core_actions;
  const locA = b.fe_location_actions;
  const insA = b.fe_insuree_actions;
  const batchA = b.fe_claim_batch_actions;
  const core = b.fe_core_index;
  const withAutogenerate = (on, run) =>
    ui.withConf({ "fe-claim": { "claimForm.autoGenerateClaimCode": on } })(on, run);
  const picker = (key) => mm.getRef(key);

  return [
    // fe-core: start-up, session and the journal
    { ...A("fe-core", "login"), name: "login", run: () => ui.sourceLiteral("fe-core/src/actions.js", "mutation authenticate") },
    { ...A("fe-core", "fetchCsrfToken"), name: "fetchCsrfToken", run: () => coreA.fetchCsrfToken("jwt") },
    { ...A("fe-core", "refreshAuthToken"), name: "refreshAuthToken", run: () => coreA.refreshAuthToken() },
    { ...A("fe-core", "initialize"), name: "initialize", run: () => coreA.initialize() },
    { ...A("fe-core", "logout"), name: "logout", run: () => coreA.logout() },
    { ...A("fe-core", "fetchLanguages"), name: "fetchLanguages", run: () => coreA.fetchLanguages() },
    { ...A("fe-core", "fetchMutation"), name: "fetchMutation", run: () => coreA.fetchMutation(UUID) },
    { ...A("fe-core", "fetchHistoricalMutations"), name: "fetchHistoricalMutations",
      run: () => coreA.fetchHistoricalMutations(10, null) },
    { ...A("fe-core", "fetchHistoricalMutations"), name: "fetchHistoricalMutations-after",
      run: () => coreA.fetchHistoricalMutations(10, "YXJyYXljb25uZWN0aW9uOjk=") },
    { ...A("fe-core", "waitForMutation"), name: "waitForMutation", run: () => coreA.waitForMutation(UUID) },
    { pkg: "fe-core", file: "src/helpers/hooks.js", fn: "useUserQuery", name: "useUserQuery",
      run: () => ui.hook(() => core.useUserQuery()) },

    // fe-location: start-up loaders and the location / facility pickers
    { ...A("fe-location", "fetchUserDistricts"), name: "fetchUserDistricts", run: () => locA.fetchUserDistricts() },
    { ...A("fe-location", "fetchUserHealthFacilityFullPath"), name: "fetchUserHealthFacilityFullPath",
      run: () => locA.fetchUserHealthFacilityFullPath(mm, 3) },
    { ...A("fe-location", "fetchHealthFacilityFullPath"), name: "fetchHealthFacilityFullPath",
      run: () => locA.fetchHealthFacilityFullPath(mm, hf.id) },
    { ...A("fe-location", "fetchAllRegions"), name: "fetchAllRegions", run: () => locA.fetchAllRegions() },
    ...[0, 1, 2, 3].flatMap((level) => [
      { ...A("fe-location", "fetchLocationsStr"), name: `fetchLocationsStr-level${level}`,
        run: () => locA.fetchLocationsStr(mm, level, null, null, null, "Ce") },
      { ...A("fe-location", "fetchLocationsStr"), name: `fetchLocationsStr-level${level}-parent`,
        run: () => locA.fetchLocationsStr(mm, level, null, null, region, "Ce") },
      { ...A("fe-location", "fetchLocationsStr"), name: `fetchLocationsStr-level${level}-scoped`,
        run: () => locA.fetchLocationsStr(mm, level, region.uuid, district.uuid, null, "Ce") },
      { ...A("fe-location", "fetchParentLocationsStr"), name: `fetchParentLocationsStr-level${level}`,
        run: () => locA.fetchParentLocationsStr(mm, level, [UUID, UUID2], "Ce", 20) },
    ]),
    { pkg: "fe-location", file: "src/pickers/HealthFacilityPicker.js", fn: "HealthFacilityPicker",
      name: "HealthFacilityPicker",
      run: () => ui.call(picker("location.HealthFacilityPicker"), { region, district: [district], level: "H" }) },
    { pkg: "fe-location", file: "src/pickers/HealthFacilityReferPicker.js", fn: "HealthFacilityReferPicker",
      name: "HealthFacilityReferPicker", run: () => ui.call(picker("location.HealthFacilityReferPicker"), {}) },

    // fe-insuree: the claim form's insurance-number lookup and the insuree picker
    { ...A("fe-insuree", "fetchInsuree"), name: "fetchInsuree", run: () => insA.fetchInsuree(mm, "070707070") },
    { ...A("fe-insuree", "fetchInsureesForPicker"), name: "fetchInsureesForPicker",
      run: () => insA.fetchInsureesForPicker(mm, ['chfId_Istartswith: "0707"', 'lastName_Istartswith: "Do"',
        'otherNames_Istartswith: "Jo"', "first: 10"]) },

    // fe-medical: the pickers of the claim form and the claim filters
    { pkg: "fe-medical", file: "src/pickers/DiagnosisPicker.js", fn: "DiagnosisPicker", name: "DiagnosisPicker",
      run: () => ui.call(picker("medical.DiagnosisPicker"), {}) },
    { pkg: "fe-medical", file: "src/pickers/ItemPicker.js", fn: "ItemPicker", name: "ItemPicker",
      run: () => ui.call(picker("medical.ItemPicker"), { pricelistUuid: UUID, date: "2024-03-01" }) },
    { pkg: "fe-medical", file: "src/pickers/ServicePicker.js", fn: "ServicePicker", name: "ServicePicker",
      run: () => ui.call(picker("medical.ServicePicker"), { pricelistUuid: UUID, date: "2024-03-01" }) },

    // fe-claim_batch: the batch run picker of the claim filters
    { ...A("fe-claim_batch", "fetchBatchRunPicker"), name: "fetchBatchRunPicker-national",
      run: () => batchA.fetchBatchRunPicker(mm, null, null) },
    { ...A("fe-claim_batch", "fetchBatchRunPicker"), name: "fetchBatchRunPicker-region",
      run: () => batchA.fetchBatchRunPicker(mm, region, null) },
    { ...A("fe-claim_batch", "fetchBatchRunPicker"), name: "fetchBatchRunPicker-district",
      run: () => batchA.fetchBatchRunPicker(mm, region, district) },

    // fe-claim: pickers
    { pkg: "fe-claim", file: "src/pickers/ClaimAdminPicker.js", fn: "ClaimAdminPicker", name: "ClaimAdminPicker",
      run: () => ui.call(picker("claim.ClaimAdminPicker"), { hfFilter: hf, region, district }) },
    { pkg: "fe-claim", file: "src/pickers/ClaimAttachmentPredefinedTypePicker.js",
      fn: "ClaimAttachmentPredefinedTypePicker", name: "ClaimAttachmentPredefinedTypePicker",
      run: () => ui.call(picker("claim.ClaimAttachmentPredefinedTypePicker"), {}) },
    { pkg: "fe-claim", file: "src/pickers/MedicalServiceFilterPicker.js", fn: "MedicalServiceFilterPicker",
      name: "MedicalServiceFilterPicker",
      run: () => ui.call(ui.component("fe-claim/src/pickers/MedicalServiceFilterPicker.js"),
        { pricelistUuid: UUID, date: "2024-03-01" }) },
    { pkg: "fe-claim", file: "src/components/AdditionalPanelInsuree.js", fn: "AdditionalPanelInsuree",
      name: "AdditionalPanelInsuree",
      run: () => ui.call(ui.component("fe-claim/src/components/AdditionalPanelInsuree.js"),
        { isEdited: true, insuree, dateClaimed: "2024-03-02", dateFrom: "2024-03-01", dateTo: "2024-03-03" }) },
    { ...A("fe-claim", "fetchClaimOfficers"), name: "fetchClaimOfficers",
      run: () => claimA.fetchClaimOfficers(mm, null, { search: "E0" }) },

    // fe-claim: the searchers (claims list, reviews), with every filter of their filter panels
    { pkg: "fe-claim", file: "src/components/ClaimSearcher.js + ClaimFilter.js", fn: "fetchClaimSummaries",
      name: "claims-searcher", run: () => ui.claimSearches(false) },
    { pkg: "fe-claim", file: "src/components/ClaimSearcher.js + ClaimFilter.js", fn: "fetchClaimSummaries",
      name: "claims-searcher-with-attachments", run: () => ui.claimSearches(true) },
    { ...A("fe-claim", "fetchLastClaimAt"), name: "fetchLastClaimAt-entered",
      run: () => claimA.fetchLastClaimAt({ insuree, status: 2, dateFrom: "2024-03-01" }) },
    { ...A("fe-claim", "fetchLastClaimAt"), name: "fetchLastClaimAt-checked",
      run: () => claimA.fetchLastClaimAt({ insuree, status: 4, dateFrom: "2024-03-01" }) },
    { ...A("fe-claim", "fetchLastClaimWithSameDiagnosis"), name: "fetchLastClaimWithSameDiagnosis",
      run: () => claimA.fetchLastClaimWithSameDiagnosis(icd(1), insuree.chfId) },

    // fe-claim: the claim page, review page, feedback page, history, attachments
    { ...A("fe-claim", "fetchClaim"), name: "fetchClaim", run: () => claimA.fetchClaim(mm, UUID, false) },
    { ...A("fe-claim", "fetchClaim"), name: "fetchClaim-feedback", run: () => claimA.fetchClaim(mm, UUID, true) },
    { ...A("fe-claim", "fetchClaimHistory"), name: "fetchClaimHistory", run: () => claimA.fetchClaimHistory(UUID) },
    { ...A("fe-claim", "claimCodeValidationCheck"), name: "claimCodeValidationCheck",
      run: () => claimA.claimCodeValidationCheck(mm, { claimCode: "C0001" }) },
    { ...A("fe-claim", "fetchClaimAttachments"), name: "fetchClaimAttachments",
      run: () => claimA.fetchClaimAttachments({ uuid: UUID }) },
    { ...A("fe-claim", "createAttachment"), name: "createAttachment",
      run: () => claimA.createAttachment({ ...attachment, id: null }, "label") },
    { ...A("fe-claim", "updateAttachment"), name: "updateAttachment",
      run: () => claimA.updateAttachment(attachment, "label") },
    { ...A("fe-claim", "deleteAttachment"), name: "deleteAttachment",
      run: () => claimA.deleteAttachment(attachment, "label") },

    // fe-claim: saving a claim (new, duplicate / restore, update; code typed or generated)
    { ...A("fe-claim", "createClaim"), name: "createClaim",
      run: () => withAutogenerate(false, () => claimA.createClaim(mm, claim(), "label")) },
    { ...A("fe-claim", "createClaim"), name: "createClaim-autogenerate",
      run: () => withAutogenerate(true, () => claimA.createClaim(mm, claim(), "label")) },
    { ...A("fe-claim", "createClaim"), name: "createClaim-all-fields",
      run: () => withAutogenerate(false, () => claimA.createClaim(mm, { ...fullClaim(), uuid: null }, "label")) },
    { ...A("fe-claim", "createClaim"), name: "createClaim-restore",
      run: () => withAutogenerate(true, () => claimA.createClaim(mm, restoredClaim(), "label")) },
    { ...A("fe-claim", "updateClaim"), name: "updateClaim", run: () => claimA.updateClaim(mm, fullClaim(), "label") },
    { ...A("fe-claim", "updateClaim"), name: "updateClaim-minimal",
      run: () => claimA.updateClaim(mm, { ...claim(), uuid: UUID }, "label") },

    // fe-claim: the workflow actions of the lists and pages
    { ...A("fe-claim", "submit"), name: "submit", run: () => claimA.submit(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "submit"), name: "submit-without-details", run: () => claimA.submit(claims, "label") },
    { ...A("fe-claim", "submitAll"), name: "submitAll",
      run: () => claimA.submitAll({ claimStatus: { filter: "status: 2" }, code: { filter: 'code_Icontains: "C0"' },
        admin: { filter: null } }, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "del"), name: "del", run: () => claimA.del(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "selectForFeedback"), name: "selectForFeedback",
      run: () => claimA.selectForFeedback(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "bypassFeedback"), name: "bypassFeedback",
      run: () => claimA.bypassFeedback(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "skipFeedback"), name: "skipFeedback",
      run: () => claimA.skipFeedback(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "deliverFeedback"), name: "deliverFeedback",
      run: () => claimA.deliverFeedback(feedbackClaim, "label") },
    { ...A("fe-claim", "deliverFeedback"), name: "deliverFeedback-empty",
      run: () => claimA.deliverFeedback({ uuid: UUID, feedback: {} }, "label") },
    { ...A("fe-claim", "selectForReview"), name: "selectForReview",
      run: () => claimA.selectForReview(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "bypassReview"), name: "bypassReview",
      run: () => claimA.bypassReview(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "skipReview"), name: "skipReview",
      run: () => claimA.skipReview(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "saveReview"), name: "saveReview", run: () => claimA.saveReview(reviewedClaim, "label") },
    { ...A("fe-claim", "saveReview"), name: "saveReview-no-lines",
      run: () => claimA.saveReview({ uuid: UUID, services: [], items: [] }, "label") },
    { ...A("fe-claim", "deliverReview"), name: "deliverReview",
      run: () => claimA.deliverReview(claims, "label", ["C0001", "C0002"]) },
    { ...A("fe-claim", "process"), name: "process", run: () => claimA.process(claims, "label", ["C0001", "C0002"]) },
  ];
}
