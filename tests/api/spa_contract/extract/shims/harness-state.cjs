// Shared between the shims and the extractor: the fake store, the modules manager the React
// context hands out, and the dispatch that records every GraphQL request body.
const RSAA = require("./redux-api-middleware.cjs").RSAA;

const harness = {
  store: {},
  modulesManager: null,
  recorded: [],
  state: () => harness.store,
  context: () => harness.modulesManager,
  dispatch: (action) => {
    if (typeof action === "function") return action(harness.dispatch, harness.state);
    if (action && action[RSAA]) {
      // REST calls (the current user) have no body: not GraphQL.
      if (action[RSAA].body) harness.recorded.push(JSON.parse(action[RSAA].body));
      return Promise.resolve({ payload: { data: {} } });
    }
    return action;
  },
};
module.exports = harness;
