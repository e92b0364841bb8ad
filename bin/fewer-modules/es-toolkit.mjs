// What Fedify's packages import from es-toolkit, from the files that define it. es-toolkit's index imports
// all of its 195 modules; Fedify uses six functions (bin/loading.mjs sends Fedify's imports here).
export { curry } from "../../node_modules/es-toolkit/dist/function/curry.mjs";
export { isEqual } from "../../node_modules/es-toolkit/dist/predicate/isEqual.mjs";
export { pascalCase } from "../../node_modules/es-toolkit/dist/string/pascalCase.mjs";
export { delay } from "../../node_modules/es-toolkit/dist/promise/delay.mjs";
export { withTimeout } from "../../node_modules/es-toolkit/dist/promise/withTimeout.mjs";
export { uniq } from "../../node_modules/es-toolkit/dist/array/uniq.mjs";
