// lodash-uuid, made deterministic so that the extracted documents are stable: the only uuids it
// makes are the clientMutationIds of mutations.
const _ = require("lodash");
let counter = 0;
_.uuid = () => {
  counter += 1;
  return `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`;
};
_.resetUuid = () => {
  counter = 0;
};
module.exports = _;
