// What Fastify uses of semver (checking plugins' Fastify versions), from the files that define it: semver's
// index loads all of its 47 modules.
module.exports = {
  coerce: require("semver/functions/coerce"),
  gt: require("semver/functions/gt"),
  satisfies: require("semver/functions/satisfies"),
};
