// yaml for @fastify/swagger and @fastify/swagger-ui, loaded on first use: they import it at start (72 modules)
// but call it only to answer the OpenAPI document as YAML.
let yaml;
const real = () => {
  yaml ??= require("yaml");
  return yaml;
};
module.exports = {
  parse: (...args) => real().parse(...args),
  stringify: (...args) => real().stringify(...args),
};
