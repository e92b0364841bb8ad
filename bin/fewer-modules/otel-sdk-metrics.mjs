// @opentelemetry/sdk-metrics for Fedify, loaded when first used. Fedify imports it at start (144 modules with
// @opentelemetry/resources) but uses it only in its benchmarkMode, which the pod never turns on; if something
// does, these load the real classes at that moment (bin/loading.mjs sends Fedify's import here).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
let sdk;
const real = () => (sdk ??= require("@opentelemetry/sdk-metrics"));

// Fedify subclasses MetricReader when it loads: instances of the subclass are built by the real constructor
// and inherit the real methods.
export class MetricReader {
  constructor(...args) {
    const Real = real().MetricReader;
    if (Object.getPrototypeOf(MetricReader.prototype) !== Real.prototype) {
      Object.setPrototypeOf(MetricReader.prototype, Real.prototype);
    }
    // biome-ignore lint/correctness/noConstructorReturn: the real class builds the instance
    return Reflect.construct(Real, args, new.target);
  }
}

export class MeterProvider {
  constructor(...args) {
    // biome-ignore lint/correctness/noConstructorReturn: the real class builds the instance
    return new (real().MeterProvider)(...args);
  }
}

export const DataPointType = new Proxy({}, { get: (_target, name) => real().DataPointType[name] });
