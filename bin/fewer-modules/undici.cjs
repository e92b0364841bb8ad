// What the pod's safe fetch (src/federation/safe-fetch.ts) uses of undici, from the files that define it:
// undici's index loads 110 modules, these 24. (The index also adds request(), stream() and the like to every
// dispatcher; Node's fetch, which the pod uses through the global dispatcher, calls only dispatch().)
// Assigned one by one so that Node finds the names when safe-fetch.ts imports them as an ES module.
exports.Agent = require("undici/lib/dispatcher/agent.js");
exports.buildConnector = require("undici/lib/core/connect.js");
exports.setGlobalDispatcher = require("undici/lib/global.js").setGlobalDispatcher;
