// The one name fe-core's actions use: the key of the request description they dispatch.
exports.RSAA = "@@redux-api-middleware/RSAA";
